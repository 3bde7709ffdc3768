import { crashPoint } from '../../app/import/crash-points.ts';
import type {
  ImportRunResult,
  ImportRunStart,
  RecordImport,
  RecordRepository,
} from '../../app/records/ports.ts';
import type { ScannableRecord } from '../../domain/records/record.ts';
import { detach, interner } from '../../shared/detach.ts';
import type { Db, Sql } from './client.ts';
import { encodeRecordLine } from './copy.ts';
import { forEachCopyRow } from './copy-out.ts';
import { type HeldTransaction, holdTransaction } from './held-transaction.ts';
import { writeRunResult } from './import-runs-repository.ts';
import { epochMs } from './instants.ts';
import { startRun } from './run-leases.ts';

const RECORD_COLUMNS = [
  'id',
  'type',
  'name',
  'email_hash',
  'domain',
  'company',
  'source',
  'region',
  'owner',
  'stage',
  'created_at',
  'last_touch_at',
  'next_step',
  'value_cents',
  'notes',
] as const;

const DATA_COLUMNS = RECORD_COLUMNS.filter((c) => c !== 'id');

const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS records_stage (${RECORD_COLUMNS.map((c) => `${c} text`).join(', ')})
  ON COMMIT DELETE ROWS`;

/** Staged text → typed values, in RECORD_COLUMNS order. */
const TYPED: Record<string, string> = {
  created_at: 's.created_at::timestamptz',
  last_touch_at: 's.last_touch_at::timestamptz',
  value_cents: 's.value_cents::bigint',
};
const staged = (c: string) => TYPED[c] ?? `s.${c}`;

const UPDATE_FROM_STAGE = `
  UPDATE records r SET ${DATA_COLUMNS.map((c) => `${c} = ${staged(c)}`).join(', ')}, updated_at = now()
  FROM records_stage s
  WHERE r.id = s.id
    AND (${DATA_COLUMNS.map((c) => `r.${c}`).join(', ')}) IS DISTINCT FROM (${DATA_COLUMNS.map(staged).join(', ')})`;

/*
 * New ids first, then the stored ones that changed; the UPDATE is skipped when the INSERT took every staged
 * row (none was stored). Whoever else may insert an id meanwhile (a CRM sync, another replica) decides the
 * INSERT's form:
 *
 * - An import holds the records write lock (RECORDS_WRITE_LOCK) exclusively for its one transaction, and
 *   every other writer of records takes it shared: nobody can insert one of its new ids meanwhile, so a
 *   plain INSERT of the ids not stored is safe. (ON CONFLICT's speculative insertion cost 0.90 → 1.26 s
 *   for 200k new rows, psql, quiet host.) A CRM page arriving during an import waits for its commit and
 *   then applies on top: the CRM's value is the later one.
 * - The other writers (upsertMany: CRM sync pages) share the lock with each other, so they keep
 *   ON CONFLICT DO NOTHING: it waits for a concurrent insert of the same id and skips the row, and the
 *   UPDATE that follows (a new statement, so it sees that row) applies the batch's values to it.
 *
 * No savepoint either way, which matters inside an import's one transaction: past 64 subtransactions
 * PostgreSQL's snapshots overflow to pg_subtrans, and a concurrent full read of records was measured
 * 1.7–2.2× slower (a 1M-row table, 100 released savepoints against 10).
 */
const insertFromStage = (onConflict: boolean) => `
  WITH ins AS (
    INSERT INTO records (${RECORD_COLUMNS.join(', ')})
    SELECT ${RECORD_COLUMNS.map(staged).join(', ')} FROM records_stage s
    WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = s.id)${onConflict ? '\n    ON CONFLICT (id) DO NOTHING' : ''}
    RETURNING 1)
  SELECT count(*)::int AS n FROM ins`;
const INSERT_NEW = insertFromStage(false);
const INSERT_NEW_OR_SKIP = insertFromStage(true);

/** Advisory key (two ints) of the records write lock: an import's exclusively, every other writer's shared. */
export const RECORDS_WRITE_LOCK = [0x1eac19, 0] as const;

/** Projection for scanning: only what the rules, pricing and rendering read (also the bench's read ceiling). */
export const LOAD_SCANNABLE = `
  SELECT id, type, name, domain, region, owner, stage, next_step,
         ${epochMs('created_at')},
         ${epochMs('last_touch_at')},
         value_cents::float8
  FROM records`;

/**
 * Rows arrive as COPY text (copy-out.ts: no per-row work in the driver) and become records through one
 * object literal, so all million share a single hidden class (driver-built row objects are megamorphic,
 * and the rules ran ~10× slower on them). Numbers are float8 text, which `Number` reads exactly as the
 * drivers' parsers did.
 */
async function loadScannable(sql: Sql): Promise<ScannableRecord[]> {
  const out: ScannableRecord[] = [];
  // Columns that repeat across records are shared (shared/detach.ts interner), one string per value:
  // 1M records of bench/generate.ts held 382 MB of heap with each field copied, 265 MB with these shared.
  const [type, domain, region, owner, stage, nextStep] = [
    interner(),
    interner(),
    interner(),
    interner(),
    interner(),
    interner(),
  ];
  // Names repeat less (people) but still often (companies on deals): a larger table before giving up.
  const name = interner(65_536);
  const onRow = (r: (string | null)[]) => {
    const lastTouch = r[9];
    // Detached: a field is a slice of its ~1 MiB COPY chunk and would keep every chunk alive (shared/detach.ts).
    out.push({
      id: detach(r[0] as string),
      type: type(r[1] as string) as ScannableRecord['type'],
      name: name(r[2] as string),
      domain: domain(r[3] as string),
      region: region(r[4] as string),
      owner: owner(r[5] as string),
      stage: stage(r[6] as string),
      nextStep: nextStep(r[7] as string),
      createdAtMs: Number(r[8]),
      lastTouchAtMs: lastTouch === null ? null : Number(lastTouch),
      valueCents: Number(r[10]),
    });
  };
  await sql.copyOut(LOAD_SCANNABLE, (text) => forEachCopyRow(text, onRow));
  return out;
}

/**
 * One batch of `count` rows into `records` on `tx`: stage it (COPY), INSERT the new ids, UPDATE the stored
 * ones that changed. `exclusive`: the caller holds RECORDS_WRITE_LOCK exclusively (an import).
 */
async function writeBatch(tx: Sql, lines: string, count: number, exclusive: boolean): Promise<void> {
  // A batch is small next to the table: probe the primary key per staged row. Left alone the
  // planner hashes the whole records table for every batch, so an import slows as it grows.
  await tx.query('SET LOCAL enable_hashjoin = off');
  await tx.query('SET LOCAL enable_mergejoin = off');
  await tx.query(CREATE_STAGE);
  await tx.query('TRUNCATE records_stage');
  await tx.copyIn('records_stage', RECORD_COLUMNS, [lines]);
  const [ins] = await tx.query<{ n: number }>(exclusive ? INSERT_NEW : INSERT_NEW_OR_SKIP);
  if ((ins?.n ?? 0) < count) await tx.query(UPDATE_FROM_STAGE);
}

/** Takes RECORDS_WRITE_LOCK for the rest of `tx`. PGlite runs one transaction at a time: nothing to exclude. */
async function lockRecordWrites(db: Db, tx: Sql, mode: 'exclusive' | 'shared'): Promise<void> {
  if (db.kind !== 'postgres') return;
  const fn = mode === 'exclusive' ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
  await tx.query(`SELECT ${fn}($1, $2)`, [...RECORDS_WRITE_LOCK]);
}

/**
 * An import applied all at once (ports.ts RecordImport): every batch is upserted inside one transaction,
 * so nobody sees a row of it before the commit, which also writes the run's result. The records import
 * lock keeps a second import out meanwhile (startRun).
 *
 * Why one transaction rather than a staging table applied at the end: the batches are applied as they
 * arrive, on the server, while the next ones are parsed, so nothing is left to do at the end but COMMIT;
 * applying a whole staged file at the end would add its full UPDATE/INSERT time after parsing. Batches run
 * one after another on the transaction's one connection (the caller may queue a second meanwhile).
 * Row locks on updated records are held until the commit: a fix applied to one of them meanwhile waits,
 * and so does any other writer of records (the records write lock, above).
 */
async function beginImport(db: Db, run: ImportRunStart): Promise<RecordImport> {
  const lease = await startRun(db, run, { importLock: true });
  // The commit waits for its WAL flush (synchronous_commit stays on): it is one flush per import, and an
  // import reported done must survive a crash. (On PGlite, whose database dies with the process, an
  // unflushed commit was measured lost to a SIGKILL right after it.)
  let held: HeldTransaction;
  try {
    held = await holdTransaction(db);
  } catch (e) {
    await lease.release();
    throw e;
  }
  try {
    await lockRecordWrites(db, held.tx, 'exclusive');
  } catch (e) {
    await held.end(false).catch(() => {});
    await lease.release();
    throw e;
  }
  const { tx } = held;
  let chain: Promise<unknown> = Promise.resolve();
  const settled = () => chain.catch(() => {});
  return {
    runId: lease.runId,
    write(lines, count) {
      const written = chain.then(async () => {
        if (count === 0) return 0;
        await writeBatch(tx, lines, count, true);
        await crashPoint('import:batch');
        return count;
      });
      chain = written;
      return written;
    },
    async commit(result: ImportRunResult) {
      try {
        await settled();
        if (!(await writeRunResult(tx, lease.runId, result)))
          throw new Error(`import run ${lease.runId} was marked failed while it ran (its lease was lost)`);
        await crashPoint('import:before-commit');
        await held.end(true);
      } catch (e) {
        await held.end(false).catch(() => {});
        throw e;
      } finally {
        await lease.release();
      }
    },
    async abort(result: ImportRunResult) {
      try {
        await settled();
        await held.end(false).catch(() => {});
        // Nothing of it was applied: the run says so.
        await db.transaction((t) => writeRunResult(t, lease.runId, { ...result, imported: 0 }));
      } finally {
        await lease.release();
      }
    },
  };
}

export function recordRepository(db: Db): RecordRepository {
  /**
   * Upsert in bulk: COPY the batch into a staging table, then one INSERT for new ids and one joined UPDATE
   * for stored ids (only rows whose data changed are rewritten). Measured on PostgreSQL 15 this runs ~2×
   * faster than INSERT … ON CONFLICT DO UPDATE, whose speculative insertion costs as much again.
   *
   * The staging table is all text with no constraints, so the COPY itself cannot fail on data: every
   * cast and check happens in the INSERT/UPDATE, where errors surface normally. (postgres.js 3.4 never
   * settles a COPY writable whose server side fails — porsager/postgres#1173 — which would hang the
   * transaction and leak its connection.)
   */
  const upsertLines = async (lines: string, count: number): Promise<number> => {
    if (count === 0) return 0;
    await db.transaction(async (tx) => {
      // A bulk write need not wait for its WAL flush: if the server crashes, re-running the
      // (idempotent, upsert-by-id) write restores every row.
      await tx.query('SET LOCAL synchronous_commit = off');
      await lockRecordWrites(db, tx, 'shared');
      await writeBatch(tx, lines, count, false);
    });
    return count;
  };
  return {
    upsertMany: (rows) => upsertLines(rows.map(encodeRecordLine).join(''), rows.length),
    /** Lines encoded by encodeRecordLine: an import encodes them on its parsing thread. */
    upsertLines,
    beginImport: (run) => beginImport(db, run),
    loadAll: () => loadScannable(db),
    async count() {
      const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM records');
      return r[0]?.n ?? 0;
    },
  };
}
