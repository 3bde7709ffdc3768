import type { Log } from '../../shared/log.ts';
import { DeliveryError, type Job, type JobKind, type JobQueue } from './ports.ts';

/** How failed deliveries are spaced; injectable so tests drive retries without waiting them out. */
export interface RetryPolicy {
  /** The wait after a failure without a Retry-After, by the job's attempt count. */
  backoffMs(attempts: number): number;
  /**
   * The delay actually asked of the queue for a wanted one (a backoff, Slack's Retry-After, a wait for
   * another job). Production keeps it; a test may answer 0 so that every retry is due at once.
   */
  delayMs(wantedMs: number): number;
}

/** What the delivery loop itself needs; each job kind's handler needs more (delivery/handlers.ts). */
export interface OutboxDeps {
  jobs: JobQueue;
  log: Log;
  /** Defaults to DEFAULT_RETRY: exponential backoff, Retry-After honoured as given. */
  retry?: RetryPolicy;
}

/** Lease on a claimed job: long enough for a channel's whole setup, short enough to recover a crash. */
export const LEASE_MS = 120_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Exponential backoff for failures without a Retry-After: 2 s, 4 s … capped at 5 minutes. */
export const backoffMs = (attempts: number): number =>
  Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(1, attempts));

export const DEFAULT_RETRY: RetryPolicy = { backoffMs, delayMs: (wantedMs) => wantedMs };

/**
 * Every job kind's delivery, one handler per kind, each given the worker's dependencies `D`. A total
 * record: a kind added to JobPayloads without a handler does not compile. The table itself lives in
 * delivery/handlers.ts, which may import every noun; this folder imports none, so no noun's folder and
 * the outbox import each other.
 */
export type JobHandlers<D> = { [K in JobKind]: (deps: D, job: Job<K>) => Promise<void> };

// Generic in K so that the handler looked up by the job's kind accepts that very job.
const runJob = <D, K extends JobKind>(handlers: JobHandlers<D>, deps: D, kind: K, job: Job<K>) =>
  handlers[kind](deps, job);

/**
 * Claims due jobs and delivers them, oldest first. Transient failures (rate limits, 5xx, network) are
 * retried later, after Slack's Retry-After when it gave one; nothing transient ever gives up, so an outage
 * delays messages and loses none. Returns how many jobs it handled.
 */
export async function deliverDueWith<D extends OutboxDeps>(
  handlers: JobHandlers<D>,
  deps: D,
  batch = 20,
): Promise<number> {
  const jobs = await deps.jobs.claim(batch, LEASE_MS);
  for (const job of jobs) {
    // Bug fix: the batch is claimed at once but run one job after the other, so with Slack slow the leases
    // of the last jobs lapsed before this worker reached them; another replica claimed and delivered them,
    // and this worker then delivered them again from its stale claim (a second page, a second DM). Each
    // job's lease is renewed just before it runs, and a job claimed elsewhere meanwhile is left alone.
    if (!(await deps.jobs.renew(job, LEASE_MS))) continue;
    try {
      await runJob(handlers, deps, job.kind, job);
      await deps.jobs.complete(job);
    } catch (err) {
      await settleFailure(deps, job, err);
    }
  }
  return jobs.length;
}

async function settleFailure(deps: OutboxDeps, job: Job, err: unknown): Promise<void> {
  const fields = { job_id: job.id, kind: job.kind, key: job.key, attempts: job.attempts };
  if (err instanceof DeliveryError && err.permanent) {
    deps.log.error({ ...fields, code: err.code }, 'delivery failed permanently');
    await deps.jobs.fail(job, err.code);
    return;
  }
  const retry = deps.retry ?? DEFAULT_RETRY;
  const wanted =
    err instanceof DeliveryError && err.retryAfterMs !== undefined
      ? err.retryAfterMs
      : retry.backoffMs(job.attempts);
  const delay = retry.delayMs(wanted);
  const code = err instanceof DeliveryError ? err.code : 'unexpected';
  // `retry_in_ms` is the wait the policy decided (Slack's Retry-After, or the backoff); a test policy that
  // shortens it adds what the queue was really asked for, so the log still shows the decision.
  const timing = { retry_in_ms: wanted, ...(delay !== wanted ? { queued_in_ms: delay } : {}) };
  // A bug (not a DeliveryError) is logged loudly but still retried: the side effect must not be lost.
  if (err instanceof DeliveryError) deps.log.warn({ ...fields, code, ...timing }, 'delivery deferred');
  else deps.log.error({ ...fields, err, ...timing }, 'delivery failed unexpectedly');
  await deps.jobs.retry(job, delay, code);
}
