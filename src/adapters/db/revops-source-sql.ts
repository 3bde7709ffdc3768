/**
 * Where deals come from: the imported pipeline (revops_deals), or, when none was imported, the funnel's
 * opportunities (records, migrations/0001), so a team that only imports its funnel still sees pipeline
 * figures. Both read as the same columns (deal_id, account, segment, owner, stage, amount_cents,
 * created_at, last_stage_change, probability, source_channel, is_open), so every pipeline query runs
 * unchanged over either.
 *
 * Funnel records as deals: type = 'opp'; stage 'Closed Won' / 'Closed Lost' (case-insensitive, '_' read
 * as a space) → Closed_Won / Closed_Lost; 'Archived' left out; any other stage is open and kept under its
 * own name. amount = value_cents (the CSV's value_usd); last stage change = last_touch_at, else created_at
 * (records keep no stage dates, so the last touch stands in for it); segment unknown (''; a segment
 * filter therefore matches no record); channel = source; probability from a default stage table, since
 * records carry none: Discovery 10%, Demo 30%, Negotiation 60%, any other open stage 10% (an unknown stage
 * is weighted like the earliest one rather than guessed higher), Closed Won 100%, Closed Lost 0%.
 *
 * "When none was imported" is the whole table being empty, not the filter matching nothing: a filter
 * that selects no imported deal shows an empty pipeline, not the funnel's.
 */
import { OPEN_STAGES } from '../../domain/revops/types.ts';
import type { Sql } from './client.ts';

export type PipelineSourceName = 'deals' | 'funnel';

const OPEN_LIST = OPEN_STAGES.map((s) => `'${s}'`).join(', ');

export const DEALS_SQL = `(SELECT deal_id, account, segment, owner, stage, amount_cents, created_at,
  last_stage_change, probability, source_channel, stage IN (${OPEN_LIST}) AS is_open FROM revops_deals)`;

/** The record's stage, lower-cased with '_' as a space: what the closed/archived tests compare. */
const NORM = `lower(replace(stage, '_', ' '))`;

export const FUNNEL_SQL = `(SELECT id AS deal_id, company AS account, ''::text AS segment, owner,
  CASE ${NORM} WHEN 'closed won' THEN 'Closed_Won' WHEN 'closed lost' THEN 'Closed_Lost' ELSE stage END AS stage,
  value_cents AS amount_cents, created_at, coalesce(last_touch_at, created_at) AS last_stage_change,
  CASE ${NORM} WHEN 'discovery' THEN 0.1 WHEN 'demo' THEN 0.3 WHEN 'negotiation' THEN 0.6
    WHEN 'closed won' THEN 1 WHEN 'closed lost' THEN 0 ELSE 0.1 END::float8 AS probability,
  source AS source_channel, ${NORM} NOT IN ('closed won', 'closed lost') AS is_open
  FROM records WHERE type = 'opp' AND ${NORM} <> 'archived')`;

/** The deals to read: imported ones when there are any, else the funnel's opportunities. */
export async function dealsSource(sql: Sql): Promise<{ name: PipelineSourceName; sql: string }> {
  const [row] = await sql.query('SELECT EXISTS (SELECT 1 FROM revops_deals) AS has');
  return row?.['has'] ? { name: 'deals', sql: DEALS_SQL } : { name: 'funnel', sql: FUNNEL_SQL };
}

/**
 * run() over the imported deals at once, while asking whether there are any; when there are none, run()
 * again over the funnel's opportunities (and the first answer, over an empty table, is dropped). Imported
 * deals are the usual case, and then the statement does not wait for the question: the question's round
 * trip (on a cold pool, a connection's set-up too; 100–270 ms on the loaded bench host) is off the way to
 * the slowest read.
 */
export async function overDealsSource<T>(
  sql: Sql,
  run: (name: PipelineSourceName, src: string) => Promise<T>,
): Promise<T> {
  const asDeals = run('deals', DEALS_SQL);
  // Settled below either way: returned, or dropped for the funnel's answer.
  asDeals.catch(() => {});
  const source = await dealsSource(sql);
  if (source.name === 'deals') return asDeals;
  await asDeals.catch(() => {});
  return run(source.name, source.sql);
}
