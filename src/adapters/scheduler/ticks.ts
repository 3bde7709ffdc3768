import { type Logger as CronLogger, createTask } from 'node-cron';
import type { Logger } from 'pino';

/**
 * Where a scheduled job's fires come from. Production reads the wall clock through node-cron; tests hand
 * the scheduler a source they tick by hand, so no test waits for a real second to pass.
 */
export interface TickSource {
  /**
   * Calls `onTick(slotMs)` at each instant `cron` matches in `timezone`, once started. What onTick returns
   * (the run's promise) is handed back to the timer, which node-cron uses to tell when an execution ends.
   */
  schedule(spec: TickSpec, onTick: (slotMs: number) => unknown): Ticker;
}

export interface TickSpec {
  name: string;
  cron: string;
  timezone: string;
}

export interface Ticker {
  start(): void;
  /** Stops the timer for good; no tick arrives after it resolves. */
  stop(): Promise<void>;
}

/** node-cron's own messages (a missed execution under a blocked event loop) go to the same pino root. */
const cronLogger = (log: Logger, job: string): CronLogger => ({
  info: (m) => log.info({ job }, m),
  warn: (m) => log.warn({ job }, m),
  error: (m, err) =>
    log.error({ job, err: m instanceof Error ? m : err }, m instanceof Error ? m.message : m),
  debug: (m) => log.debug({ job }, m instanceof Error ? m.message : m),
});

/** Ticks from node-cron timers on the process clock. */
export function cronTicks(log: Logger): TickSource {
  return {
    schedule(spec, onTick) {
      const task = createTask(
        spec.cron,
        // ctx.date is the scheduled instant node-cron matched, not when the callback happened to run.
        (ctx) => onTick(ctx.date.getTime()),
        { name: spec.name, timezone: spec.timezone, logger: cronLogger(log, spec.name) },
      );
      return {
        start: () => void task.start(),
        // destroy() also stops the timer and drops the task from node-cron's process-wide registry.
        stop: async () => {
          await task.destroy();
        },
      };
    },
  };
}
