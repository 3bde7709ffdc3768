import type { JobKind, JobPayloads, NewJob, OutboxTx } from './ports.ts';

/**
 * Writes a side effect to the outbox inside the caller's transaction (ARCHITECTURE.md habit 10), typed by
 * kind: the payload must be the one JobPayloads names for it. The key is natural: the same key enqueued
 * again re-arms the one job instead of adding a second.
 */
export function enqueue<K extends JobKind>(
  tx: OutboxTx,
  kind: K,
  payload: JobPayloads[K],
  key: string,
  incidentId: string | null = null,
): Promise<void> {
  const job: NewJob<K> = { kind, key, incidentId, payload };
  // Sound: NewJob<K> is one member of the NewJob union, but the compiler does not widen a generic mapped
  // union to the full one, so the widening is spelled out (the only cast on the way in).
  return tx.enqueue(job as NewJob);
}
