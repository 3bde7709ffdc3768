import type { Db, Sql } from './client.ts';

/**
 * How the RevOps upserts (revops-writes.ts) run a batch: in a transaction of its own, or under a savepoint
 * of an import's held transaction (issue 17: an import applied all at once).
 */

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === '23505';

/** Runs one batch's statements: in a transaction of its own, or inside an import's held transaction. */
export type BatchRunner = <R>(fn: (tx: Sql) => Promise<R>) => Promise<R>;

/** Each batch in a transaction of its own (writes outside an import: tests, the demo's seeding). */
export const ownTransaction =
  (db: Db): BatchRunner =>
  async (fn) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction(async (tx) => {
          // As in records-repository.ts: a lost batch after a server crash is restored by re-importing.
          await tx.query('SET LOCAL synchronous_commit = off');
          await probeByKey(tx);
          return await fn(tx);
        });
      } catch (e) {
        if (!isUniqueViolation(e) || attempt >= 3) throw e;
      }
    }
  };

/**
 * A batch is small next to the table, so the upsert probes the key per staged row rather than hash the
 * table.
 */
export async function probeByKey(tx: Sql): Promise<void> {
  await tx.query('SET LOCAL enable_hashjoin = off');
  await tx.query('SET LOCAL enable_mergejoin = off');
}

/**
 * Each batch under a savepoint of the import's transaction, so a unique violation (a concurrent writer
 * inserting one of the same new keys) is retried on the UPDATE path without losing the batches before it.
 * Batches run one after another on the transaction's connection.
 */
export function insideImport(tx: Sql): { run: BatchRunner; settled(): Promise<void> } {
  let chain: Promise<unknown> = Promise.resolve();
  const run: BatchRunner = (fn) => {
    const batch = chain.then(async () => {
      for (let attempt = 1; ; attempt++) {
        await tx.query('SAVEPOINT batch');
        try {
          const r = await fn(tx);
          await tx.query('RELEASE SAVEPOINT batch');
          return r;
        } catch (e) {
          if (!isUniqueViolation(e) || attempt >= 3) throw e;
          await tx.query('ROLLBACK TO SAVEPOINT batch');
        }
      }
    });
    chain = batch.catch(() => {});
    return batch;
  };
  return { run, settled: () => chain.then(() => {}) };
}
