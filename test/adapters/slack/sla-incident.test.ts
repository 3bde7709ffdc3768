import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/adapters/slack/blocks/ids.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderOutbound, renderTopic } from '../../../src/adapters/slack/blocks/outbound.ts';
import type { Incident } from '../../../src/domain/incidents/incident.ts';
import type { SlaFigures, SlaRuleRate } from '../../../src/domain/sla/figures.ts';
import { formatShare as sharePct } from '../../../src/shared/format.ts';
import {
  AVAILABILITY,
  definitionsOf,
  edit,
  service,
  slaFiguresFor,
  sli,
  slo,
} from '../../domain/sla/openslo-fixtures.ts';
import { buildIncident, flat, HOSTILE, PINGS } from './incident-fixtures.ts';

/** SLA incidents in Slack: the War Room, topic, pages, tickets and the cardinality alert. */
const rate = (rule: string, action: 'page' | 'ticket', factor: number, fired: boolean): SlaRuleRate => ({
  rule,
  action,
  factor,
  longBurn: fired ? 36 : 0.5,
  shortBurn: fired ? 41.2 : 0.4,
  longTotal: 6000,
  longBad: fired ? 216 : 3,
  shortTotal: 500,
  shortBad: fired ? 21 : 0,
  fired,
});

/** The checkout availability SLA's terms, as its figures carry them. */
const slaFigures = (over: Partial<SlaFigures> = {}): SlaFigures =>
  slaFiguresFor({ ...AVAILABILITY, version: 2 }, Date.parse('2026-11-30T10:00:30Z'), {
    burn: 36,
    rates: [
      rate('1h/5m', 'page', 14.4, true),
      rate('6h/30m', 'page', 6, true),
      rate('24h/2h', 'ticket', 3, false),
      rate('3d/6h', 'ticket', 1, false),
    ],
    budgetRemaining: 0.42,
    trend: {
      hours: 24,
      fromMs: Date.parse('2026-11-29T10:00:00Z'),
      current: { total: 240_000, bad: 1_200, p99Ms: 812.4 },
      weekBefore: { total: 230_000, bad: 46, p99Ms: 240 },
    },
    evidence: Array.from({ length: 5 }, (_, k) => ({
      timeMs: Date.parse('2026-11-30T10:00:00Z') - k * 1000,
      name: 'http.server.request',
      level: 'ERROR',
      message: `payment declined #${k}`,
      traceId: `4bf92f3577b34da6a3ce929d0e0e${k}736`,
      durationMs: 1234,
    })),
    ...over,
  });

const slaIncident = (over: Partial<Incident> = {}, f: Partial<SlaFigures> = {}): Incident => ({
  ...buildIncident({
    title: 'SLA burn: Checkout availability',
    severity: 2,
    dedupeKey: 'sla:checkout-availability',
  }),
  figures: slaFigures(f),
  ...over,
});

describe('SLA incident messages', () => {
  it('the War Room shows the burn by rule, the trend and the evidence, within Block Kit limits', () => {
    const r = renderOutbound({ kind: 'war_room', incident: slaIncident() });
    expect(limitViolations(r)).toEqual([]);
    const text = flat(r);
    expect(r.text).toBe(
      'SEV-2 · SLA burn: Checkout availability · DETECTED: burn 36.0× (1h/5m) · 96.40% good in the last 1h (target 99.9%)',
    );
    for (const s of [
      'Burn by rule',
      '1h/5m',
      '*fired*',
      'Trend',
      '812 ms',
      'payment declined #0',
      'Latest errors',
      'Budget left (30d)',
    ])
      expect(text).toContain(s);
    expect(text).not.toContain('Rescan');
    const actions = r.blocks.flatMap((b) =>
      b.type === 'actions' ? (b.elements as { action_id: string; confirm?: unknown }[]) : [],
    );
    expect(actions.map((a) => a.action_id)).toEqual([ACTIONS.ack, ACTIONS.resolve]);
    // Resolving while a page rule still fires asks first.
    expect(actions[1]!.confirm).toBeDefined();
  });

  it('a calendar-month SLA (OpenSLO isRolling: false, 1M) names its window "calendar month", never 30 days', () => {
    const monthly = edit(slo(), 'spec.timeWindow', [{ duration: '1M', isRolling: false }]);
    const [def] = definitionsOf([service(), sli(), monthly]);
    const figures = slaFiguresFor(def!, Date.parse('2026-11-30T10:00:30Z'), { budgetRemaining: 0.42 });
    const room = flat(renderOutbound({ kind: 'war_room', incident: slaIncident({ figures }) }));
    expect(room).toContain('Budget left (calendar month)');
    expect(room).toContain('calendar month window');
    const ticket = flat(renderOutbound({ kind: 'sla_ticket', figures }));
    expect(ticket).toContain('of the calendar month budget left');
    for (const text of [room, ticket]) expect(text).not.toMatch(/30d|30-day/);
    // A rolling window reads as before.
    const rolling = flat(renderOutbound({ kind: 'war_room', incident: slaIncident() }));
    expect(rolling).toContain('30-day window');
  });

  it('escapes every telemetry-sent string: names, messages, trace ids', () => {
    const evil = slaIncident(
      { title: `SLA burn: ${HOSTILE}` },
      {
        name: HOSTILE,
        service: HOSTILE,
        metric: HOSTILE,
        evidence: [
          {
            timeMs: 0,
            name: HOSTILE,
            level: HOSTILE,
            message: HOSTILE.repeat(40),
            traceId: HOSTILE,
            durationMs: null,
          },
        ],
      },
    );
    for (const kind of ['war_room', 'announce'] as const) {
      const r = renderOutbound({ kind, incident: evil });
      expect(flat(r)).not.toMatch(PINGS);
      expect(limitViolations(r)).toEqual([]);
    }
    const ticket = renderOutbound({ kind: 'sla_ticket', figures: evil.figures as SlaFigures });
    expect(flat(ticket)).not.toMatch(PINGS);
  });

  it('pages mention the on-call group and carry the SLA summary; the topic is plain', () => {
    const i = slaIncident();
    const page = renderOutbound({
      kind: 'page',
      incident: i,
      mentions: ['SONCALL'],
      repeat: 0,
      escalated: false,
    });
    expect(page.text).toContain(
      '<!subteam^SONCALL> :rotating_light: *PAGE* SEV-2 · *SLA burn: Checkout availability* — burn 36.0× (1h/5m)',
    );
    expect(renderTopic(i)).toBe('SEV-2 · SLA burn 1h/5m · PAGE');
  });

  it('a resolved SLA incident offers no buttons', () => {
    const r = renderOutbound({
      kind: 'war_room',
      incident: slaIncident(
        {
          state: 'resolved',
          resolvedAtMs: Date.parse('2026-11-30T11:00:00Z'),
          resolvedBy: 'system:sla-burn',
        },
        { action: 'none', rule: null },
      ),
    });
    expect(r.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(r.text).toContain('RESOLVED');
  });

  it('a resolved SLA incident shows no PAGE in its War Room or topic, resolved by hand while it burns', () => {
    // Resolved by a person while the page rule still fires: its paging and figures still say PAGE.
    const byHand = slaIncident({
      state: 'resolved',
      paging: 'PAGE',
      resolvedAtMs: Date.parse('2026-11-30T11:00:00Z'),
      resolvedBy: 'slack:T1:U9',
    });
    const room = renderOutbound({ kind: 'war_room', incident: byHand });
    expect(flat(room)).not.toMatch(/PAGE|WARN|:rotating_light:/);
    expect(flat(room)).toContain('*Paging*\\n— resolved');
    expect(renderTopic(byHand)).toBe('RESOLVED · SEV-2 · SLA burn 1h/5m');
  });

  it('names the rule that paged, not the ticket rule still firing when it resolved by itself', () => {
    const resolved = slaIncident(
      { state: 'resolved', paging: 'OK', resolvedAtMs: Date.parse('2026-11-30T11:00:00Z') },
      { action: 'ticket', rule: '24h/2h', lastPageRule: '1h/5m' },
    );
    expect(renderTopic(resolved)).toBe('RESOLVED · SEV-2 · SLA burn 1h/5m');
    expect(flat(renderOutbound({ kind: 'war_room', incident: resolved }))).toContain(
      'last page rule (1h/5m) fired',
    );
  });

  it('the cardinality alert lists the metrics, at most twenty', () => {
    const over = Array.from({ length: 25 }, (_, k) => ({
      service: 'checkout',
      metric: `m${k}`,
      combinations: 10_001 + k,
    }));
    const r = renderOutbound({ kind: 'cardinality_alert', over, tagLimit: 10_000 });
    expect(r.text).toContain('25 metrics exceed 10,000 distinct tag combinations');
    expect(flat(r)).toContain('10,001');
    expect(flat(r)).toContain('…and 5 more');
    expect(limitViolations(r)).toEqual([]);
  });

  it('shares are floored so a miss never reads as its target', () => {
    expect(sharePct(0.99949)).toBe('99.949%');
    expect(sharePct(0.9989999)).toBe('99.899%');
    expect(sharePct(0.5)).toBe('50.00%');
    expect(sharePct(1)).toBe('100%'); // all good: the War Room says 100%, as the weekly report does
  });
});
