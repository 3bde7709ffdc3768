import { validateDetailed } from 'node-cron';
import type { Logger } from 'pino';
import type { RunCoordinator } from '../../app/schedule/ports.ts';
import { type FailureEpisodes, failureEpisodes } from '../../shared/failure-episodes.ts';
import { cronTicks, type Ticker, type TickSource } from './ticks.ts';

/**
 * The uniform job runner: every scheduled job (the scan every 15 minutes, the pager tick every minute,
 * nightly jobs) fires through the same path, so each one gets the same guarantees and the same log lines:
 *
 * - one fire runs once across replicas: the RunCoordinator claims (job, slot) and refuses while a run of
 *   the job is still going on any replica;
 * - a run still going in this process makes the next fire skip (a warn line), before touching the
 *   database, so a slow job never piles up behind itself;
 * - a failing job is logged with its error and never escapes: a cron callback that throws would become
 *   an unhandled rejection and take the process down.
 */
export interface ScheduledJob {
  /** Unique; also the key of the slot claim and of the advisory lock. */
  name: string;
  /** node-cron expression: 5 fields, or 6 with seconds first. */
  cron: string;
  /** IANA zone the expression is read in ('UTC', 'Europe/Berlin'). */
  timezone: string;
  run: () => Promise<void>;
}

export type FireOutcome = 'ran' | 'claimed_elsewhere' | 'busy' | 'skipped_running';

export interface Scheduler {
  start(): void;
  /** Stops the timers, then waits (bounded) for runs in progress. */
  stop(): Promise<void>;
  /** Fires `name` now, or for the fire time `slotMs`; never rejects for a job's own failure. */
  fire(name: string, slotMs?: number): Promise<FireOutcome>;
}

export interface SchedulerDeps {
  log: Logger;
  coordinator: RunCoordinator;
  now?: () => number;
  /** Where fires come from once started; node-cron on the process clock unless a test brings its own. */
  ticks?: TickSource;
  /** How long stop() waits for runs in progress; 30 s fits inside a container's usual grace period. */
  stopTimeoutMs?: number;
}

const DEFAULT_STOP_TIMEOUT_MS = 30_000;

function validateJobs(jobs: readonly ScheduledJob[]): void {
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.name)) throw new Error(`scheduled job "${job.name}" is defined twice`);
    seen.add(job.name);
    const v = validateDetailed(job.cron);
    if (!v.valid)
      throw new Error(
        `scheduled job "${job.name}" has an invalid cron expression "${job.cron}": ` +
          v.errors.map((e) => e.message).join('; '),
      );
    try {
      // node-cron would only fail on its first tick; Intl rejects an unknown zone right away.
      new Intl.DateTimeFormat('en-US', { timeZone: job.timezone });
    } catch {
      throw new Error(`scheduled job "${job.name}" has an unknown timezone "${job.timezone}"`);
    }
  }
}

/** What one run needs from the scheduler around it. */
interface RunContext {
  log: Logger;
  coordinator: RunCoordinator;
  now: () => number;
  /**
   * Each job's failures as episodes: a job failing at every fire (the database is down) logs when it
   * starts failing, when the error changes, and when it runs again; not once a minute.
   */
  failures(job: string): FailureEpisodes;
}

const SKIP_MESSAGES: Record<Exclude<FireOutcome, 'ran' | 'skipped_running'>, string> = {
  claimed_elsewhere: 'scheduled run skipped: claimed by another replica',
  busy: 'scheduled run skipped: another replica is still running it',
};

/** One claimed run of `job` for `slot`, logged; the job's failure is logged and never rejects. */
async function execute(
  ctx: RunContext,
  job: ScheduledJob,
  slot: string,
  slotMs: number,
): Promise<FireOutcome> {
  const { log, coordinator, now } = ctx;
  const started = now();
  try {
    const outcome = await coordinator.runOnce(job.name, slotMs, job.run);
    const fields = { job: job.name, slot, outcome, elapsed_ms: now() - started };
    ctx.failures(job.name).succeeded({ job: job.name, slot });
    if (outcome === 'ran') log.info(fields, 'scheduled run finished');
    else log.info(fields, SKIP_MESSAGES[outcome]);
    return outcome;
  } catch (e) {
    // The job's error (already recorded as failed by the coordinator) or the coordinator's own, e.g.
    // the database is down. Either way: log it (once per episode) and wait for the next fire.
    ctx.failures(job.name).failed(e, { job: job.name, slot, outcome: 'failed', elapsed_ms: now() - started });
    return 'ran';
  }
}

/** Waits for this process's runs in progress, at most `timeoutMs`, and says so when some are left. */
async function waitForRuns(log: Logger, running: ReadonlyMap<string, Promise<unknown>>, timeoutMs: number) {
  if (running.size === 0) return;
  log.info(
    { jobs: [...running.keys()], timeout_ms: timeoutMs },
    'scheduler stopping: waiting for runs in progress',
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const settled = Promise.allSettled([...running.values()]).then(() => 'settled' as const);
  const result = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout')
    log.warn({ jobs: [...running.keys()], timeout_ms: timeoutMs }, 'scheduler stopped with runs still going');
}

export function createScheduler(deps: SchedulerDeps, jobs: ScheduledJob[]): Scheduler {
  validateJobs(jobs);
  const { log } = deps;
  const now = deps.now ?? Date.now;
  const episodes = new Map<string, FailureEpisodes>();
  const failures = (job: string): FailureEpisodes => {
    const known = episodes.get(job);
    if (known) return known;
    const fresh = failureEpisodes(log, 'scheduled run', now);
    episodes.set(job, fresh);
    return fresh;
  };
  const ctx: RunContext = { log, coordinator: deps.coordinator, now, failures };
  const stopTimeoutMs = deps.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const byName = new Map(jobs.map((j) => [j.name, j]));
  /** This process's runs in progress, by job: the in-process overlap guard and what stop() waits for. */
  const running = new Map<string, Promise<unknown>>();
  const ticks = deps.ticks ?? cronTicks(log);
  let tickers: Ticker[] = [];

  function fire(name: string, slotMs: number = ctx.now()): Promise<FireOutcome> {
    const job = byName.get(name);
    if (!job) return Promise.reject(new Error(`unknown scheduled job "${name}"`));
    // The slot is the fire time to the second, so replicas whose timers differ by milliseconds agree on it.
    const truncated = Math.floor(slotMs / 1000) * 1000;
    const slot = new Date(truncated).toISOString();
    if (running.has(name)) {
      log.warn({ job: name, slot }, 'scheduled run skipped: previous run still going');
      return Promise.resolve('skipped_running');
    }
    // Registered before the first await, so a fire that arrives meanwhile sees it.
    const run = execute(ctx, job, slot, truncated).finally(() => running.delete(name));
    running.set(name, run);
    return run;
  }

  return {
    fire,

    start() {
      if (tickers.length > 0) return;
      tickers = jobs.map((job) => ticks.schedule(job, (slotMs) => fire(job.name, slotMs)));
      for (const t of tickers) t.start();
      log.info(
        { jobs: jobs.map((j) => ({ job: j.name, cron: j.cron, timezone: j.timezone })) },
        'scheduler started',
      );
    },

    async stop() {
      for (const t of tickers) await t.stop();
      tickers = [];
      await waitForRuns(log, running, stopTimeoutMs);
    },
  };
}
