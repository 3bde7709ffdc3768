import type { Log } from '../app/context.ts';

/**
 * Work that a request asks for but must not wait on (parsing a webhook delivery after it is stored): a
 * nudge starts a run unless one is running, and a nudge during a run asks for one more run after it, so
 * a burst of nudges costs at most two runs. `idle()` waits for the current run (shutdown, tests).
 */
export interface CoalescingRunner {
  nudge(): void;
  idle(): Promise<void>;
}

export function coalescingRunner(run: () => Promise<unknown>, log: Log, what: string): CoalescingRunner {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      try {
        await run();
      } catch (err) {
        log.error({ err }, `${what} failed`);
      }
    } while (again);
    running = null;
  };
  return {
    nudge() {
      if (running) again = true;
      else running = loop();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
