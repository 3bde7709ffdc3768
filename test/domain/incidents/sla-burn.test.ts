import { describe, expect, it } from 'vitest';
import type { IncidentSeverity, Paging } from '../../../src/domain/budget/budget.ts';
import type { Incident } from '../../../src/domain/incidents/incident.ts';
import {
  assessBurn,
  type BurnInputs,
  judgeBurn,
  slaResolveReason,
} from '../../../src/domain/incidents/sla-burn.ts';
import {
  DEFAULT_SLA_ALERT_POLICY,
  type SlaAlertState,
  slaDedupeKey,
} from '../../../src/domain/sla/alerting.ts';
import { evaluateBurn, HOUR_MS } from '../../../src/domain/sla/burn.ts';
import type { SlaEvidence, SlaFigures, SlaTrend } from '../../../src/domain/sla/figures.ts';
import type { BurnReading } from '../../../src/domain/sla/reading.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';
import { AVAILABILITY, slaFiguresFor } from '../sla/openslo-fixtures.ts';

const P = DEFAULT_SLA_ALERT_POLICY;
const NOW = Date.parse('2026-11-30T10:00:30Z');

/** A reading whose every window holds `total` events of which `bad` failed. */
const flat = (total: number, bad: number): BurnReading => ({
  evaluation: evaluateBurn(() => ({ total, bad }), AVAILABILITY.target),
  budgetRemaining: 0.5,
});
const PAGE_SEV2 = flat(1000, 20);
const PAGE_SEV1 = flat(1000, 1000);
const TICKET = flat(10_000, 40);
const QUIET = flat(10_000, 0);

const EVIDENCE: SlaEvidence[] = [
  {
    timeMs: NOW - MINUTE_MS,
    name: 'POST /checkout',
    level: 'error',
    message: null,
    traceId: 't',
    durationMs: 5,
  },
];
const TREND: SlaTrend = {
  hours: 24,
  fromMs: NOW - DAY_MS,
  current: { total: 1, bad: 0, p99Ms: null },
  weekBefore: { total: 1, bad: 0, p99Ms: null },
};

const incident = (
  severity: IncidentSeverity,
  lastPageAgo: number,
  over: Partial<Incident> = {},
  figuresOver: Partial<SlaFigures> = {},
): Incident => ({
  id: '7',
  dedupeKey: slaDedupeKey(AVAILABILITY.id),
  title: 'SLA burn: Checkout availability',
  state: 'detected',
  severity,
  paging: 'PAGE',
  openedAtMs: NOW - HOUR_MS,
  acknowledgedAtMs: null,
  acknowledgedBy: null,
  resolvedAtMs: null,
  resolvedBy: null,
  commander: null,
  figures: slaFiguresFor(AVAILABILITY, NOW - MINUTE_MS, {
    lastPageAtMs: NOW - lastPageAgo,
    trend: TREND,
    evidence: EVIDENCE,
    ...figuresOver,
  }),
  channelId: null,
  channelName: null,
  warRoomTs: null,
  pagesSent: 1,
  nextPageAtMs: null,
  recoveredCents: 0,
  ...over,
});

const figures = (over: Partial<SlaFigures> = {}): SlaFigures => slaFiguresFor(AVAILABILITY, NOW, over);

const inputs = (over: Partial<BurnInputs>): BurnInputs => ({
  def: AVAILABILITY,
  nowMs: NOW,
  reading: QUIET,
  trend: null,
  open: null,
  lastResolved: null,
  alertState: null,
  policy: P,
  canPostTicket: true,
  ...over,
});

const state = (lastFiredAgo: number | null, lastTicketAtMs: number | null = null): SlaAlertState => ({
  slaId: AVAILABILITY.id,
  lastFiredAtMs: lastFiredAgo === null ? null : NOW - lastFiredAgo,
  lastTicketAtMs,
});

describe('judgeBurn', () => {
  it('a page with nothing open declares; no page with nothing open does nothing', () => {
    expect(judgeBurn(null, null, figures(), 2, P)).toEqual({ action: 'declare' });
    expect(judgeBurn(null, null, figures({ action: 'ticket', rule: '24h/2h' }), 4, P)).toEqual({
      action: 'none',
    });
    expect(judgeBurn(null, null, figures({ action: 'none', rule: null }), 4, P)).toEqual({ action: 'none' });
  });

  it('a page updates the open incident, naming a severity change', () => {
    expect(judgeBurn(incident(2, MINUTE_MS), null, figures(), 2, P)).toEqual({
      action: 'update',
      incidentId: '7',
      severityFrom: null,
    });
    expect(judgeBurn(incident(2, MINUTE_MS), null, figures(), 1, P)).toMatchObject({ severityFrom: 2 });
  });

  it('resolves once no page rule has fired for the reset window, not a minute sooner', () => {
    const quiet = (sinceLastPage: number) =>
      figures({ action: 'ticket', rule: '24h/2h', lastPageAtMs: NOW - sinceLastPage });
    expect(judgeBurn(incident(2, MINUTE_MS), null, quiet(P.resetMs - MINUTE_MS), 2, P).action).toBe('update');
    expect(judgeBurn(incident(2, MINUTE_MS), null, quiet(P.resetMs), 2, P)).toEqual({
      action: 'resolve',
      incidentId: '7',
    });
  });

  it('reopens the last resolved incident within the reopen window, declares anew after it', () => {
    const resolved = (ago: number) => incident(2, MINUTE_MS, { state: 'resolved', resolvedAtMs: NOW - ago });
    expect(judgeBurn(null, resolved(10 * MINUTE_MS), figures(), 2, P)).toEqual({
      action: 'reopen',
      incidentId: '7',
    });
    expect(judgeBurn(null, resolved(P.reopenWindowMs + MINUTE_MS), figures(), 2, P)).toEqual({
      action: 'declare',
    });
  });

  it('an evaluation older than the incident shows changes nothing', () => {
    const open = incident(2, MINUTE_MS, { figures: figures({ evaluatedAtMs: NOW + MINUTE_MS }) });
    expect(judgeBurn(open, null, figures(), 2, P)).toEqual({ action: 'none' });
  });
});

describe('assessBurn: the incident', () => {
  type Row = {
    name: string;
    x: Partial<BurnInputs>;
    verdict: ReturnType<typeof assessBurn>['verdict'];
    severity: IncidentSeverity;
    paging: Paging;
    figures?: Partial<SlaFigures>;
  };
  const rows: Row[] = [
    {
      name: 'a page with nothing open declares at the burn severity, last paged now',
      x: { reading: PAGE_SEV2, trend: TREND },
      verdict: { action: 'declare' },
      severity: 2,
      paging: 'PAGE',
      figures: {
        action: 'page',
        rule: '1h/5m',
        lastPageAtMs: NOW,
        lastPageRule: '1h/5m',
        trend: TREND,
        evidence: [],
        budgetRemaining: 0.5,
      },
    },
    {
      name: 'a milder page does not lower an open incident, and keeps its evidence',
      x: { reading: PAGE_SEV2, trend: TREND, open: incident(1, MINUTE_MS) },
      verdict: { action: 'update', incidentId: '7', severityFrom: null },
      severity: 1,
      paging: 'PAGE',
      figures: { lastPageAtMs: NOW, evidence: EVIDENCE },
    },
    {
      name: 'a worse page raises an open incident',
      x: { reading: PAGE_SEV1, trend: TREND, open: incident(3, MINUTE_MS) },
      verdict: { action: 'update', incidentId: '7', severityFrom: 3 },
      severity: 1,
      paging: 'PAGE',
    },
    {
      name: 'a ticket while open within the reset window keeps severity, warns, keeps the last page and trend',
      x: { reading: TICKET, open: incident(2, P.resetMs - MINUTE_MS) },
      verdict: { action: 'update', incidentId: '7', severityFrom: null },
      severity: 2,
      paging: 'WARN',
      figures: { action: 'ticket', lastPageAtMs: NOW - P.resetMs + MINUTE_MS, trend: TREND },
    },
    {
      name: 'a ticket rule still firing after the page keeps naming the rule that paged',
      x: {
        reading: TICKET,
        open: incident(2, P.resetMs - MINUTE_MS, {}, { lastPageRule: '1h/5m' }),
      },
      verdict: { action: 'update', incidentId: '7', severityFrom: null },
      severity: 2,
      paging: 'WARN',
      figures: { action: 'ticket', rule: '24h/2h', lastPageRule: '1h/5m' },
    },
    {
      name: 'nothing firing for the reset window resolves, at the severity it had',
      x: { reading: QUIET, open: incident(2, P.resetMs) },
      verdict: { action: 'resolve', incidentId: '7' },
      severity: 2,
      paging: 'OK',
      figures: { action: 'none', rule: null, lastPageAtMs: NOW - P.resetMs },
    },
    {
      name: 'a page within the reopen window reopens the last resolved incident',
      x: {
        reading: PAGE_SEV2,
        lastResolved: incident(2, HOUR_MS, { state: 'resolved', resolvedAtMs: NOW - 10 * MINUTE_MS }),
      },
      verdict: { action: 'reopen', incidentId: '7' },
      severity: 2,
      paging: 'PAGE',
      figures: { evidence: [] },
    },
    {
      name: 'a ticket with nothing open opens no incident',
      x: { reading: TICKET },
      verdict: { action: 'none' },
      severity: 4,
      paging: 'WARN',
    },
  ];
  it.each(rows)('$name', (r) => {
    const a = assessBurn(inputs(r.x));
    expect(a.verdict).toEqual(r.verdict);
    expect(a.severity).toBe(r.severity);
    expect(a.paging).toBe(r.paging);
    expect(a.figures).toMatchObject({
      kind: 'sla',
      slaId: AVAILABILITY.id,
      evaluatedAtMs: NOW,
      ...r.figures,
    });
  });
});

describe('assessBurn: the ticket', () => {
  const rows: [string, Partial<BurnInputs>, boolean, SlaAlertState['lastTicketAtMs']][] = [
    ['a first ticket with nothing open posts', { reading: TICKET }, true, NOW],
    [
      'without an alerts channel nothing posts nor is recorded',
      { reading: TICKET, canPostTicket: false },
      false,
      null,
    ],
    [
      'without an alerts channel the last ticket is kept',
      { reading: TICKET, canPostTicket: false, alertState: state(P.resetMs, NOW - DAY_MS) },
      false,
      NOW - DAY_MS,
    ],
    [
      'an open incident covers the SLA: no ticket',
      { reading: TICKET, open: incident(2, MINUTE_MS) },
      false,
      null,
    ],
    ['a page suppresses the ticket', { reading: PAGE_SEV2 }, false, null],
    [
      'the tail of an episode posts no second ticket',
      { reading: TICKET, alertState: state(MINUTE_MS, NOW - HOUR_MS) },
      false,
      NOW - HOUR_MS,
    ],
    [
      'a resolve leaves no incident: a new episode on the same evaluation posts',
      { reading: TICKET, open: incident(2, P.resetMs), alertState: state(P.resetMs) },
      true,
      NOW,
    ],
  ];
  it.each(rows)('%s', (_name, x, post, lastTicketAtMs) => {
    const { ticket } = assessBurn(inputs(x));
    expect(ticket.post).toBe(post);
    expect(ticket.next.lastTicketAtMs).toBe(lastTicketAtMs);
  });
});

it('the resolve reason counts minutes since the last page, else since the incident opened', () => {
  const f = slaFiguresFor(AVAILABILITY, NOW, { lastPageAtMs: NOW - 15 * MINUTE_MS });
  expect(slaResolveReason(f, { openedAtMs: 0 })).toBe('no page rule has fired for 15 minutes');
  const never = slaFiguresFor(AVAILABILITY, NOW, { lastPageAtMs: null });
  expect(slaResolveReason(never, { openedAtMs: NOW - HOUR_MS })).toBe(
    'no page rule has fired for 60 minutes',
  );
});
