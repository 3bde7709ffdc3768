import { formatUsd } from '../../shared/money.ts';
import type { FunnelRecord, RecordType } from '../records/record.ts';

/**
 * Text in a fix pack may name the record it is applied to: {id} {name} {company} {owner} {stage} {value}
 * ({value} as whole dollars, "$12,000"). Values come from the record as the plan has changed it so far
 * (so a task created after an assign_owner step names the new owner).
 *
 * `{default_next_step}` is resolved only in the value of a `set_field` step on `next_step`: the DSL has
 * one value per step, but DOMAIN.md §5 sets a different next step for leads and for opportunities.
 * Anywhere else it stays as written.
 */
export const DEFAULT_NEXT_STEP_PLACEHOLDER = '{default_next_step}';
export const DEFAULT_NEXT_STEPS: Readonly<Record<RecordType, string>> = Object.freeze({
  lead: 'Discovery Call',
  opp: 'Review Account Status',
});

const PLACEHOLDER = /\{(id|name|company|owner|stage|value|default_next_step)\}/g;

/**
 * Fills the placeholders in one pass, so a record value that itself looks like a placeholder (a contact
 * named "{owner}") is inserted as written, never expanded. Unknown `{words}` are left alone.
 */
export function fillPlaceholders(text: string, r: FunnelRecord, resolveDefaultNextStep = false): string {
  return text.replace(PLACEHOLDER, (whole, key: string) => {
    switch (key) {
      case 'id':
        return r.id;
      case 'name':
        return r.name;
      case 'company':
        return r.company;
      case 'owner':
        return r.owner;
      case 'stage':
        return r.stage;
      case 'value':
        return formatUsd(r.valueCents);
      default:
        return resolveDefaultNextStep ? DEFAULT_NEXT_STEPS[r.type] : whole;
    }
  });
}
