import { Gauge, type Registry } from 'prom-client';
import type { Log } from '../../shared/log.ts';

/** The outbox as a scrape reads it from the jobs table (composition/observability.ts does the reading). */
export interface OutboxFigures {
  pending: number;
  done: number;
  failed: number;
  /** Seconds the oldest undelivered job has waited; 0 when none waits. */
  oldestPendingAgeSeconds: number;
}

/** A scrape must answer within Prometheus's timeout (10 s by default) even when the database hangs. */
export const OUTBOX_READ_TIMEOUT_MS = 2_000;
/** Both gauges are collected in one scrape: they share one read made within this long. */
const SHARE_READ_MS = 1_000;

const STATES = ['pending', 'done', 'failed'] as const;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`outbox read timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `leak_outbox_jobs{state}` and `leak_outbox_oldest_pending_age_seconds`, read when scraped (prom-client
 * collect callbacks), not kept up to date by every enqueue: replicas share one outbox, and the table is
 * the truth. A read that fails or times out is logged and leaves the figures unknown: neither gauge has
 * a series in that scrape (`absent()` finds it; a threshold never matches), rather than a stale figure or
 * a made-up 0; so before `watch` is called. (prom-client writes NaN as `Nan`, hence absent, not NaN.)
 */
export function outboxGauges(registers: Registry[]) {
  let read: (() => Promise<OutboxFigures>) | undefined;
  let log: Log | undefined;
  let last: { at: number; figures: Promise<OutboxFigures | null> } | undefined;

  const snapshot = (): Promise<OutboxFigures | null> => {
    const now = Date.now();
    if (last && now - last.at < SHARE_READ_MS) return last.figures;
    const figures = read
      ? withTimeout(read(), OUTBOX_READ_TIMEOUT_MS).catch((err: unknown) => {
          log?.warn({ err }, 'metrics: outbox figures could not be read');
          return null;
        })
      : Promise.resolve(null);
    last = { at: now, figures };
    return figures;
  };

  const jobs: Gauge<'state'> = new Gauge({
    name: 'leak_outbox_jobs',
    help: 'Outbox jobs by state (pending: not delivered yet; failed: given up; done: kept a week)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const f = await snapshot();
      jobs.reset();
      if (f) for (const state of STATES) jobs.set({ state }, f[state]);
    },
  });
  const age: Gauge = new Gauge({
    name: 'leak_outbox_oldest_pending_age_seconds',
    help: 'Seconds the oldest undelivered outbox job has waited (0: none waits)',
    registers,
    async collect() {
      const f = await snapshot();
      if (f) age.set(f.oldestPendingAgeSeconds);
      else age.remove();
    },
  });

  return {
    watch(r: () => Promise<OutboxFigures>, l: Log) {
      read = r;
      log = l;
      last = undefined;
    },
  };
}
