import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../../src/app/context.ts';
import { applySlaDocuments } from '../../src/app/sla/apply.ts';
import { readYamlDocuments } from '../../src/commands/sla.ts';
import { silentLog } from '../support/db.ts';
import type { FakeSlack } from '../support/fake-slack.ts';
import { type Harness, type SharedDatabase, sharedDatabase, startHarness } from './harness.ts';
import { incidentChannels, occurrences, timelineIn } from './incident-helpers.ts';

/**
 * SLA alerts routed by OpenSLO notification targets in the running app: telemetry over HTTP, the
 * `sla-burn` job, the real Slack adapter against the fake Web API. One outage pages checkout's
 * availability SLA (announced in #payments-oncall besides the usual incident channel and page) and
 * tickets its error-rate SLA (in #payments-tickets, not the alerts channel), each exactly once across two
 * evaluations and a restart; an archived target is reported on the incident's timeline once.
 */
const PAGES = 'C0PAYPAGES1';
const TICKETS = 'C0PAYTICKET';
const ARCHIVED = 'C0ARCHIVED1';

const target = (name: string, channel: string) => `
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: { name: ${name} }
spec: { target: "slack:${channel}" }`;

const slo = (name: string, policy: string) => `
apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: checkout
  indicator:
    metadata: { name: ${name}-sli }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: pay, ok: true } } }
        total: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: pay } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
  alertPolicies: [${policy}]`;

const policy = (name: string, severity: string, threshold: number, targets: string[]) => `
apiVersion: openslo/v1
kind: AlertPolicy
metadata: { name: ${name} }
spec:
  conditions:
    - kind: AlertCondition
      metadata: { name: ${name}-burn }
      spec:
        severity: ${severity}
        condition: { kind: burnrate, op: gt, threshold: ${threshold}, lookbackWindow: 1h, alertAfter: 5m }
  notificationTargets: [${targets.map((t) => `{ targetRef: ${t} }`).join(', ')}]`;

const YAML = [
  `apiVersion: openslo/v1
kind: Service
metadata: { name: checkout }
spec: {}`,
  target('payments-oncall', PAGES),
  target('old-payments', ARCHIVED),
  target('payments-tickets', TICKETS),
  policy('payments-paging', 'page', 14.4, ['payments-oncall', 'old-payments']),
  policy('payments-errors', 'ticket', 2, ['payments-tickets']),
  slo('checkout-availability', 'payments-paging'),
  slo('checkout-errors', 'payments-errors'),
].join('\n---\n');

const ctx: Ctx = { actor: { type: 'cli', user: 'sre' }, requestId: 'apply', log: silentLog };
const MIN = 60_000;

/** The workspace's channels besides the alerts channel: the targets, one of them archived long ago. */
function seedTargets(fake: FakeSlack): void {
  fake.seedChannel({ id: PAGES, name: 'payments-oncall' });
  fake.seedChannel({ id: TICKETS, name: 'payments-tickets' });
  fake.seedChannel({ id: ARCHIVED, name: 'old-payments', archived: true });
}

/** chat.postMessage calls the app made into `channel` (answered or refused). */
const postsTo = (fake: FakeSlack, channel: string) =>
  fake.calls.filter(
    (c) => c.kind === 'api' && c.name === 'chat.postMessage' && c.body['channel'] === channel,
  );

describe('SLA alerts routed to OpenSLO notification targets in the running app', () => {
  let db: SharedDatabase;
  let a: Harness | undefined;
  let b: Harness | undefined;
  const minute = Math.floor(Date.now() / MIN) * MIN;

  beforeAll(async () => {
    db = await sharedDatabase();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.dispose();
  });

  it('announces the page and posts the ticket in their targets once, over two evaluations', async () => {
    a = await startHarness({ database: db, usergroups: { SONCALL: ['UON1'] } });
    seedTargets(a.fake);
    const yaml = readYamlDocuments(YAML);
    if (!yaml.ok) throw new Error(yaml.errors.join('\n'));
    const applied = await applySlaDocuments(
      { slas: a.services.repos.slas, clock: a.services.clock },
      ctx,
      yaml.docs,
    );
    expect(applied).toMatchObject({ ok: true, warnings: [] });

    // An hour of healthy checkouts, 20 a minute, then the last two minutes all failing.
    const { token } = await a.services.repos.tokens.create('checkout-service');
    const events = [];
    for (let m = 59; m >= 0; m--)
      for (let k = 0; k < 20; k++)
        events.push({ service: 'checkout', name: 'pay', time: minute - m * MIN + k * 100, ok: m >= 2 });
    const res = await fetch(`${a.baseUrl}/api/telemetry/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(200);

    for (const slot of [minute, minute + MIN]) {
      expect(await a.running.fire('sla-burn', slot)).toBe('ran');
      await a.settle();
    }

    // The page as before: its own channel, the on-call paged there, the alerts channel told.
    const rooms = incidentChannels(a.fake);
    expect(rooms.map((c) => c.name)).toEqual([expect.stringMatching(/sla-burn-checkout-availability$/)]);
    const room = rooms[0]!.id;
    // On a busy host a delivery can be deferred by a retry (due a moment later, after settle() returned).
    await vi.waitFor(
      async () => {
        await a!.settle();
        expect(a!.fake.messages(room).filter((m) => m.text.includes('<!subteam^SONCALL>'))).toHaveLength(1);
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(a.fake.messages('CALERTS').filter((m) => m.text.includes(`<#${room}>`))).toHaveLength(1);
    // And #payments-oncall: one announcement, with the link to the incident channel.
    const announced = a.fake.messages(PAGES);
    expect(announced).toHaveLength(1);
    expect(announced[0]!.text).toMatch(/incident declared: SLA burn: checkout-availability/);
    expect(announced[0]!.text).toContain(`<#${room}>`);
    // The ticket in #payments-tickets, and only there.
    const tickets = a.fake.messages(TICKETS);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]!.text).toContain('checkout-errors');
    expect(a.fake.messages('CALERTS').filter((m) => m.text.includes('checkout-errors'))).toEqual([]);
    // The archived target was tried once, is noted once on the incident's timeline, and failed nothing.
    expect(postsTo(a.fake, ARCHIVED)).toHaveLength(1);
    expect(a.fake.messages(ARCHIVED)).toEqual([]);
    const timeline = await timelineIn(a, room);
    expect(occurrences(timeline, `Could not announce this incident in Slack channel ${ARCHIVED}`)).toBe(1);
    expect(timeline).toContain('is_archived');
    expect(await a.services.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  }, 90_000);

  it('and after a restart, the next evaluation posts none of them again', async () => {
    await a!.stop();
    a = undefined;
    b = await startHarness({ database: db, usergroups: { SONCALL: ['UON1'] } });
    seedTargets(b.fake);
    await b.settle();
    expect(await b.running.fire('sla-burn', minute + 2 * MIN)).toBe('ran');
    await b.settle();
    // Still burning: the same incident, updated. Nothing new in any target, the archived one not retried.
    expect(incidentChannels(b.fake)).toEqual([]);
    for (const channel of [PAGES, TICKETS, ARCHIVED]) expect(postsTo(b.fake, channel)).toEqual([]);
    const [open] = await b.services.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM incidents WHERE state <> 'resolved'",
    );
    expect(open!.n).toBe(1);
    // (The War Room sync fails in this fresh fake workspace, which never held the War Room: not ours.)
    const jobs = await b.services.db.query<{ key: string; state: string }>(
      "SELECT key, state FROM jobs WHERE kind LIKE 'sla.%' ORDER BY id",
    );
    expect(jobs).toEqual([
      { key: expect.stringMatching(`^sla-announce:\\d+:${PAGES}$`), state: 'done' },
      { key: expect.stringMatching(`^sla-announce:\\d+:${ARCHIVED}$`), state: 'done' },
      { key: expect.stringMatching(/^sla-ticket:checkout-errors:\d+$/), state: 'done' },
    ]);
  }, 90_000);
});
