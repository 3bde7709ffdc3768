import { beforeEach, describe, expect, it } from 'vitest';
import { goldRepository } from '../../../src/adapters/db/gold-repository.ts';
import { slaAlertStore, slaSignals } from '../../../src/adapters/db/sla-alert-repository.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderOutbound } from '../../../src/adapters/slack/blocks/outbound.ts';
import { add, newSketch, toBytes } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchOps } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { acknowledge } from '../../../src/app/incidents/acknowledge.ts';
import { evaluateSlaAlerts, type SlaAlertDeps } from '../../../src/app/sla/alerts.ts';
import { type Incident, slaFigures } from '../../../src/domain/incidents/incident.ts';
import { DEFAULT_SLA_ALERT_POLICY } from '../../../src/domain/sla/alerting.ts';
import { thresholdFactor } from '../../../src/domain/sla/burn.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';
import { availabilityFrom, checkoutLatency } from '../../domain/sla/openslo-fixtures.ts';
import { backends } from '../../support/db.ts';
import { drain, posted } from '../incidents/delivery-support.ts';
import { slackCtx, systemCtx, useIncidentWorld, type World } from '../incidents/setup.ts';

/**
 * Burn-rate alerting (DOMAIN.md §7, issue 5) on a simulated clock over real Silver rows: the evaluator
 * runs once per simulated minute, as the server's `sla-burn` job does.
 */
const HOUR = 60 * MINUTE_MS;

const AVAIL = availabilityFrom(Date.parse('2025-01-01T00:00:00Z'));
const LATENCY = checkoutLatency(AVAIL);

describe.each(backends)('SLA burn-rate alerting on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  let deps: SlaAlertDeps;

  beforeEach(async () => {
    w = world.w;
    // Whole minutes keep the arithmetic readable: the clock sits 30 s into a minute.
    w.clock.advance(-(w.clock.now() % MINUTE_MS) + 30_000);
    await w.repos.slas.apply([{ open: AVAIL }, { open: LATENCY }]);
    deps = {
      slas: w.repos.slas,
      signals: slaSignals(w.db, sketchOps),
      store: slaAlertStore(w.db),
      incident: w.deps,
      policy: DEFAULT_SLA_ALERT_POLICY,
    };
  });

  const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  /** `minutes` minutes of traffic on a metric ending with the minute before `endMs`'s. */
  const traffic = (o: {
    metric?: string;
    endMs: number;
    minutes: number;
    total: number;
    bad: number;
    sketch?: Uint8Array;
  }) =>
    w.db.query(
      `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors, sketch)
       SELECT 'checkout', $1, '{}'::jsonb, 'h', $2::timestamptz - make_interval(mins => g), $3, $4, decode($5, 'base64')
       FROM generate_series(1, $6::int) g
       ON CONFLICT (service, metric, tags_hash, minute) DO UPDATE
         SET count = EXCLUDED.count, errors = EXCLUDED.errors, sketch = EXCLUDED.sketch`,
      [
        o.metric ?? AVAIL.metric,
        new Date(minuteOf(o.endMs)).toISOString(),
        o.total,
        o.bad,
        o.sketch ? Buffer.from(o.sketch).toString('base64') : null,
        o.minutes,
      ],
    );
  /** One more minute of traffic (the one just completed), then the clock moves on and the evaluator runs. */
  const tick = async (total: number, bad: number) => {
    w.clock.advance(MINUTE_MS);
    await traffic({ endMs: w.clock.now(), minutes: 1, total, bad });
    return evaluate();
  };
  const loud = {
    ...systemCtx,
    log: { ...systemCtx.log, error: (o: unknown, m: string) => console.error(m, o) },
  } as typeof systemCtx;
  const evaluate = async () => (await evaluateSlaAlerts(deps, loud)).find((o) => o.slaId === AVAIL.id)!;
  const incidents = () =>
    w.db.query<{ id: string; state: string; severity: number }>(
      `SELECT id::text AS id, state, severity FROM incidents WHERE dedupe_key = 'sla:checkout-availability' ORDER BY id`,
    );
  const current = async (): Promise<Incident> =>
    (await w.repos.incidents.get((await incidents()).at(-1)!.id))!;

  it('pages a 100% outage within the time the workbook predicts, and only once', async () => {
    await traffic({ endMs: w.clock.now(), minutes: 60, total: 100, bad: 0 });
    expect((await evaluate()).action).toBe('none');
    // 100% errors at a 99.9% target burns 1,000×: the 1h/5m rule (14.4×) needs 14.4 × 0.1% of an hour.
    const predictedMs = (thresholdFactor(0.02, 30, 1) * (1 - AVAIL.target) * HOUR) / 1.0;
    expect(predictedMs).toBeCloseTo(51_840, 0);
    const first = await tick(100, 100);
    // The first evaluation after a minute of outage (≤ predicted, rounded up to the 1-minute cadence) pages.
    expect(first).toMatchObject({ action: 'page', rule: '1h/5m', incident: 'declared' });
    const i = await current();
    expect(i).toMatchObject({
      state: 'detected',
      paging: 'PAGE',
      severity: 2,
      title: 'SLA burn: Checkout availability',
    });
    expect(slaFigures(i)).toMatchObject({ kind: 'sla', slaId: AVAIL.id, rule: '1h/5m', action: 'page' });

    // The outage goes on: one incident, updated; once the hour burns ≥ 144× it becomes SEV-1 and pages again.
    for (let m = 0; m < 12; m++) await tick(100, 100);
    expect(await incidents()).toHaveLength(1);
    const worse = await current();
    expect(worse.severity).toBe(1);
    const kinds = (await w.repos.incidents.timeline(worse.id, 50)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'DETECTED')).toHaveLength(1);
    expect(kinds).toContain('SEVERITY_CHANGED');
    expect(kinds.filter((k) => k === 'PAGED')).toHaveLength(2);
  });

  it('does not page a 0.1% error rate for ten minutes', async () => {
    await traffic({ endMs: w.clock.now(), minutes: 60, total: 1000, bad: 0 });
    for (let m = 0; m < 10; m++)
      expect(await tick(1000, 1)).toMatchObject({ action: 'none', incident: 'none' });
    expect(await incidents()).toHaveLength(0);
  });

  it('does not page one failure in a quiet hour (minimum event count)', async () => {
    await traffic({ endMs: w.clock.now() - 30 * MINUTE_MS, minutes: 5, total: 1, bad: 0 });
    const out = await tick(1, 1);
    expect(out.action).toBe('none');
    expect(await incidents()).toHaveLength(0);
  });

  it('resolves once no page rule has fired for the reset window, and reopens when the burn returns', async () => {
    await traffic({ endMs: w.clock.now(), minutes: 60, total: 100, bad: 0 });
    for (let m = 0; m < 3; m++) await tick(100, 100);
    const lastPage = w.clock.now();
    expect((await current()).state).toBe('detected');
    // Healthy again: the 5-minute window clears at once, the 30-minute one within 30 minutes.
    let resolvedAt: number | null = null;
    for (let m = 0; m < 60 && resolvedAt === null; m++) {
      const o = await tick(100, 0);
      if (o.incident === 'resolved') resolvedAt = w.clock.now();
    }
    const i = await current();
    expect(i.state).toBe('resolved');
    expect(i.resolvedBy).toBe('system:test');
    const pageStoppedAt = slaFigures(i)!.lastPageAtMs!;
    expect(resolvedAt! - pageStoppedAt).toBeGreaterThanOrEqual(DEFAULT_SLA_ALERT_POLICY.resetMs);
    expect(resolvedAt! - pageStoppedAt).toBeLessThan(DEFAULT_SLA_ALERT_POLICY.resetMs + MINUTE_MS);
    expect(pageStoppedAt).toBeGreaterThan(lastPage);
    // Within the reopen window the same incident comes back, not a second one.
    await tick(100, 100);
    const reopenedAt = w.clock.now();
    await tick(100, 100);
    expect(await incidents()).toHaveLength(1);
    expect((await current()).state).toBe('detected');
    const kinds = (await w.repos.incidents.timeline(i.id, 100)).map((e) => e.kind);
    expect(kinds).toContain('RESOLVED');
    expect(kinds).toContain('REOPENED');
    // Gold's downtime is the two spans it was open, not the healthy gap between them.
    const day = Math.floor(w.clock.now() / DAY_MS) * DAY_MS;
    const expected = (resolvedAt! - i.openedAtMs + (day + DAY_MS - reopenedAt)) / MINUTE_MS;
    const gold = goldRepository(w.db, sketchOps);
    expect(await gold.downtimeMinutes(AVAIL.id, day)).toBe(Math.round(expected));
  });

  it('cites the five most recent Bronze errors as evidence and carries the Silver trend', async () => {
    const now = w.clock.now();
    const day = new Date(now).toISOString().slice(0, 10);
    await w.db.query('SELECT ensure_bronze_partition($1::date)', [day]);
    for (let k = 1; k <= 8; k++)
      await w.db.query(
        `INSERT INTO bronze_events (time, service, name, level, ok, message, trace_id)
         VALUES ($1, 'checkout', $2, 'ERROR', false, $3, $4)`,
        [new Date(now - k * 1000).toISOString(), AVAIL.metric, `payment declined #${k}`, `trace-${k}`],
      );
    // Another service's error is never cited.
    await w.db.query(
      `INSERT INTO bronze_events (time, service, name, level, ok, message) VALUES ($1, 'search', $2, 'ERROR', false, 'x')`,
      [new Date(now).toISOString(), AVAIL.metric],
    );
    const hour = Math.floor(now / HOUR) * HOUR;
    for (const [start, errors] of [
      [hour - 24 * HOUR, 5],
      [hour - 24 * HOUR - 7 * 24 * HOUR, 1],
    ] as const)
      await w.db.query(
        `INSERT INTO silver_hour (service, metric, tags, tags_hash, hour, count, errors)
         SELECT 'checkout', $1, '{}'::jsonb, 'h', $2::timestamptz + make_interval(hours => g), 1000, $3
         FROM generate_series(0, 23) g`,
        [AVAIL.metric, new Date(start).toISOString(), errors],
      );
    await traffic({ endMs: now, minutes: 60, total: 100, bad: 0 });
    await tick(100, 100);
    const f = slaFigures(await current())!;
    expect(f.evidence.map((e) => e.message)).toEqual([1, 2, 3, 4, 5].map((k) => `payment declined #${k}`));
    expect(f.evidence[0]).toMatchObject({ traceId: 'trace-1', level: 'ERROR', name: AVAIL.metric });
    const cited = await w.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM bronze_events WHERE incident_id = $1',
      [(await current()).id],
    );
    expect(cited[0]!.n).toBe(5);
    expect(f.trend).toMatchObject({
      hours: 24,
      current: { total: 24_000, bad: 120 },
      weekBefore: { total: 24_000, bad: 24 },
    });
  });

  it('the trend reads the minutes of hours not rolled up yet, and merges sketches for p99', async () => {
    const to = Math.floor(w.clock.now() / HOUR) * HOUR;
    const slow = newSketch();
    for (let k = 0; k < 100; k++) add(slow, k < 98 ? 50 : 2_000);
    // 22 hours rolled up (the rollup ran), the last 2 only as minutes (it has not yet).
    await w.db.query(
      `INSERT INTO silver_hour (service, metric, tags, tags_hash, hour, count, errors, sketch)
       SELECT 'checkout', $1, '{}'::jsonb, 'h', $2::timestamptz + make_interval(hours => g), 6000, 6, decode($3, 'base64')
       FROM generate_series(0, 21) g`,
      [AVAIL.metric, new Date(to - 24 * HOUR).toISOString(), Buffer.from(toBytes(slow)).toString('base64')],
    );
    await traffic({ endMs: to, minutes: 120, total: 100, bad: 1, sketch: toBytes(slow) });
    const side = await deps.signals.hourSpan(AVAIL, to - 24 * HOUR, to);
    expect(side).toMatchObject({ total: 22 * 6000 + 120 * 100, bad: 22 * 6 + 120 });
    // 2% of the values at 2,000 ms: the merged p99 is the slow mode, within the sketch's 1%.
    expect(side.p99Ms).toBeGreaterThan(1_980);
    expect(side.p99Ms).toBeLessThan(2_020);
  });

  it('an acknowledged incident is not paged again when the burn flickers back; its topic stays put', async () => {
    // Six busy hours, so a one-minute outage fires 1h/5m but never 6h/30m: the page comes and goes.
    await traffic({ endMs: w.clock.now(), minutes: 360, total: 1000, bad: 0 });
    expect(await tick(1000, 1000)).toMatchObject({ action: 'page', incident: 'declared' });
    const id = (await incidents())[0]!.id;
    await drain(w);
    await acknowledge(w.deps, slackCtx('UONCALL1'), id);
    for (let m = 0; m < 6; m++) {
      await tick(1000, 0);
      await drain(w);
    }
    expect((await current()).paging).not.toBe('PAGE');
    expect(await tick(1000, 1000)).toMatchObject({ action: 'page', incident: 'updated' });
    expect((await current()).paging).toBe('PAGE');
    const kinds = (await w.repos.incidents.timeline(id, 100)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'PAGED')).toHaveLength(1);
    await drain(w);
    // Eight evaluations, three topics (paging: PAGE, then WARN on the 3d/6h ticket rule, PAGE again): the
    // burn figures, which move every minute, live in the War Room and not in the topic.
    expect(w.chat.calls.filter((c) => c === 'setTopic')).toHaveLength(3);
  });

  it('delivers the incident through the incident machinery: channel, SLA War Room, page', async () => {
    await traffic({ endMs: w.clock.now(), minutes: 60, total: 100, bad: 0 });
    await tick(100, 100);
    await drain(w);
    const i = await current();
    const channel = [...w.chat.channels.values()][0]!;
    expect(channel.name).toMatch(/^inc-\d{8}-\d+-sla-burn-checkout-availability$/);
    const room = posted(w, 'war_room', channel.id);
    expect(room).toHaveLength(1);
    const rendered = renderOutbound(room[0]!.message);
    expect(limitViolations(rendered)).toEqual([]);
    const text = JSON.stringify(rendered.blocks);
    expect(text).toContain('Burn by rule');
    expect(text).toContain('1h/5m');
    expect(rendered.text).toMatch(
      /^SEV-2 · SLA burn: Checkout availability · DETECTED: burn [\d,.]+× \(1h\/5m\)/,
    );
    const page = posted(w, 'page', channel.id);
    expect(page).toHaveLength(1);
    expect(renderOutbound(page[0]!.message).text).toContain('<!subteam^SONCALL>');
    expect(renderOutbound({ kind: 'announce', incident: i }).text).toContain(
      'SLA burn: Checkout availability',
    );
  });

  it('posts one ticket per slow-burn episode to the alerts channel, and pages nobody', async () => {
    // 0.5% errors for a day: 5× burn fires 24h/2h (3×) but neither page rule (14.4×, 6×).
    await traffic({ endMs: w.clock.now(), minutes: 24 * 60, total: 1000, bad: 5 });
    const first = await tick(1000, 5);
    expect(first).toMatchObject({ action: 'ticket', rule: '24h/2h', incident: 'none', ticket: true });
    for (let m = 0; m < 5; m++) expect((await tick(1000, 5)).ticket).toBe(false);
    expect(await incidents()).toHaveLength(0);
    await drain(w);
    const tickets = posted(w, 'sla_ticket', 'CALERTS');
    expect(tickets).toHaveLength(1);
    const rendered = renderOutbound(tickets[0]!.message);
    expect(rendered.text).toContain('Ticket');
    expect(rendered.text).not.toContain('<!subteam');
    expect(limitViolations(rendered)).toEqual([]);
    const audit = await w.db.query("SELECT target_id FROM audit_log WHERE action = 'sla.ticket_posted'");
    expect(audit).toEqual([{ target_id: AVAIL.id }]);
  });

  it('judges a latency SLA by the share of values under its threshold, from the sketches', async () => {
    const slow = newSketch();
    for (let k = 0; k < 100; k++) add(slow, k < 50 ? 120 : 900); // half the requests take 900 ms
    const fast = newSketch();
    for (let k = 0; k < 100; k++) add(fast, 120);
    /** `minutes` minutes of 100 requests each on the latency metric, their durations in `sketch`. */
    const requests = (minutes: number, sketch: typeof slow) =>
      traffic({
        metric: LATENCY.metric,
        endMs: w.clock.now(),
        minutes,
        total: 100,
        bad: 0,
        sketch: toBytes(sketch),
      });
    const evaluateLatency = async () =>
      (await evaluateSlaAlerts(deps, systemCtx)).find((o) => o.slaId === LATENCY.id)!;
    await requests(60, fast);
    w.clock.advance(MINUTE_MS);
    await requests(1, slow);
    const out = await evaluateLatency();
    // 50 of 100 slow in the last 5 minutes' 500 → 10% / 1% budget = 10×; the hour: 50/6,000 → 0.83×.
    // Twenty such minutes: the hour burns 1,000/6,000 → 16.7× and the 5 minutes 50×: page.
    expect(out.action).toBe('none');
    const figures = (await deps.store.states()).find((s) => s.slaId === LATENCY.id)!;
    expect(figures.action).toBe('none');
    for (let m = 0; m < 19; m++) {
      w.clock.advance(MINUTE_MS);
      await requests(1, slow);
    }
    const paged = await evaluateLatency();
    expect(paged).toMatchObject({ action: 'page', rule: '1h/5m', incident: 'declared' });
    expect(paged.burn).toBeGreaterThan(14.4);
  });
});
