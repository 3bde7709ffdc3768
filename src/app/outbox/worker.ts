import { failureEpisodes } from '../../shared/failure-episodes.ts';
import type { Log } from '../../shared/log.ts';

export interface DeliveryWorker {
  start(): void;
  /** Wakes the worker now (a transaction just enqueued something). */
  nudge(): void;
  /** Delivers until nothing is due (tests, the demo, shutdown). */
  drain(maxRounds?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Polls the outbox every `pollMs`, and at once when nudged. One pass at a time per process; replicas
 * share the queue safely (claims skip jobs another worker holds). `deliver` runs one batch and answers
 * how many jobs it handled (delivery/handlers.ts deliverDue, bound to its dependencies).
 */
export function createOutboxWorker(
  deliver: () => Promise<number>,
  opts: { pollMs: number; log: Log },
): DeliveryWorker {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  // The worker polls every second: a database outage is one line when it starts and one when it ends.
  const episodes = failureEpisodes(opts.log, 'delivery pass');

  const pass = async (): Promise<void> => {
    try {
      while ((await deliver()) > 0 && !stopped) {}
      episodes.succeeded();
    } catch (err) {
      // The database being away is not a reason to stop the worker; the next poll tries again.
      episodes.failed(err);
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
  };
  const tick = () => {
    if (running) {
      again = true;
      return;
    }
    running = pass().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        schedule(0);
      } else schedule(opts.pollMs);
    });
  };

  return {
    start() {
      stopped = false;
      schedule(0);
    },
    nudge() {
      if (!stopped) schedule(0);
    },
    async drain(maxRounds = 50) {
      for (let i = 0; i < maxRounds; i++) if ((await deliver()) === 0) return;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
