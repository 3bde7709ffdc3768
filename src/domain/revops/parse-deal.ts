/**
 * One row of deals.csv → a Deal (issue 14). Columns, in the canonical order `cells` arrives in
 * (csv-kinds.ts puts a file's columns in this order, whatever order the file has):
 * deal_id, account, segment, owner, stage, amount, created_at, expected_close, last_stage_change,
 * probability, source_channel. The first problem found, in column order, is the reason.
 */
import { Bad, date, dollars, instant, probability, required, segment, stage } from './cells.ts';
import type { Deal, Stage } from './types.ts';

export const DEAL_COLUMNS = [
  'deal_id',
  'account',
  'segment',
  'owner',
  'stage',
  'amount',
  'created_at',
  'expected_close',
  'last_stage_change',
  'probability',
  'source_channel',
] as const;

/**
 * The win probability a stage implies when the CRM leaves the cell empty (**ours**, DOMAIN.md gives none;
 * the generator uses the same): Discovery 10 %, Demo 30 %, Negotiation 60 %, won 100 %, lost 0 %.
 */
export const STAGE_PROBABILITY: Readonly<Record<Stage, number>> = {
  Discovery: 0.1,
  Demo: 0.3,
  Negotiation: 0.6,
  Closed_Won: 1,
  Closed_Lost: 0,
};

export function parseDeal(cells: readonly string[]): Deal | Bad {
  const [id = '', acct = '', seg = '', owner = '', stg = '', amount = '', created = '', close = ''] = cells;
  const [changed = '', prob = '', channel = ''] = cells.slice(8);
  const dealId = required('deal_id', id);
  if (dealId instanceof Bad) return dealId;
  const account = required('account', acct);
  if (account instanceof Bad) return account;
  const sgm = segment('segment', seg);
  if (sgm instanceof Bad) return sgm;
  const stg2 = stage(stg);
  if (stg2 instanceof Bad) return stg2;
  const amountCents = dollars('amount', amount);
  if (amountCents instanceof Bad) return amountCents;
  const createdAtMs = instant('created_at', created);
  if (createdAtMs instanceof Bad) return createdAtMs;
  const expectedClose = close.trim() === '' ? null : date('expected_close', close);
  if (expectedClose instanceof Bad) return expectedClose;
  const lastStageChangeMs = instant('last_stage_change', changed);
  if (lastStageChangeMs instanceof Bad) return lastStageChangeMs;
  // Equal is fine: a deal created straight into its stage (or closed the moment it was logged).
  if (lastStageChangeMs < createdAtMs)
    return new Bad(`last_stage_change ${changed.trim()} is before created_at ${created.trim()}`);
  const p = probability(prob, STAGE_PROBABILITY[stg2]);
  if (p instanceof Bad) return p;
  return {
    dealId,
    account,
    segment: sgm,
    owner: owner.trim(),
    stage: stg2,
    amountCents,
    createdAtMs,
    expectedClose,
    lastStageChangeMs,
    probability: p,
    sourceChannel: channel.trim(),
  };
}
