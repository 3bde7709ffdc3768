import type { Db, Sql } from './client.ts';

/**
 * How the RevOps upserts (revops-writes.ts) run a batch: in a transaction of its own, or inside an import's
 * held transaction (issue 17: an import applied all at once). A batch cannot fail on a key a concurrent
 * writer inserted (its INSERT skips conflicts, its UPDATE then applies them), so neither retries.
 */

/** Runs one batch's statements: in a transaction of its own, or inside an import's held transaction. */
export type BatchRunner = <R>(fn: (tx: Sql) => Promise<R>) => Promise<R>;

/** Each batch in a transaction of its own (writes outside an import: tests, the demo's seeding). */
export const ownTransaction =
  (db: Db): BatchRunner =>
  (fn) =>
    db.transaction(async (tx) => {
      // As in records-repository.ts: a lost batch after a server crash is restored by re-importing.
      await tx.query('SET LOCAL synchronous_commit = off');
      await probeByKey(tx);
      return await fn(tx);
    });

/**
 * A batch is small next to the table, so the upsert probes the key per staged row rather than hash the
 * table.
 */
export async function probeByKey(tx: Sql): Promise<void> {
  await tx.query('SET LOCAL enable_hashjoin = off');
  await tx.query('SET LOCAL enable_mergejoin = off');
}

/**
 * Each batch inside the import's transaction, one after another on its connection; no savepoints, so a
 * long import never overflows PostgreSQL's 64 cached subtransactions (records-repository.ts).
 */
export function insideImport(tx: Sql): { run: BatchRunner; settled(): Promise<void> } {
  let chain: Promise<unknown> = Promise.resolve();
  const run: BatchRunner = (fn) => {
    const batch = chain.then(() => fn(tx));
    chain = batch.catch(() => {});
    return batch;
  };
  return { run, settled: () => chain.then(() => {}) };
}
