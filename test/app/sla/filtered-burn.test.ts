import { beforeEach, describe, expect, it } from 'vitest';
import { goldRepository } from '../../../src/adapters/db/gold-repository.ts';
import { slaAlertStore, slaSignals } from '../../../src/adapters/db/sla-alert-repository.ts';
import { add, newSketch, toBytes } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchOps } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { evaluateSlaAlerts, type SlaAlertDeps } from '../../../src/app/sla/alerts.ts';
import { computeDaySnapshot } from '../../../src/app/sla/day-snapshot.ts';
import { slaFigures } from '../../../src/domain/incidents/incident.ts';
import { DEFAULT_SLA_ALERT_POLICY } from '../../../src/domain/sla/alerting.ts';
import { openSloToDefinitions, type SlaDefinition } from '../../../src/domain/sla/definition.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';
import { backends } from '../../support/db.ts';
import { systemCtx, useIncidentWorld, type World } from '../incidents/setup.ts';

/**
 * An SLA whose SLI states its own good/bad attribute filters (issue 13, item 3), judged over tagged Silver
 * rows on both backends: the burn, the trend, the day snapshot and the evidence all count by the tags.
 */
const METRIC = 'http.server.request.duration';
const STATUS = 'http.response.status_code';
const src = (spec: Record<string, unknown>) => ({
  metricSource: { type: 'revenue-leak-sre', spec: { service: 'checkout', metric: METRIC, ...spec } },
});

/** An SLO over METRIC whose SLI is `ratioMetric`, paging at 14.4× over 1h/5m into C0PAYMENTS1. */
function defineSlo(id: string, ratioMetric: Record<string, unknown>, activeFromMs: number): SlaDefinition {
  const r = openSloToDefinitions(
    [
      { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'checkout' } },
      {
        apiVersion: 'openslo/v1',
        kind: 'SLO',
        metadata: { name: id },
        spec: {
          service: 'checkout',
          indicator: { spec: { ratioMetric } },
          timeWindow: [{ duration: '30d', isRolling: true }],
          budgetingMethod: 'Occurrences',
          objectives: [{ target: 0.999 }],
          alertPolicies: [
            {
              kind: 'AlertPolicy',
              metadata: { name: 'paging' },
              spec: {
                conditions: [
                  {
                    kind: 'AlertCondition',
                    metadata: { name: 'fast' },
                    spec: {
                      severity: 'page',
                      condition: {
                        kind: 'burnrate',
                        op: 'gt',
                        threshold: 14.4,
                        lookbackWindow: '1h',
                        alertAfter: '5m',
                      },
                    },
                  },
                ],
                notificationTargets: [
                  {
                    kind: 'AlertNotificationTarget',
                    metadata: { name: 'pay' },
                    spec: { target: 'slack:C0PAYMENTS1' },
                  },
                ],
              },
            },
          ],
        },
      },
    ],
    activeFromMs,
  );
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.definitions[0]!;
}

describe.each(backends)('an SLA with attribute filters on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  let deps: SlaAlertDeps;
  const since = Date.parse('2025-01-01T00:00:00Z');
  const BAD_5XX = defineSlo(
    'pay-5xx',
    { bad: src({ filter: { [STATUS]: '5xx' } }), total: src({ filter: { 'http.route': '/pay' } }) },
    since,
  );
  const GOOD_FAST = defineSlo(
    'pay-fast',
    { good: src({ latencyBelow: '0.3s', filter: { [STATUS]: '<500' } }), total: src({}) },
    since,
  );

  beforeEach(async () => {
    w = world.w;
    w.clock.advance(-(w.clock.now() % MINUTE_MS) + 30_000);
    await w.repos.slas.apply([{ open: BAD_5XX }, { open: GOOD_FAST }]);
    deps = {
      slas: w.repos.slas,
      signals: slaSignals(w.db, sketchOps),
      store: slaAlertStore(w.db),
      incident: w.deps,
      policy: DEFAULT_SLA_ALERT_POLICY,
    };
  });

  /** `count` values of 50 ms: every event of the row is fast. */
  const fast = (count: number) => {
    const s = newSketch();
    for (let k = 0; k < count; k++) add(s, 50);
    return Buffer.from(toBytes(s)).toString('base64');
  };
  /** `minutes` minutes up to now of one tag set: count events (all fast), `errors` of them failed. */
  const rows = (tags: Record<string, string>, minutes: number, count: number, errors: number) =>
    w.db.query(
      `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors, sketch)
       SELECT 'checkout', $1, $2::jsonb, $3, $4::timestamptz - make_interval(mins => g), $5, $6, decode($7, 'base64')
       FROM generate_series(0, $8::int - 1) g`,
      [
        METRIC,
        JSON.stringify(tags),
        JSON.stringify(tags),
        new Date(Math.floor(w.clock.now() / MINUTE_MS) * MINUTE_MS).toISOString(),
        count,
        errors,
        fast(count),
        minutes,
      ],
    );

  it('burns on the rows its bad filter matches, not on the errors column, and pages where its policy says', async () => {
    await rows({ 'http.route': '/pay', [STATUS]: '200' }, 60, 90, 0);
    await rows({ 'http.route': '/pay', [STATUS]: '503' }, 60, 10, 0); // failures the errors column never saw
    await rows({ 'http.route': '/pay', [STATUS]: '404' }, 60, 50, 50); // "failed", but not 5xx: not bad here
    await rows({ 'http.route': '/home', [STATUS]: '500' }, 60, 1000, 1000); // another route: not counted
    const minutes = await deps.signals.minuteCounts(
      BAD_5XX,
      w.clock.now() - 10 * MINUTE_MS,
      w.clock.now() + MINUTE_MS,
    );
    expect(minutes.at(-1)).toMatchObject({ total: 150, bad: 10 });
    const out = (await evaluateSlaAlerts(deps, systemCtx)).find((o) => o.slaId === BAD_5XX.id)!;
    // 10 / 150 bad at 99.9 % burns 66.7× > 14.4 on both 1h and 5m.
    expect(out).toMatchObject({ action: 'page', rule: '1h/5m', incident: 'declared' });
    const [incident] = await w.db.query<{ id: string }>(
      "SELECT id::text AS id FROM incidents WHERE dedupe_key = 'sla:pay-5xx'",
    );
    const f = slaFigures((await w.repos.incidents.get(incident!.id))!)!;
    expect(f.notify).toEqual({ page: ['C0PAYMENTS1'], ticket: [], byRule: { '1h/5m': ['C0PAYMENTS1'] } });
    expect(f.rates.map((r) => r.rule)).toEqual(['1h/5m']);
    expect(f.burn).toBeCloseTo(10 / 150 / 0.001, 6);
  });

  it('a good filter makes every event outside it bad, fast or not (latency)', async () => {
    await rows({ [STATUS]: '200' }, 60, 90, 0);
    await rows({ [STATUS]: '503' }, 60, 10, 0); // fast errors are still bad
    const [m] = (
      await deps.signals.minuteCounts(GOOD_FAST, w.clock.now() - MINUTE_MS + 1, w.clock.now() + MINUTE_MS)
    ).slice(-1);
    expect(m).toMatchObject({ total: 100, bad: 10 });
    const hour = Math.floor(w.clock.now() / (60 * MINUTE_MS)) * 60 * MINUTE_MS;
    const side = await deps.signals.hourSpan(GOOD_FAST, hour - 60 * MINUTE_MS, hour);
    expect(side.bad / side.total).toBeCloseTo(0.1, 9);
  });

  it("the day's Gold snapshot counts by the same filters", async () => {
    const dayMs = Math.floor(w.clock.now() / DAY_MS) * DAY_MS - DAY_MS;
    const at = new Date(dayMs + 12 * 60 * MINUTE_MS).toISOString();
    for (const [tags, count, errors] of [
      [{ 'http.route': '/pay', [STATUS]: '200' }, 980, 0],
      [{ 'http.route': '/pay', [STATUS]: '502' }, 20, 0],
      [{ 'http.route': '/home', [STATUS]: '500' }, 500, 500],
    ] as const)
      await w.db.query(
        `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors) VALUES ('checkout', $1, $2::jsonb, $3, $4, $5, $6)`,
        [METRIC, JSON.stringify(tags), JSON.stringify(tags), at, count, errors],
      );
    const day = { gold: goldRepository(w.db, sketchOps), sketches: sketchOps };
    expect(await computeDaySnapshot(day, BAD_5XX, dayMs)).toMatchObject({
      total: 1000,
      errors: 20,
      uptimePct: 98,
      breaches: 1,
    });
  });

  it('cites as evidence the Bronze events its filters call bad', async () => {
    const now = w.clock.now();
    await w.db.query('SELECT ensure_bronze_partition($1::date)', [new Date(now).toISOString().slice(0, 10)]);
    const event = (k: number, status: string, route: string, ok: boolean) =>
      w.db.query(
        `INSERT INTO bronze_events (time, service, name, level, ok, message, attributes) VALUES ($1, 'checkout', $2, 'ERROR', $3, $4, $5::jsonb)`,
        [
          new Date(now - k * 1000).toISOString(),
          METRIC,
          ok,
          `${route} ${status}`,
          JSON.stringify({ 'http.route': route, [STATUS]: status }),
        ],
      );
    await event(1, '404', '/pay', false); // failed, not 5xx
    await event(2, '503', '/home', false); // 5xx on another route
    await event(3, '503', '/pay', true);
    await event(4, '500', '/pay', false);
    const cited = await slaAlertStore(w.db).transaction((tx) =>
      tx.linkEvidence('1', BAD_5XX, now - DAY_MS, 5),
    );
    expect(cited.map((e) => e.message)).toEqual(['/pay 503', '/pay 500']);
  });
});
