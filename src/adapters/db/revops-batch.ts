/**
 * Batching of the RevOps reads (revops-reads.ts): the report asks for its current and its previous period
 * in the same tick (app/revops/report.ts starts both with Promise.all), and most of a read's cost is the
 * pass over the table, not the period. So the calls of one tick that share a key (the same slices) are
 * answered by one call of `run` with all their filters, which reads the table once for all of them. A
 * lone call runs alone (a batch of one). The port stays per period: the fakes and the use cases do not
 * know about the batching.
 */
import type { RevopsFilter } from '../../domain/revops/types.ts';

interface Pending<Q, A> {
  q: Q;
  resolve: (a: A) => void;
  reject: (e: unknown) => void;
}

/**
 * read(q), batching the calls of one tick by `key(q)`: `run` gets each group's questions in call order
 * and answers one result per question, in the same order.
 */
export function batchedByTick<Q, A>(
  key: (q: Q) => string,
  run: (questions: readonly Q[]) => Promise<A[]>,
): (q: Q) => Promise<A> {
  let queue: Pending<Q, A>[] | null = null;
  const flush = (batch: readonly Pending<Q, A>[]) => {
    const groups = new Map<string, Pending<Q, A>[]>();
    for (const p of batch) {
      const k = key(p.q);
      const group = groups.get(k);
      if (group) group.push(p);
      else groups.set(k, [p]);
    }
    for (const group of groups.values()) {
      // run() is called inside the promise chain so a synchronous throw rejects the group, not the tick.
      Promise.resolve()
        .then(() => run(group.map((p) => p.q)))
        .then(
          (results) => {
            for (const [k, p] of group.entries()) p.resolve(results[k]!);
          },
          (e) => {
            for (const p of group) p.reject(e);
          },
        );
    }
  };
  return (q) =>
    new Promise<A>((resolve, reject) => {
      if (queue === null) {
        const batch: Pending<Q, A>[] = [];
        queue = batch;
        queueMicrotask(() => {
          queue = null;
          flush(batch);
        });
      }
      queue.push({ q, resolve, reject });
    });
}

/** The slices of a filter (everything but the period), as a batch key. */
export const slicesKey = (f: RevopsFilter): string =>
  JSON.stringify([f.segment ?? null, f.owner ?? null, f.channel ?? null]);
