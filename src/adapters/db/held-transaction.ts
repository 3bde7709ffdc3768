import type { Db, Sql } from './client.ts';

/** A transaction kept open until end() (holdTransaction): an import's, or a run's lease (run-leases.ts). */
export interface HeldTransaction {
  /** The transaction; once its connection is lost every call rejects with that error, sending nothing. */
  readonly tx: Sql;
  /** Commits (true) or rolls back; after a lost connection, commit rejects and rollback does nothing. */
  end(commit: boolean): Promise<void>;
}

/**
 * A transaction kept open across calls: db.transaction() runs a callback, so the callback waits for end().
 *
 * postgres.js 3.4.9 crashes the process (an uncaught TypeError from a timer, porsager/postgres#1208) when
 * a statement is sent on a transaction whose connection has closed — its own ROLLBACK included. It does
 * reject the transaction at once when the connection closes, so that is watched: from then on nothing is
 * sent on it (the server has rolled it back already), and the callback is left pending, which holds
 * nothing once the connection is gone.
 */
export async function holdTransaction(db: Db): Promise<HeldTransaction> {
  let finish!: (commit: boolean) => void;
  const ended = new Promise<boolean>((r) => {
    finish = r;
  });
  let got!: (tx: Sql) => void;
  const ready = new Promise<Sql>((r) => {
    got = r;
  });
  const rollback = new Error('rolled back');
  let lost: { error: unknown } | undefined;
  const done = db.transaction(async (tx) => {
    got(tx);
    if (!(await ended)) throw rollback;
  });
  done.catch((e: unknown) => {
    if (e !== rollback) lost ??= { error: e };
  });
  const early = done.then(() => {
    throw new Error('transaction ended before use');
  });
  early.catch(() => {});
  const raw = await Promise.race([ready, early]);
  // A lease's transaction idles for the whole run: a server-wide idle-in-transaction timeout must not end it.
  const end = async (commit: boolean): Promise<void> => {
    // A statement that failed because the connection closed rejects a few microtasks before the
    // transaction does: one turn of the event loop lets `lost` catch up before anything is sent.
    await new Promise((r) => setImmediate(r));
    if (lost) {
      if (commit) throw lost.error;
      return;
    }
    finish(commit);
    if (commit) await done;
    else
      await done.catch((e: unknown) => {
        if (e !== rollback) throw e;
      });
  };
  if (db.kind === 'postgres')
    await raw.query('SET LOCAL idle_in_transaction_session_timeout = 0').catch(async (e: unknown) => {
      await end(false).catch(() => {});
      throw e;
    });
  const alive = <T>(call: () => Promise<T>): Promise<T> => (lost ? Promise.reject(lost.error) : call());
  const tx: Sql = {
    query: (text, params) => alive(() => raw.query(text, params)),
    queryArrays: (text, params) => alive(() => raw.queryArrays(text, params)),
    exec: (script) => alive(() => raw.exec(script)),
    copyIn: (table, columns, lines) => alive(() => raw.copyIn(table, columns, lines)),
    copyOut: (query, onText) => alive(() => raw.copyOut(query, onText)),
  };
  return { tx, end };
}
