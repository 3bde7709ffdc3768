import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createScheduler, type ScheduledJob } from '../../../src/adapters/scheduler/scheduler.ts';
import { cronTicks, type TickSource, type TickSpec } from '../../../src/adapters/scheduler/ticks.ts';
import type { RunCoordinator } from '../../../src/app/schedule/ports.ts';
import { deferred } from '../../support/db.ts';

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

/** A tick source the test drives by hand: tick(name, ms) is node-cron matching `ms` for that job. */
const handTicks = () => {
  const jobs: { spec: TickSpec; onTick: (ms: number) => unknown; started: boolean }[] = [];
  const source: TickSource = {
    schedule(spec, onTick) {
      const entry = {
        spec: { name: spec.name, cron: spec.cron, timezone: spec.timezone },
        onTick,
        started: false,
      };
      jobs.push(entry);
      return {
        start: () => {
          entry.started = true;
        },
        stop: async () => void jobs.splice(jobs.indexOf(entry), 1),
      };
    },
  };
  return {
    ...source,
    scheduled: () => jobs.map((j) => j.spec),
    running: () => jobs.filter((j) => j.started).map((j) => j.spec.name),
    tick(name: string, ms: number) {
      const entry = jobs.find((j) => j.spec.name === name && j.started);
      if (!entry) throw new Error(`no started ticker for ${name}`);
      return entry.onTick(ms);
    },
  };
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

  it('a job failing at every fire logs once when it starts failing and once when it runs again', async () => {
    const { log, lines } = capture();
    const { coordinator } = runAll();
    let down = true;
    const s = createScheduler({ log, coordinator }, [
      job({
        name: 'pager',
        cron: '* * * * *',
        run: async () => {
          if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        },
      }),
    ]);
    for (let m = 0; m < 5; m++) await s.fire('pager', SLOT + m * 60_000);
    down = false;
    await s.fire('pager', SLOT + 5 * 60_000);
    const said = lines.filter((l) => (l['level'] as number) >= 40).map((l) => [l['level'], l['msg']]);
    expect(said).toEqual([
      [50, 'scheduled run failed'],
      [40, expect.stringMatching(/^scheduled run works again after \d+ s and 5 failed attempts$/)],
    ]);
  });

  it('fires each job on its own ticks, with the ticked instant as the slot, until stopped', async () => {
    const { log } = capture();
    const { coordinator, calls } = runAll();
    const ticks = handTicks();
    const s = createScheduler({ log, coordinator, ticks }, [
      job(),
      job({ name: 'pager', cron: '* * * * *' }),
    ]);
    expect(ticks.scheduled()).toEqual([]); // nothing fires before start()
    s.start();
    s.start(); // a second start() schedules nothing twice
    expect(ticks.scheduled()).toEqual([
      { name: 'scan', cron: '*/15 * * * *', timezone: 'UTC' },
      { name: 'pager', cron: '* * * * *', timezone: 'UTC' },
    ]);
    expect(await ticks.tick('pager', SLOT + 250)).toBe('ran');
    expect(await ticks.tick('scan', SLOT)).toBe('ran');
    expect(calls).toEqual([
      { job: 'pager', slotMs: SLOT },
      { job: 'scan', slotMs: SLOT },
    ]);
    await s.stop();
    expect(ticks.running()).toEqual([]);
  });

  it('node-cron ticks carry the matched second, and stop for good (fake clock, no real wait)', async () => {
    vi.useFakeTimers({ now: SLOT + 400 });
    try {
      const { log } = capture();
      const slots: number[] = [];
      const ticker = cronTicks(log).schedule({ name: 'tick', cron: '*/1 * * * * *', timezone: 'UTC' }, (ms) =>
        slots.push(ms),
      );
      ticker.start();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(slots.length).toBeGreaterThanOrEqual(1);
      expect(slots.every((ms) => ms % 1000 === 0 && ms > SLOT && ms <= SLOT + 2_400)).toBe(true);
      await ticker.stop();
      const seen = slots.length;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(slots.length).toBe(seen);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stop() waits for a run in progress, and gives up after its timeout', async () => {
    const { log, lines } = capture();
    const { coordinator } = runAll();
    let finished = false;
    const running = deferred();
    const s = createScheduler({ log, coordinator, ticks: handTicks() }, [
      job({
        run: async () => {
          await running.promise;
          finished = true;
        },
      }),
    ]);
    s.start();
    const run = s.fire('scan', SLOT);
    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    // stop() must still be waiting while the run is: let every pending callback settle first.
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    running.resolve();
    await stopping;
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
