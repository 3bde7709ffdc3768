import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createScheduler, type ScheduledJob } from '../../../src/adapters/scheduler/scheduler.ts';
import type { RunCoordinator } from '../../../src/app/schedule-ports.ts';

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
};

/** Runs everything it is asked to, remembering the (job, slot) pairs: the DB adapter is tested elsewhere. */
const runAll = () => {
  const calls: { job: string; slotMs: number }[] = [];
  const coordinator: RunCoordinator = {
    async runOnce(job, slotMs, fn) {
      calls.push({ job, slotMs });
      await fn();
      return 'ran';
    },
  };
  return { coordinator, calls };
};

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

const job = (over: Partial<ScheduledJob> = {}): ScheduledJob => ({
  name: 'scan',
  cron: '*/15 * * * *',
  timezone: 'UTC',
  run: async () => {},
  ...over,
});

const SLOT = Date.UTC(2025, 0, 6, 9, 15, 0);

describe('scheduler', () => {
  it('rejects an invalid cron expression or timezone at construction, naming the job', () => {
    const { log } = capture();
    const { coordinator } = runAll();
    expect(() =>
      createScheduler({ log, coordinator }, [job(), job({ name: 'pager', cron: '61 * * * *' })]),
    ).toThrow(
      /scheduled job "pager" has an invalid cron expression "61 \* \* \* \*": 61 is a invalid expression for minute/,
    );
    expect(() => createScheduler({ log, coordinator }, [job({ cron: 'every minute' })])).toThrow(
      /scheduled job "scan" has an invalid cron expression/,
    );
    expect(() => createScheduler({ log, coordinator }, [job({ timezone: 'Mars/Olympus' })])).toThrow(
      /scheduled job "scan" has an unknown timezone "Mars\/Olympus"/,
    );
    expect(() => createScheduler({ log, coordinator }, [job(), job()])).toThrow(/"scan" is defined twice/);
  });

  it('truncates the slot to the second and logs the outcome with elapsed time', async () => {
    const { log, lines } = capture();
    const { coordinator, calls } = runAll();
    let t = SLOT + 10_000;
    const s = createScheduler({ log, coordinator, now: () => (t += 5) }, [job()]);
    expect(await s.fire('scan', SLOT + 999)).toBe('ran');
    expect(calls).toEqual([{ job: 'scan', slotMs: SLOT }]);
    expect(lines.at(-1)).toMatchObject({
      level: 30,
      msg: 'scheduled run finished',
      job: 'scan',
      slot: '2025-01-06T09:15:00.000Z',
      outcome: 'ran',
      elapsed_ms: 5,
    });
    await expect(s.fire('nope')).rejects.toThrow(/unknown scheduled job "nope"/);
  });

  it('skips a fire while this process is still running the job, with a warn line', async () => {
    const { log, lines } = capture();
    const { coordinator, calls } = runAll();
    const gate = deferred();
    const s = createScheduler({ log, coordinator }, [job({ run: () => gate.promise })]);
    const first = s.fire('scan', SLOT);
    expect(await s.fire('scan', SLOT + 60_000)).toBe('skipped_running');
    expect(lines.at(-1)).toMatchObject({
      level: 40,
      msg: 'scheduled run skipped: previous run still going',
      job: 'scan',
      slot: '2025-01-06T09:16:00.000Z',
    });
    gate.resolve();
    expect(await first).toBe('ran');
    expect(calls).toHaveLength(1);
    // Once it finished, the next fire runs again.
    expect(await s.fire('scan', SLOT + 120_000)).toBe('ran');
  });

  it("logs the coordinator's refusals as skips", async () => {
    const { log, lines } = capture();
    const answers = ['claimed_elsewhere', 'busy'] as const;
    let i = 0;
    const coordinator: RunCoordinator = { runOnce: async () => answers[i++]! };
    let ran = 0;
    const s = createScheduler({ log, coordinator }, [job({ run: async () => void ran++ })]);
    expect(await s.fire('scan', SLOT)).toBe('claimed_elsewhere');
    expect(await s.fire('scan', SLOT)).toBe('busy');
    expect(ran).toBe(0);
    expect(lines.map((l) => [l['msg'], l['outcome']])).toEqual([
      ['scheduled run skipped: claimed by another replica', 'claimed_elsewhere'],
      ['scheduled run skipped: another replica is still running it', 'busy'],
    ]);
  });

  it('logs a failing job with its error and keeps going', async () => {
    const { log, lines } = capture();
    const { coordinator } = runAll();
    const s = createScheduler({ log, coordinator }, [
      job({
        run: async () => {
          throw new Error('warehouse unreachable');
        },
      }),
    ]);
    expect(await s.fire('scan', SLOT)).toBe('ran');
    expect(lines.at(-1)).toMatchObject({
      level: 50,
      msg: 'scheduled run failed',
      job: 'scan',
      outcome: 'failed',
      err: { message: 'warehouse unreachable' },
    });
    expect(await s.fire('scan', SLOT + 900_000)).toBe('ran'); // not stuck as "still running"
  });

  it('runs on a real node-cron tick with the scheduled second as the slot', async () => {
    const { log } = capture();
    const { coordinator, calls } = runAll();
    const s = createScheduler({ log, coordinator }, [job({ name: 'tick', cron: '*/1 * * * * *' })]);
    s.start();
    try {
      const deadline = Date.now() + 2500;
      while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await s.stop();
    }
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls[0]!.slotMs % 1000).toBe(0);
    expect(Math.abs(calls[0]!.slotMs - Date.now())).toBeLessThan(3000);
    // Stopped: no further ticks.
    const seen = calls.length;
    await new Promise((r) => setTimeout(r, 1100));
    expect(calls.length).toBe(seen);
  });

  it('stop() waits for a run in progress, and gives up after its timeout', async () => {
    const { log, lines } = capture();
    const { coordinator } = runAll();
    let finished = false;
    const s = createScheduler({ log, coordinator }, [
      job({
        run: async () => {
          await new Promise((r) => setTimeout(r, 200));
          finished = true;
        },
      }),
    ]);
    s.start();
    const run = s.fire('scan', SLOT);
    await s.stop();
    expect(finished).toBe(true);
    expect(await run).toBe('ran');

    const gate = deferred();
    const stuck = createScheduler({ log, coordinator, stopTimeoutMs: 100 }, [
      job({ run: () => gate.promise }),
    ]);
    const pending = stuck.fire('scan', SLOT);
    const t0 = Date.now();
    await stuck.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(lines.at(-1)).toMatchObject({ msg: 'scheduler stopped with runs still going', jobs: ['scan'] });
    gate.resolve();
    await pending;
  });
});
