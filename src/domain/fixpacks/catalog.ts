import type { Cents } from '../../shared/money.ts';
import { type FixPackId, type IssueType, RULES, type RuleDef } from '../rules/catalog.ts';
import type { FixPack, Step } from './dsl.ts';
import { DEFAULT_NEXT_STEP_PLACEHOLDER } from './placeholders.ts';
import type { AddressedIssue } from './types.ts';

/**
 * The default fix pack catalog (DOMAIN.md §5) as data: the same DSL an admin's own pack is written in,
 * so every default pack also parses with parseFixPack (pinned by a test). Every default is filled in
 * (only_if_empty, assignee, priority), so a pack here equals its own parse.
 *
 * fix_next_step sets next_step to `{default_next_step}`: the DSL has one value per step, and DOMAIN.md
 * sets "Discovery Call" on leads and "Review Account Status" on opportunities. The planner resolves that
 * placeholder per record type, and only in a set_field step on next_step (see placeholders.ts).
 */
export const FIX_PACK_IDS: readonly FixPackId[] = Object.freeze([
  'fix_sla_breach',
  'fix_assign_owner',
  'fix_next_step',
  'fix_stale_opp',
  'fix_merge_dupes',
  'fix_routing',
]);

export const FIX_PACK_TITLES: Readonly<Record<FixPackId, string>> = Object.freeze({
  fix_sla_breach: 'SLA Breach Rapid Response',
  fix_assign_owner: 'Auto-Routing',
  fix_next_step: 'Enforce Hygiene',
  fix_stale_opp: 'Opportunity Rescue',
  fix_merge_dupes: 'Duplicate Resolution',
  fix_routing: 'Routing Repair',
});

const DAY_MINUTES = 24 * 60;

const QUICK_CONNECT_BODY = [
  'Hi {name},',
  '',
  'Thanks for getting in touch. I would love to learn what you are looking for and how we can help.',
  'Do you have 10 minutes for a quick call today or tomorrow?',
  '',
  'Best regards,',
  '{owner}',
].join('\n');

const CHECK_IN_BODY = [
  'Hi {name},',
  '',
  'I wanted to check in on where things stand at {company}. Teams like yours use us to stop revenue',
  'slipping through the cracks, and I would be glad to walk you through what that could look like for you.',
  'Would a short call this week help move things forward?',
  '',
  'Best regards,',
  '{owner}',
].join('\n');

/** The steps and verification of each default pack (fresh objects on every call: callers may keep them). */
function defaultBody(id: FixPackId): Pick<FixPack, 'steps' | 'verify'> {
  switch (id) {
    case 'fix_sla_breach':
      return {
        steps: [
          { type: 'assign_owner', strategy: 'round_robin', only_if_empty: true },
          task('Call within 10 minutes', 10, 'high'),
          {
            type: 'notify',
            to: 'owner',
            text: 'SLA breach: {name} ({company}) is waiting for a first response. Call within 10 minutes.',
          },
          { type: 'draft_email', to: 'contact', subject: 'Quick connect', body: QUICK_CONNECT_BODY },
        ],
        verify: { kind: 'touched_within', minutes: 10 },
      };
    case 'fix_assign_owner':
      return {
        steps: [{ type: 'assign_owner', strategy: 'round_robin', only_if_empty: true }],
        verify: { kind: 'field_present', field: 'owner' },
      };
    case 'fix_next_step':
      return {
        steps: [
          {
            type: 'set_field',
            field: 'next_step',
            value: DEFAULT_NEXT_STEP_PLACEHOLDER,
            only_if_empty: true,
          },
          task('Set the next step', DAY_MINUTES, 'normal'),
        ],
        verify: { kind: 'field_present', field: 'next_step' },
      };
    case 'fix_stale_opp':
      return {
        steps: [
          // Fills an empty next step only: a real one ("Contract review") is kept, and the task below is
          // the rescue (issue 10 item 2; DOMAIN.md §5 says "set", which overwrote the rep's plan).
          { type: 'set_field', field: 'next_step', value: 'Rescue sequence initiated', only_if_empty: true },
          task('Rescue: re-engage {name}', DAY_MINUTES, 'high'),
          {
            type: 'notify',
            to: 'owner',
            text: 'Deal going cold: {name} ({company}, {value}) has had no activity. A rescue task is on you.',
          },
          {
            type: 'notify',
            to: 'manager_channel',
            text: 'Deal at risk: {name} ({company}, {value}, owner {owner}) has had no activity; a rescue is under way.',
            min_value_usd: 10_000,
          },
          { type: 'draft_email', to: 'contact', subject: 'Checking in on {company}', body: CHECK_IN_BODY },
        ],
        verify: { kind: 'touched_within', minutes: 2 * DAY_MINUTES },
      };
    case 'fix_merge_dupes':
      return { steps: [{ type: 'merge_duplicates' }], verify: { kind: 'one_active_per_domain' } };
    case 'fix_routing':
      return { steps: [{ type: 'region_from_peers' }], verify: { kind: 'field_present', field: 'region' } };
  }
}

function task(title: string, dueInMinutes: number, priority: 'high' | 'normal'): Step {
  return { type: 'create_task', assignee: 'record_owner', title, due_in_minutes: dueInMinutes, priority };
}

/** The default pack for a fix pack id: version 1, id = the fix pack id, the title of DOMAIN.md §5. */
export function defaultPack(id: FixPackId): FixPack {
  return { version: 1, id, title: FIX_PACK_TITLES[id], ...defaultBody(id) };
}

/**
 * What a pack generator needs of an issue: a scan's Issue fits, and so does anything carrying its id,
 * its rule, its dollars and its record's id.
 */
export interface IssueRef {
  readonly issueId: string;
  readonly rule: RuleDef;
  readonly lossCents: Cents;
  readonly record: { readonly id: string };
}

export const addressedIssue = (i: IssueRef): AddressedIssue => ({
  issueId: i.issueId,
  recordId: i.record.id,
  issueType: i.rule.issueType,
  lossCents: i.lossCents,
  teams: i.rule.blastRadius,
});

/** The default pack for one issue, and that issue as the planner takes it. */
export function packForIssue(issue: IssueRef): { pack: FixPack; issues: AddressedIssue[] } {
  return { pack: defaultPack(issue.rule.fixPack), issues: [addressedIssue(issue)] };
}

/** The fix pack every rule of an issue type points at (NO_NEXT_STEP has two rules, one pack). */
export const fixPackFor = (t: IssueType): FixPackId =>
  Object.values(RULES).find((r) => r.issueType === t)!.fixPack;

const count = (n: number): string => n.toLocaleString('en-US');

/** "Assign owners to all 6 unowned records"; with one issue, "Assign an owner to 1 unowned record". */
export function bulkTitle(issueType: IssueType, n: number): string {
  const one = n === 1;
  const all = n > 1 ? 'all ' : '';
  const c = count(n);
  switch (issueType) {
    case 'SLA_BREACH_UNTOUCHED':
      return `Respond to ${all}${c} ${one ? 'lead' : 'leads'} past the SLA`;
    case 'UNASSIGNED_OWNER':
      return one ? 'Assign an owner to 1 unowned record' : `Assign owners to ${all}${c} unowned records`;
    case 'NO_NEXT_STEP':
      return one
        ? 'Set a next step on 1 record without one'
        : `Set next steps on ${all}${c} records without one`;
    case 'STALE_OPP':
      return `Rescue ${all}${c} stale ${one ? 'opportunity' : 'opportunities'}`;
    case 'DUPLICATE_SUSPECT':
      return `Merge ${all}${c} duplicate ${one ? 'record' : 'records'}`;
    case 'ROUTING_MISMATCH':
      return `Repair routing on ${all}${c} ${one ? 'record' : 'records'} without a region`;
  }
}

/**
 * One pack for every open issue of a type (issues of other types in `issues` are ignored): the default
 * pack of that type, titled for what it does, with id `${fixPackId}_bulk`.
 */
export function bulkPackFor(
  issueType: IssueType,
  issues: readonly IssueRef[],
): { pack: FixPack; issues: AddressedIssue[]; title: string } {
  const mine = issues.filter((i) => i.rule.issueType === issueType);
  const id = fixPackFor(issueType);
  const title = bulkTitle(issueType, mine.length);
  return { pack: { ...defaultPack(id), id: `${id}_bulk`, title }, issues: mine.map(addressedIssue), title };
}
