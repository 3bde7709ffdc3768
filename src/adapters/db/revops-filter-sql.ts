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
import type { Db, Row } from './client.ts';

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

/**
 * The periods of a batch (revops-batch.ts) as VALUES rows `(k, $a::cast, …)`, k = the period's index, each
 * value pushed onto `params`. A statement joins them as `p(k, …)` so one pass over a table serves every
 * period, its rows tagged with k.
 */
export function periodRows(
  values: readonly (readonly unknown[])[],
  casts: readonly string[],
  params: unknown[],
): string {
  return values
    .map((row, k) => {
      const cells = row.map((v, i) => {
        params.push(v);
        return `$${params.length}::${casts[i]}`;
      });
      return `(${[k, ...cells].join(', ')})`;
    })
    .join(', ');
}

/**
 * A batch's periods as [from, to) bounds: $1 and $2 = the union of the periods (the first from, the last
 * to) for the scan to keep only those rows, then the VALUES rows p(k, f, t); each bound as `bound` gives
 * it (an instant, or the day at or after it), cast to `cast`. Slice parameters go after these.
 */
export function periodBounds(
  filters: readonly RevopsFilter[],
  bound: (ms: number) => string,
  cast: string,
): { params: unknown[]; periods: string } {
  const params: unknown[] = [
    bound(Math.min(...filters.map((f) => f.fromMs))),
    bound(Math.max(...filters.map((f) => f.toMs))),
  ];
  const periods = periodRows(
    filters.map((f) => [bound(f.fromMs), bound(f.toMs)]),
    [cast, cast],
    params,
  );
  return { params, periods };
}

/** A numeric column as the driver returns it (text for bigint/numeric, number for float8) → number. */
export const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * One statement in a transaction of its own, after `SET LOCAL`s (planner or memory settings that must not
 * outlive it: they end with the transaction).
 */
export function queryWith(
  db: Db,
  settings: readonly string[],
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  return db.transaction(async (tx) => {
    for (const s of settings) await tx.query(`SET LOCAL ${s}`);
    return tx.query(text, params);
  });
}

/**
 * Settings of the big aggregates (the pipeline's, the MRR roll-forward, the cohorts): more working memory
 * than the server default, so their ~100k-group hash tables do not spill to disk, and no JIT: compiling
 * their ~20–50 expressions cost ~150–170 ms here, more than it saved, and their plan costs sit around the
 * default jit_above_cost (the pipeline's two periods: ~98k), so whether it kicked in depended on the data.
 */
export const BIG_AGGREGATE = ["work_mem = '64MB'", 'jit = off'] as const;
