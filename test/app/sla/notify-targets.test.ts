import { beforeEach, describe, expect, it } from 'vitest';
import { slaAlertStore, slaSignals } from '../../../src/adapters/db/sla-alert-repository.ts';
import { renderOutbound } from '../../../src/adapters/slack/blocks/outbound.ts';
import { sketchOps } from '../../../src/adapters/telemetry/sketch-ops.ts';
import type { DeliveryDeps } from '../../../src/app/delivery/handlers.ts';
import { type ChatGateway, DeliveryError, type OutboundMessage } from '../../../src/app/outbox/ports.ts';
import { evaluateSlaAlerts, type SlaAlertDeps } from '../../../src/app/sla/alerts.ts';
import { applySlaDocuments } from '../../../src/app/sla/apply.ts';
import { readYamlDocuments } from '../../../src/commands/sla.ts';
import { DEFAULT_SLA_ALERT_POLICY } from '../../../src/domain/sla/alerting.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { backends } from '../../support/db.ts';
import type { FakeChat } from '../../support/fake-chat.ts';
import { drain, posted } from '../incidents/delivery-support.ts';
import { makeDue, systemCtx, useIncidentWorld, type World } from '../incidents/setup.ts';

/**
 * SLA alerts routed to the Slack channels an SLA's OpenSLO AlertNotificationTargets name: a ticket to the
 * ticket policy's targets (not the alerts channel), and an incident's announcement to the page policy's
 * targets (besides the incident channel, the page and the alerts channel), each exactly once, whatever
 * Slack, the per-minute evaluator and the worker do; and a target the bot cannot post in, reported once.
 */
const PAGES = 'C0PAYPAGES1';
const TICKETS = 'C0PAYTICKET';
const METRIC = 'http.server.request';

const YAML = `
apiVersion: openslo/v1
kind: Service
metadata: { name: checkout, displayName: Checkout }
spec: { description: Takes the orders }
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: { name: payments-oncall }
spec: { target: "slack:${PAGES}", description: the payments on-call channel }
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: payments-tickets
  annotations: { revenue-leak-sre/slack-channel: ${TICKETS} }
spec: { target: slack }
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: { name: payments-paging }
spec:
  conditions:
    - kind: AlertCondition
      metadata: { name: fast-burn }
      spec:
        severity: page
        condition: { kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m }
  notificationTargets: [{ targetRef: payments-oncall }]
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: { name: payments-tickets }
spec:
  conditions:
    - kind: AlertCondition
      metadata: { name: slow-burn }
      spec:
        severity: ticket
        condition: { kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h, alertAfter: 5m }
  notificationTargets: [{ targetRef: payments-tickets }]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-availability, displayName: Checkout availability }
spec:
  service: checkout
  indicator:
    metadata: { name: checkout-success }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: ${METRIC}, ok: true } } }
        total: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: ${METRIC} } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
  alertPolicies: [payments-paging, payments-tickets]
`;

/**
 * The FakeChat as the worker sees it, with Slack's answers scripted per channel: `refuse` answers a post
 * there with that error (as Slack does for a channel the bot is not in), `loseOnce` loses the response of
 * the first post there (it took effect). Counts every post attempted, by channel.
 */
function scriptedChat(chat: FakeChat, o: { refuse?: Record<string, string>; loseOnce?: string } = {}) {
  const attempts = new Map<string, number>();
  let lose = o.loseOnce;
  const post = async (channel: string, message: OutboundMessage, key: string) => {
    attempts.set(channel, (attempts.get(channel) ?? 0) + 1);
    const code = o.refuse?.[channel];
    if (code !== undefined) throw new DeliveryError(code, { permanent: true });
    const r = await chat.post(channel, message, key);
    if (channel === lose) {
      lose = undefined;
      throw new DeliveryError('network');
    }
    return r;
  };
  const gateway = new Proxy(chat, {
    get(target, prop) {
      if (prop === 'post') return post;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as ChatGateway;
  return { gateway, attempts: (channel: string) => attempts.get(channel) ?? 0 };
}

describe.each(backends)('SLA alerts to OpenSLO notification targets on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  let deps: SlaAlertDeps;
  let delivery: DeliveryDeps;

  beforeEach(async () => {
    w = world.w;
    w.clock.advance(-(w.clock.now() % MINUTE_MS) + 30_000);
    const yaml = readYamlDocuments(YAML);
    if (!yaml.ok) throw new Error(yaml.errors.join('\n'));
    const applied = await applySlaDocuments({ slas: w.repos.slas, clock: w.clock }, systemCtx, yaml.docs);
    expect(applied).toMatchObject({ ok: true, warnings: [] });
    const [def] = await w.repos.slas.listActive(w.clock.now());
    expect(def?.notify).toEqual({
      page: [PAGES],
      ticket: [TICKETS],
      byRule: { '1h/5m': [PAGES], '1h/5m#2': [TICKETS] },
    });
    deps = {
      slas: w.repos.slas,
      signals: slaSignals(w.db, sketchOps),
      store: slaAlertStore(w.db),
      incident: w.deps,
      policy: DEFAULT_SLA_ALERT_POLICY,
    };
    delivery = { ...w.delivery, clock: w.clock };
  });

  /** `minutes` minutes of checkout traffic ending with the minute before now's. */
  const traffic = (minutes: number, total: number, bad: number) =>
    w.db.query(
      `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors)
       SELECT 'checkout', $1, '{}'::jsonb, 'h', $2::timestamptz - make_interval(mins => g), $3, $4
       FROM generate_series(1, $5::int) g
       ON CONFLICT (service, metric, tags_hash, minute) DO UPDATE
         SET count = EXCLUDED.count, errors = EXCLUDED.errors`,
      [
        METRIC,
        new Date(Math.floor(w.clock.now() / MINUTE_MS) * MINUTE_MS).toISOString(),
        total,
        bad,
        minutes,
      ],
    );
  /** A minute passes with this traffic, and the evaluator runs (the `sla-burn` job). */
  const tick = async (total: number, bad: number) => {
    w.clock.advance(MINUTE_MS);
    await traffic(1, total, bad);
    const out = await evaluateSlaAlerts(deps, systemCtx);
    return out.find((o) => o.slaId === 'checkout-availability')!;
  };
  /** The worker delivers until nothing is pending (retries made due at once). */
  const settle = async (chat: ChatGateway = w.chat) => {
    for (let round = 0; round < 20; round++) {
      await makeDue(w.db);
      await drain(w, { ...delivery, chat });
      if ((await w.repos.jobs.stats()).pending === 0) return;
    }
    throw new Error('outbox still pending');
  };
  const theIncident = async () => {
    const [row] = await w.db.query<{ id: string }>(
      "SELECT id::text AS id FROM incidents WHERE dedupe_key = 'sla:checkout-availability'",
    );
    return (await w.repos.incidents.get(row!.id))!;
  };
  const notes = async (id: string) =>
    (await w.repos.incidents.timeline(id, 100)).filter((e) => e.kind === 'NOTE');
  const refusals = () =>
    w.db.query<{ target_id: string; after: { channel: string; code: string; alert: string } }>(
      "SELECT target_id, after FROM audit_log WHERE action = 'sla.notify_refused' ORDER BY id",
    );

  it('announces a page in its target channel once, across evaluations, a lost response and a reopen', async () => {
    const chat = scriptedChat(w.chat, { loseOnce: PAGES });
    await traffic(60, 100, 0);
    expect(await tick(100, 100)).toMatchObject({ action: 'page', incident: 'declared', ticket: false });
    await settle(chat.gateway);
    const incident = await theIncident();
    const room = incident.channelId!;
    expect(room).toBeTruthy();
    // Everything a page did before is still done: channel, page, the alerts channel's announcement.
    expect(posted(w, 'page', room)).toHaveLength(1);
    expect(posted(w, 'announce', 'CALERTS')).toHaveLength(1);
    // And the payments channel hears of it once, with the way into the incident channel.
    const announced = posted(w, 'announce', PAGES);
    expect(announced).toHaveLength(1);
    // Its first post's response was lost: the retry found the message by its key instead of posting again.
    expect(chat.attempts(PAGES)).toBe(1);
    expect(w.chat.calls).toContain('findPosted');
    // The announcement carries the incident channel (the renderer links it; FakeChat's ids are too short).
    expect(announced[0]!.message).toMatchObject({ kind: 'announce', incident: { channelId: room } });
    expect(renderOutbound(announced[0]!.message).text).toContain('Checkout availability');
    // No ticket anywhere: the page suppresses it.
    expect(posted(w, 'sla_ticket')).toHaveLength(0);

    // The burn goes on for two more evaluations, then recovers until the incident resolves.
    for (let m = 0; m < 2; m++) expect((await tick(100, 100)).incident).toBe('updated');
    await settle(chat.gateway);
    let resolved = false;
    for (let m = 0; m < 60 && !resolved; m++) resolved = (await tick(100, 0)).incident === 'resolved';
    expect(resolved).toBe(true);
    // It comes back within the reopen window: the same incident, which the target already heard of.
    expect((await tick(100, 100)).incident).toBe('reopened');
    await settle(chat.gateway);
    expect(posted(w, 'announce', PAGES)).toHaveLength(1);
    expect(chat.attempts(PAGES)).toBe(1);
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  });

  it('posts a ticket to its ticket target instead of the alerts channel, once per episode', async () => {
    // 0.5% errors: a 5× burn fires the ticket condition (2×) and not the page one (14.4×).
    await traffic(60, 1000, 5);
    expect(await tick(1000, 5)).toMatchObject({ action: 'ticket', incident: 'none', ticket: true });
    await settle();
    for (let m = 0; m < 3; m++) expect((await tick(1000, 5)).ticket).toBe(false);
    await settle();
    const tickets = posted(w, 'sla_ticket');
    expect(tickets.map((t) => t.channel)).toEqual([TICKETS]);
    expect(renderOutbound(tickets[0]!.message).text).toContain('Ticket');
    const audit = await w.db.query<{ after: { channels: string[] } }>(
      "SELECT after FROM audit_log WHERE action = 'sla.ticket_posted'",
    );
    expect(audit.map((a) => a.after.channels)).toEqual([[TICKETS]]);
  });

  it('a page target that refuses the bot is noted on the timeline once and holds up nothing', async () => {
    const chat = scriptedChat(w.chat, { refuse: { [PAGES]: 'not_in_channel' } });
    await traffic(60, 100, 0);
    await tick(100, 100);
    await settle(chat.gateway);
    const incident = await theIncident();
    expect(posted(w, 'page', incident.channelId!)).toHaveLength(1);
    expect(posted(w, 'page_dm')).toHaveLength(1);
    expect(posted(w, 'announce', 'CALERTS')).toHaveLength(1);
    expect(chat.attempts(PAGES)).toBe(1);
    const [note, ...more] = await notes(incident.id);
    expect(more).toEqual([]);
    expect(note!.data).toMatchObject({ channel: PAGES, code: 'not_in_channel' });
    expect(String(note!.data['text'])).toContain(`${PAGES}`);

    // Two more evaluations: nothing tried again, nothing noted again, and the outbox holds no failure.
    await tick(100, 100);
    await tick(100, 100);
    await settle(chat.gateway);
    expect(chat.attempts(PAGES)).toBe(1);
    expect(await notes(incident.id)).toHaveLength(1);
    expect(await refusals()).toEqual([
      {
        target_id: 'checkout-availability',
        after: expect.objectContaining({ channel: PAGES, code: 'not_in_channel', alert: 'announce' }),
      },
    ]);
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  });

  it('a ticket no target can take goes to the alerts channel instead, the refusal audited once', async () => {
    const chat = scriptedChat(w.chat, { refuse: { [TICKETS]: 'channel_not_found' } });
    await traffic(60, 1000, 5);
    expect((await tick(1000, 5)).ticket).toBe(true);
    await settle(chat.gateway);
    await tick(1000, 5);
    await settle(chat.gateway);
    expect(posted(w, 'sla_ticket').map((t) => t.channel)).toEqual(['CALERTS']);
    expect(chat.attempts(TICKETS)).toBe(1);
    expect(await refusals()).toEqual([
      {
        target_id: 'checkout-availability',
        after: expect.objectContaining({ channel: TICKETS, code: 'channel_not_found', alert: 'ticket' }),
      },
    ]);
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  });
});
