import type { ImportRunStart } from '../../app/records/ports.ts';
import type { RevopsBatchWrites, RevopsImport, RevopsWrites } from '../../app/revops/ports.ts';
import type { RevopsKind } from '../../domain/revops/csv-kinds.ts';
import type { Customer, Deal, MrrMonth, SpendRow } from '../../domain/revops/types.ts';
import type { Db, Sql } from './client.ts';
import { copyText, isoInstant } from './copy.ts';
import { type HeldTransaction, holdTransaction } from './held-transaction.ts';
import { writeRunResult } from './import-runs-repository.ts';
import { type BatchRunner, insideImport, ownTransaction, probeByKey } from './revops-batch-runners.ts';
import { startRun } from './run-leases.ts';

/**
 * The RevOps imports' writes (issue 14, migrations/0011): each batch is COPYed into an all-text staging
 * table, then one INSERT adds the new rows and one joined UPDATE rewrites the stored rows whose data
 * changed, in one transaction: the records repository's recipe (records-repository.ts), measured there ~2×
 * faster than INSERT … ON CONFLICT DO UPDATE and ~5× faster than multi-row INSERTs (ARCHITECTURE habit 9).
 *
 * The staging table has no types and no constraints, so the COPY itself cannot fail on data (postgres.js
 * never settles a COPY that fails server-side, porsager/postgres#1173); every cast and CHECK runs in the
 * INSERT/UPDATE, where an error surfaces normally. A key a concurrent writer inserts meanwhile is skipped
 * by the INSERT (ON CONFLICT DO NOTHING) and updated by the UPDATE that follows.
 * Callers give each key at most once per batch (the import rejects a key repeated in a file).
 */

interface Table<T> {
  name: string;
  /** Data columns, in COPY order (imported_at is set here, never staged). */
  columns: readonly string[];
  keys: readonly string[];
  /** Has an imported_at column, set to now() when a row is written. */
  stamped: boolean;
  /** Staged text → the column's type. */
  casts: Readonly<Record<string, string>>;
  /** One COPY text line (ending in \n) per row, in `columns` order. */
  line(row: T): string;
}

const stageOf = (t: Table<unknown>): string => `${t.name}_stage`;
const typed = (t: Table<unknown>, c: string): string => (t.casts[c] ? `s.${c}::${t.casts[c]}` : `s.${c}`);
const keyMatch = (t: Table<unknown>, alias: string): string =>
  t.keys.map((k) => `${alias}.${k} = ${typed(t, k)}`).join(' AND ');

function statements(t: Table<unknown>) {
  const data = t.columns.filter((c) => !t.keys.includes(c));
  const stage = stageOf(t);
  return {
    create: `CREATE TEMP TABLE IF NOT EXISTS ${stage} (${t.columns.map((c) => `${c} text`).join(', ')})
      ON COMMIT DELETE ROWS`,
    update: `UPDATE ${t.name} r SET ${data.map((c) => `${c} = ${typed(t, c)}`).join(', ')}${t.stamped ? ', imported_at = now()' : ''}
      FROM ${stage} s
      WHERE ${keyMatch(t, 'r')}
        AND (${data.map((c) => `r.${c}`).join(', ')}) IS DISTINCT FROM (${data.map((c) => typed(t, c)).join(', ')})`,
    insert: `INSERT INTO ${t.name} (${t.columns.join(', ')})
      SELECT ${t.columns.map((c) => typed(t, c)).join(', ')} FROM ${stage} s
      WHERE NOT EXISTS (SELECT 1 FROM ${t.name} r WHERE ${keyMatch(t, 'r')})
      ON CONFLICT (${t.keys.join(', ')}) DO NOTHING`,
  };
}

const text = (s: string | null): string => (s === null ? '\\N' : copyText(s));

const DEALS: Table<Deal> = {
  name: 'revops_deals',
  stamped: true,
  columns: [
    'deal_id',
    'account',
    'segment',
    'owner',
    'stage',
    'amount_cents',
    'created_at',
    'expected_close',
    'last_stage_change',
    'probability',
    'source_channel',
  ],
  keys: ['deal_id'],
  casts: {
    amount_cents: 'bigint',
    created_at: 'timestamptz',
    expected_close: 'date',
    last_stage_change: 'timestamptz',
    probability: 'float8',
  },
  line: (d) =>
    `${copyText(d.dealId)}\t${copyText(d.account)}\t${d.segment}\t${copyText(d.owner)}\t${d.stage}\t` +
    `${d.amountCents}\t${isoInstant(d.createdAtMs)}\t${text(d.expectedClose)}\t` +
    `${isoInstant(d.lastStageChangeMs)}\t${d.probability}\t${copyText(d.sourceChannel)}\n`,
};

const CUSTOMERS: Table<Customer> = {
  name: 'revops_customers',
  stamped: true,
  columns: [
    'customer_id',
    'account',
    'segment',
    'plan',
    'start_date',
    'mrr_cents',
    'churn_date',
    'churn_reason',
  ],
  keys: ['customer_id'],
  casts: { start_date: 'date', mrr_cents: 'bigint', churn_date: 'date' },
  line: (c) =>
    `${copyText(c.customerId)}\t${copyText(c.account)}\t${c.segment}\t${copyText(c.plan)}\t${c.startDate}\t` +
    `${c.mrrCents}\t${text(c.churnDate)}\t${text(c.churnReason)}\n`,
};

const MRR: Table<MrrMonth> = {
  name: 'revops_mrr_history',
  stamped: false,
  columns: ['customer_id', 'month', 'mrr_cents'],
  keys: ['customer_id', 'month'],
  casts: { month: 'date', mrr_cents: 'bigint' },
  line: (m) => `${copyText(m.customerId)}\t${m.month}\t${m.mrrCents}\n`,
};

const COUNTS = ['impressions', 'clicks', 'leads', 'mqls', 'sqls', 'opportunities', 'won'] as const;
const SPEND: Table<SpendRow> = {
  name: 'revops_marketing_spend',
  stamped: true,
  columns: ['day', 'channel', 'campaign', 'segment', 'geo', 'spend_cents', ...COUNTS],
  keys: ['day', 'channel', 'campaign', 'segment', 'geo'],
  casts: { day: 'date', spend_cents: 'bigint', ...Object.fromEntries(COUNTS.map((c) => [c, 'bigint'])) },
  line: (s) =>
    `${s.day}\t${copyText(s.channel)}\t${copyText(s.campaign)}\t${s.segment}\t${copyText(s.geo)}\t` +
    `${s.spendCents}\t${s.impressions}\t${s.clicks}\t${s.leads}\t${s.mqls}\t${s.sqls}\t${s.opportunities}\t${s.won}\n`,
};

/** History rows whose customer is not stored: listed (distinct), then dropped from the staged batch. */
const UNKNOWN_CUSTOMERS = `SELECT DISTINCT s.customer_id FROM revops_mrr_history_stage s
  WHERE NOT EXISTS (SELECT 1 FROM revops_customers c WHERE c.customer_id = s.customer_id)`;
const DROP_UNKNOWN = `DELETE FROM revops_mrr_history_stage s
  WHERE NOT EXISTS (SELECT 1 FROM revops_customers c WHERE c.customer_id = s.customer_id)`;

/**
 * Upserts `rows` into `t` in one batch; `between` runs after the COPY and before the upsert (the MRR
 * history drops unknown customers there) and its result is returned.
 */
function upsert<T, R>(
  run: BatchRunner,
  t: Table<T>,
  rows: readonly T[],
  between: (tx: Sql) => Promise<R>,
): Promise<R> {
  const sql = statements(t as Table<unknown>);
  const lines = rows.map(t.line).join('');
  return run(async (tx) => {
    await tx.query(sql.create);
    // ON COMMIT DELETE ROWS empties the stage between transactions; inside an import it is reused.
    await tx.query(`TRUNCATE ${stageOf(t as Table<unknown>)}`);
    await tx.copyIn(stageOf(t as Table<unknown>), t.columns, [lines]);
    const result = await between(tx);
    // New keys first, then the stored ones that changed: a key a concurrent writer inserted meanwhile is
    // skipped by the INSERT and updated by the UPDATE (records-repository.ts explains why no savepoint).
    await tx.query(sql.insert);
    await tx.query(sql.update);
    return result;
  });
}

const nothing = async (): Promise<void> => {};

/** The table each import kind writes (ANALYZE takes a name, not a parameter: these are the only ones). */
const TABLE_OF: Readonly<Record<RevopsKind, string>> = {
  deals: DEALS.name,
  customers: CUSTOMERS.name,
  mrr: MRR.name,
  spend: SPEND.name,
};

/** The four upserts, each batch run by `run`. */
function batchWrites(run: BatchRunner): RevopsBatchWrites {
  return {
    async upsertDeals(rows) {
      if (rows.length > 0) await upsert(run, DEALS, rows, nothing);
      return rows.length;
    },
    async upsertCustomers(rows) {
      if (rows.length > 0) await upsert(run, CUSTOMERS, rows, nothing);
      return rows.length;
    },
    async upsertMrrHistory(rows) {
      if (rows.length === 0) return { written: 0, unknownCustomers: [] };
      const unknownCustomers = await upsert(run, MRR, rows, async (tx) => {
        const unknown = await tx.query<{ customer_id: string }>(UNKNOWN_CUSTOMERS);
        if (unknown.length > 0) await tx.query(DROP_UNKNOWN);
        return unknown.map((r) => r.customer_id);
      });
      const unknown = new Set(unknownCustomers);
      const written =
        unknown.size === 0 ? rows.length : rows.filter((r) => !unknown.has(r.customerId)).length;
      return { written, unknownCustomers };
    },
    async upsertSpend(rows) {
      if (rows.length > 0) await upsert(run, SPEND, rows, nothing);
      return rows.length;
    },
  };
}

/**
 * A RevOps import applied all at once (issue 17), as the funnel's (records-repository.ts beginImport):
 * every batch inside one transaction that also records the run's result, so a digest or view read
 * meanwhile sees the table before the import or after it, never part of a file. The import lock keeps a
 * second import (funnel or RevOps) out meanwhile; the run is leased, so a killed process's run is failed
 * at the next start.
 */
async function beginImport(db: Db, run: ImportRunStart): Promise<RevopsImport> {
  const lease = await startRun(db, run, { importLock: true });
  let held: HeldTransaction;
  try {
    held = await holdTransaction(db);
    await probeByKey(held.tx);
  } catch (e) {
    await lease.release();
    throw e;
  }
  const { tx } = held;
  const { run: runner, settled } = insideImport(tx);
  return {
    runId: lease.runId,
    writes: batchWrites(runner),
    async commit(result) {
      try {
        await settled();
        if (!(await writeRunResult(tx, lease.runId, result)))
          throw new Error(`import run ${lease.runId} was marked failed while it ran (its lease was lost)`);
        await held.end(true);
      } catch (e) {
        await held.end(false).catch(() => {});
        throw e;
      } finally {
        await lease.release();
      }
    },
    async abort(result) {
      try {
        await settled();
        await held.end(false).catch(() => {});
        await db.transaction((t) => writeRunResult(t, lease.runId, { ...result, imported: 0 }));
      } finally {
        await lease.release();
      }
    },
  };
}

export function revopsWrites(db: Db): RevopsWrites {
  return {
    ...batchWrites(ownTransaction(db)),
    beginImport: (run) => beginImport(db, run),
    async analyze(kind) {
      // Outside the batches' transactions. ANALYZE reads a sample of 300 × default_statistics_target
      // (30,000) rows, so its cost is bounded by the sample, not by the table's size.
      await db.query(`ANALYZE ${TABLE_OF[kind]}`);
    },
  };
}
