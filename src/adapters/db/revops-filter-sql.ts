/**
 * What the RevOps reads share (revops-pipeline-sql.ts, revops-revenue-sql.ts, revops-marketing-sql.ts):
 * how a RevopsFilter becomes SQL, and how calendar days and months of the period are named.
 *
 * Days and months are UTC calendar dates. A date D (a churn date, a start date, a spend day) belongs to the
 * period [fromMs, toMs) when the instant D 00:00 UTC does: D ≥ the first midnight at or after fromMs and
 * D < the first midnight at or after toMs. A period from midnight to midnight is therefore exactly its days.
 */
import type { RevopsFilter } from '../../domain/revops/types.ts';
import { SEGMENTS } from '../../domain/revops/types.ts';
import { DAY_MS } from '../../shared/time.ts';

/** The first UTC midnight at or after `ms`, as an ISO date. */
export function dayAtOrAfter(ms: number): string {
  return new Date(Math.ceil(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** Month number (year × 12 + month − 1) of an instant, UTC. */
export function monthNo(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** First day of month number `n`, as an ISO date. */
export function monthDate(n: number): string {
  const y = Math.floor(n / 12);
  const m = n - y * 12 + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-01`;
}

/** Column names of one table's filterable slices; a slice the table does not have is left out. */
export interface SliceColumns {
  segment?: string;
  owner?: string;
  channel?: string;
}

/**
 * ` AND col = $n` for every slice of `f` the table has, its value pushed onto `params`. Slices the table
 * lacks are ignored (owner does not apply to customers, for example).
 */
export function sliceWhere(f: RevopsFilter, cols: SliceColumns, params: unknown[]): string {
  let where = '';
  for (const key of ['segment', 'owner', 'channel'] as const) {
    const col = cols[key];
    const value = f[key];
    if (col === undefined || value === undefined) continue;
    params.push(value);
    where += ` AND ${col} = $${params.length}`;
  }
  return where;
}

/**
 * A segment as an SQL literal, for the one statement (revenue) whose text carries its constants inline.
 * Only the three known segments pass; anything else is a bug upstream of the filter's parser.
 */
export function segmentLiteral(segment: string): string {
  if (!(SEGMENTS as readonly string[]).includes(segment)) throw new Error(`unknown segment ${segment}`);
  return `'${segment}'`;
}

/** A numeric column as the driver returns it (text for bigint/numeric, number for float8) → number. */
export const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
