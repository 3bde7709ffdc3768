import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Ctx } from '../../src/app/context.ts';
import { applySlaDocuments } from '../../src/app/sla/apply.ts';
import { silentLog } from '../support/db.ts';
import { type Harness, startHarness } from './harness.ts';
import {
  type Evaluated,
  evaluateAt,
  failing,
  HOUR,
  instrumentedService,
  MIN,
  SEC,
  type Service,
  SimClock,
  slackOf,
  slowLatency,
  usualLatency,
} from './sla-outage-helpers.ts';

/**
 * Issue 13's acceptance, end to end: two services instrumented with the stock OpenTelemetry JS SDK export
 * http/protobuf to the running app, on a simulated clock the app runs on too. Checkout's availability is
 * judged twice, over the `http.server.request.duration` histogram (seconds, failures only in the status
 * attribute) and over its SERVER spans; catalog's latency over its histogram against 0.3 s. Six hours of
 * healthy traffic page nothing; then a bad deploy: checkout fails 60% of its requests for 5 minutes, which
 * must page both availability SLAs within the SRE workbook's detection time (long window × factor / burn
 * rate), once each, and resolve them by themselves once the short window of the last rule that paged
 * clears and the reset window has passed; catalog slows from p95 ≈ 0.25 s to ≈ 1.75 s and stays slow: the
 * 0.3 s SLA pages at its detection time, a 2 s one never does. The story is played once (beforeAll),
 * evaluating every 30 s during the outage and every minute otherwise; each test reads one criterion off it.
 */
const SLOS = `
apiVersion: openslo/v1
kind: Service
metadata: { name: checkout }
---
apiVersion: openslo/v1
kind: Service
metadata: { name: catalog }
---
apiVersion: openslo/v1
kind: SLI
metadata: { name: checkout-histogram }
spec:
  ratioMetric:
    counter: true
    good: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: http.server.request.duration, ok: true } } }
    total: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: http.server.request.duration } } }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-http, displayName: Checkout HTTP }
spec:
  service: checkout
  indicatorRef: checkout-histogram
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-spans, displayName: Checkout spans }
spec:
  service: checkout
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: POST /checkout, ok: true } } }
        total: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: POST /checkout } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: catalog-latency, displayName: Catalog latency }
spec:
  service: catalog
  indicator:
    spec:
      thresholdMetric: { metricSource: { type: revenue-leak-sre, spec: { service: catalog, metric: http.server.request.duration, unit: s } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ op: lt, value: 0.3, target: 0.95 }]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: catalog-latency-2s, displayName: Catalog latency 2s }
spec:
  service: catalog
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: revenue-leak-sre, spec: { service: catalog, metric: http.server.request.duration, latencyBelow: 2s } } }
        total: { metricSource: { type: revenue-leak-sre, spec: { service: catalog, metric: http.server.request.duration } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.95 }]
`;
const AVAILABILITY = ['checkout-http', 'checkout-spans'] as const;
const SLA_IDS = [...AVAILABILITY, 'catalog-latency', 'catalog-latency-2s'] as const;

/**
 * The workbook's fast page (1h/5m at 14.4× for a 30-day window) and its detection time at a burn rate:
 * how long a burn starting on clean windows takes to lift each window past the factor (window × factor /
 * burn), the longer of the two (both must exceed it).
 */
const FAST_PAGE = { longMs: HOUR, shortMs: 5 * MIN, factor: 14.4 };
const detectionMs = (burn: number) =>
  Math.max(FAST_PAGE.longMs, FAST_PAGE.shortMs) * (FAST_PAGE.factor / burn);
const RESET_MS = 15 * MIN; // SLA_RESET_MINUTES' default: no page for this long resolves the incident
/** "6h/30m" → its short window, 30 minutes. */
const shortWindowMs = (rule: string) => {
  const m = /\/(\d+)([mh])$/.exec(rule);
  if (!m) throw new Error(`unreadable rule ${rule}`);
  return Number(m[1]) * (m[2] === 'h' ? HOUR : MIN);
};
/** `leak sla apply -f` as the on-call engineer. */
const SRE: Ctx = { actor: { type: 'cli', user: 'sre' }, requestId: 'sla-outage', log: silentLog };
const report = (line: string) => console.log(`[sla-outage] ${line}`);

describe('a 60% outage and a slowdown, from the stock OpenTelemetry SDK to Slack (issue 13)', () => {
  // Simulated time starts on a whole hour well before the real clock and never passes it.
  const T0 = Math.floor(Date.now() / HOUR) * HOUR - 8 * HOUR;
  const BAD_DEPLOY = T0 + 6 * HOUR; // checkout fails 60% of requests, catalog slows down
  const RECOVERED = BAD_DEPLOY + 5 * MIN; // checkout answers again; catalog stays slow
  const END = BAD_DEPLOY + 50 * MIN;
  const PER_MINUTE = 60; // requests each service answers
  const clock = new SimClock(T0);
  let h: Harness;
  let checkout: Service;
  let catalog: Service;
  const log: Evaluated[] = [];
  /** When Slack first showed each SLA's page, and its resolve (simulated time). */
  const pagedAt = new Map<string, number>();
  const resolvedAt = new Map<string, number>();
  const topicAtPage = new Map<string, string>();

  /** Serves and exports every `exportMs` until `untilMs`, and evaluates every `evaluateMs`. */
  async function play(untilMs: number, exportMs: number, evaluateMs: number) {
    for (let at = clock.t + exportMs; at <= untilMs; at += exportMs) {
      clock.t = at;
      await Promise.all(
        [checkout, catalog].map((s) => {
          s.serveUntil(at);
          return s.exportAt(at);
        }),
      );
      if ((at - T0) % evaluateMs !== 0) continue;
      log.push(...(await evaluateAt(h, clock, at)));
      for (const id of SLA_IDS) {
        const slack = slackOf(h, id);
        if (slack.pages.length > 0 && !pagedAt.has(id)) {
          pagedAt.set(id, at);
          topicAtPage.set(id, slack.channel!.topic);
        }
        if (slack.resolved && !resolvedAt.has(id)) resolvedAt.set(id, at);
      }
    }
  }
  const of = (slaId: string, from = T0, to = END) =>
    log.filter((e) => e.slaId === slaId && e.atMs > from && e.atMs <= to);

  beforeAll(async () => {
    h = await startHarness({ clock, usergroups: { SONCALL: ['UON1'] } });
    const { token } = await h.services.repos.tokens.create('otel-outage');
    const docs = parseAllDocuments(SLOS).map((d) => d.toJS());
    const applied = await applySlaDocuments({ slas: h.services.repos.slas, clock }, SRE, docs);
    expect(applied).toMatchObject({ ok: true, warnings: [] });
    const base = { baseUrl: h.baseUrl, token, sinceMs: T0, perMinute: PER_MINUTE };
    const spanName = 'POST /checkout';
    checkout = instrumentedService({ ...base, name: 'checkout', spanName, profile: failing(1, 2000) });
    catalog = instrumentedService({ ...base, name: 'catalog', profile: usualLatency });

    // The SDK exports a collection a minute by default, and a collection's increase lands in its minute:
    // the first five hours, which only the 6 h and longer windows see, go in half-hour collections.
    await play(BAD_DEPLOY - HOUR, 30 * MIN, HOUR);
    await play(BAD_DEPLOY, MIN, 15 * MIN);
    checkout.setProfile(failing(3, 5));
    catalog.setProfile(slowLatency);
    await play(RECOVERED, 30 * SEC, 30 * SEC);
    checkout.setProfile(failing(0, 1));
    await play(END, MIN, MIN);
  }, 180_000); // PGlite under load; about 15 s on a server database
  afterAll(async () => {
    await Promise.all([checkout?.shutdown(), catalog?.shutdown()]);
    await h?.stop();
  });

  it('every request arrives once; six healthy hours (0.05% errors, p95 0.25 s) page and ticket nothing', async () => {
    expect([...checkout.failures, ...catalog.failures]).toEqual([]);
    expect(checkout.served).toBe(((END - T0) / MIN) * PER_MINUTE);
    const silver = await h.services.db.query<{ service: string; metric: string; n: number }>(
      'SELECT service, metric, sum(count)::int AS n FROM silver_minute GROUP BY 1, 2 ORDER BY 1, 2',
    );
    expect(silver).toEqual([
      { service: 'catalog', metric: 'http.server.request.duration', n: catalog.served },
      { service: 'checkout', metric: 'POST /checkout', n: checkout.served },
      { service: 'checkout', metric: 'http.server.request.duration', n: checkout.served },
    ]);
    const before = log.filter((e) => e.atMs <= BAD_DEPLOY);
    expect(before).toHaveLength(9 * SLA_IDS.length); // every SLA at every evaluation
    expect(before.filter((e) => e.action !== 'none' || e.incident !== 'none')).toEqual([]);
    // The hour before the deploy: checkout spends half its budget's pace, catalog's 2% over 0.3 s 0.4×.
    const burns = Object.fromEntries(
      before.filter((e) => e.atMs === BAD_DEPLOY).map((e) => [e.slaId, e.burn]),
    );
    expect(burns['checkout-http']).toBeLessThan(1);
    expect(burns['checkout-spans']).toBeLessThan(1);
    expect(burns['catalog-latency']).toBeCloseTo(0.4, 2);
    expect(burns['catalog-latency-2s']).toBe(0);
  });

  it('a 60%-failure outage pages both availability SLAs within the detection time, once each', () => {
    const detect = detectionMs(0.6 / (1 - 0.999)); // burn 600×: 1 h × 14.4 / 600 = 86.4 s (5 m: 7.2 s)
    expect(detect).toBeCloseTo(86.4 * SEC, 6);
    for (const id of AVAILABILITY) {
      const after = pagedAt.get(id)! - BAD_DEPLOY;
      const tickets = of(id).filter((e) => e.ticket);
      const ticketed = tickets.map((t) => `${(t.atMs - BAD_DEPLOY) / SEC} s (${t.rule})`).join(', ');
      report(
        `${id}: paged ${after / SEC} s into the outage (detection ${(detect / SEC).toFixed(1)} s); ticket ${ticketed}`,
      );
      // At the first evaluation past the detection time, not before (evaluations every 30 s).
      expect(after).toBeLessThanOrEqual(detect + 30 * SEC);
      expect(after).toBeGreaterThan(detect - 30 * SEC);
      // Paged by the fast pair, whose 5 minute window (600× by then) must burn above 14.4× as well.
      const first = of(id).find((e) => e.action === 'page');
      expect(first).toMatchObject({ atMs: pagedAt.get(id), rule: '1h/5m', incident: 'declared' });
      expect(topicAtPage.get(id)).toMatch(/^SEV-2 · SLA burn 1h\/5m · PAGE$/);
      // One incident, one page, however many evaluations burned.
      expect(slackOf(h, id).pages).toHaveLength(1);
      expect(of(id).filter((e) => e.incident === 'declared' || e.incident === 'reopened')).toHaveLength(1);
      expect(of(id).filter((e) => e.action === 'page').length).toBeGreaterThan(20);
      // The 3d/6h ticket rule may fire first (its 3 d window holds only these 6 h), never once paged.
      expect(tickets.length).toBeLessThanOrEqual(1);
      for (const t of tickets) expect(t.atMs).toBeLessThan(pagedAt.get(id)!);
    }
  });

  it('after recovery each resolves by itself once the short window clears and the reset has passed', () => {
    for (const id of AVAILABILITY) {
      const pages = of(id).filter((e) => e.action === 'page');
      const last = pages.at(-1)!;
      // The last page is the last evaluation whose short window still held a failing minute.
      const short = shortWindowMs(last.rule!);
      expect(last.atMs - RECOVERED).toBeLessThanOrEqual(short);
      expect(last.atMs - RECOVERED).toBeGreaterThanOrEqual(short - 2 * MIN);
      const resolved = of(id).find((e) => e.incident === 'resolved')!;
      expect(resolved.atMs - last.atMs).toBeGreaterThanOrEqual(RESET_MS);
      expect(resolved.atMs - last.atMs).toBeLessThan(RESET_MS + MIN);
      expect(resolvedAt.get(id)).toBe(resolved.atMs);
      const rules = [...new Set(pages.map((p) => p.rule))].join(', ');
      report(
        `${id}: paged by ${rules}; last page ${(last.atMs - RECOVERED) / MIN} min after recovery, resolved ${(resolved.atMs - RECOVERED) / MIN} min after`,
      );
      const slack = slackOf(h, id);
      expect(slack.pages).toHaveLength(1);
      expect(slack.channel!.topic).toMatch(/^RESOLVED · /);
      expect(slack.channel!.topic).not.toMatch(/PAGE/);
      // Nothing after the resolve: no reopen, no second incident, no ticket.
      expect(of(id, resolved.atMs).filter((e) => e.incident !== 'none' || e.ticket)).toEqual([]);
    }
    expect(h.fake.messages('CALERTS').filter((m) => m.text.includes('Resolved'))).toHaveLength(2);
  });

  it('a 0.3 s latency SLA pages when catalog slows to ≈ 1.75 s, at its detection time; a 2 s one never', () => {
    const detect = detectionMs(1 / (1 - 0.95)); // every request slow, 20×: 1 h × 14.4 / 20 = 43.2 min
    const after = pagedAt.get('catalog-latency')! - BAD_DEPLOY;
    const ticket = of('catalog-latency').find((e) => e.ticket);
    report(
      `catalog-latency: paged ${after / MIN} min into the slowdown (detection time ${(detect / MIN).toFixed(1)} min); ticket ${ticket ? `${(ticket.atMs - BAD_DEPLOY) / MIN} min (${ticket.rule})` : 'none'}`,
    );
    expect(after).toBeLessThanOrEqual(detect + MIN);
    expect(after).toBeGreaterThan(detect - 2 * MIN);
    expect(of('catalog-latency').find((e) => e.action === 'page')).toMatchObject({
      atMs: pagedAt.get('catalog-latency'),
      rule: '1h/5m',
      incident: 'declared',
    });
    expect(slackOf(h, 'catalog-latency').pages).toHaveLength(1);
    // 1.75 s is under 2 s: not one event is slow for it.
    expect(of('catalog-latency-2s').filter((e) => e.burn !== 0 || e.action !== 'none')).toEqual([]);
    expect(slackOf(h, 'catalog-latency-2s').channel).toBeUndefined();
    expect(h.fake.channels().filter((c) => c.name.startsWith('inc-'))).toHaveLength(3);
  });
});
