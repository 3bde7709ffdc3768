import { describe, expect, it } from 'vitest';
import {
  budgetLeft,
  DEFAULT_SLA_ALERT_POLICY,
  judgeTicket,
  severityOfBurn,
  slaTitle,
  trendSpan,
} from '../../../src/domain/sla/alerting.ts';
import { evaluateBurn, HOUR_MS } from '../../../src/domain/sla/burn.ts';
import type { SlaFigures } from '../../../src/domain/sla/figures.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { AVAILABILITY, slaFiguresFor } from './openslo-fixtures.ts';

const P = DEFAULT_SLA_ALERT_POLICY;
const NOW = Date.parse('2026-11-30T10:00:30Z');

/** Constant windows: every window holds `total` events of which `bad` failed. */
const flat = (total: number, bad: number) => () => ({ total, bad });

const _figures = (over: Partial<SlaFigures> = {}): SlaFigures => slaFiguresFor(AVAILABILITY, NOW, over);

describe('severityOfBurn', () => {
  it('a page on the fastest rule is SEV-2, SEV-1 at ten times its factor, a slower page SEV-3', () => {
    // 99.9%: 2% bad burns 20× (> 14.4 and > 6): the 1h/5m rule is the one behind the page.
    expect(severityOfBurn(evaluateBurn(flat(1000, 20), 0.999))).toEqual({ severity: 2, paging: 'PAGE' });
    // 100% bad burns 1,000× ≥ 144×.
    expect(severityOfBurn(evaluateBurn(flat(1000, 1000), 0.999))).toEqual({ severity: 1, paging: 'PAGE' });
    // 0.7% bad burns 7×: only 6h/30m pages.
    const slow = evaluateBurn(flat(10_000, 70), 0.999);
    expect(slow.rule?.name).toBe('6h/30m');
    expect(severityOfBurn(slow)).toEqual({ severity: 3, paging: 'PAGE' });
  });

  it('a ticket is SEV-4 WARN, nothing firing SEV-4 OK', () => {
    expect(severityOfBurn(evaluateBurn(flat(10_000, 40), 0.999))).toEqual({ severity: 4, paging: 'WARN' });
    expect(severityOfBurn(evaluateBurn(flat(10_000, 0), 0.999))).toEqual({ severity: 4, paging: 'OK' });
  });
});

describe('judgeTicket', () => {
  const state = (lastFired: number | null, lastTicket: number | null = null) => ({
    slaId: 's',
    lastFiredAtMs: lastFired,
    lastTicketAtMs: lastTicket,
  });

  it('posts once per episode: the first firing ticket, then not while the burn goes on', () => {
    const first = judgeTicket(null, 'ticket', false, NOW, P);
    expect(first).toEqual({ post: true, next: { lastFiredAtMs: NOW, lastTicketAtMs: NOW } });
    const again = judgeTicket(state(NOW, NOW), 'ticket', false, NOW + MINUTE_MS, P);
    expect(again.post).toBe(false);
  });

  it('a new episode after the reset window posts again', () => {
    expect(judgeTicket(state(NOW - P.resetMs, NOW - HOUR_MS), 'ticket', false, NOW, P).post).toBe(true);
  });

  it('a page, or an open incident, suppresses the ticket but keeps the episode going', () => {
    expect(judgeTicket(null, 'page', true, NOW, P)).toEqual({
      post: false,
      next: { lastFiredAtMs: NOW, lastTicketAtMs: null },
    });
    expect(judgeTicket(null, 'ticket', true, NOW, P).post).toBe(false);
    // The tail of a burn the incident covered posts no ticket.
    expect(judgeTicket(state(NOW - MINUTE_MS), 'ticket', false, NOW, P).post).toBe(false);
  });

  it('nothing firing changes nothing', () => {
    expect(judgeTicket(state(NOW - 1, NOW - 2), 'none', false, NOW, P)).toEqual({
      post: false,
      next: { lastFiredAtMs: NOW - 1, lastTicketAtMs: NOW - 2 },
    });
  });
});

describe('budget, title and trend span', () => {
  it('budget left is 1 − the window burn; empty is full; overspent goes negative', () => {
    expect(budgetLeft(0, 0, 0.999)).toBe(1);
    expect(budgetLeft(100_000, 50, 0.999)).toBeCloseTo(0.5, 9);
    expect(budgetLeft(100_000, 200, 0.999)).toBeCloseTo(-1, 9);
  });

  it('the title makes the channel slug', () => {
    expect(slaTitle({ name: 'Checkout availability' })).toBe('SLA burn: Checkout availability');
  });

  it('the trend compares the last 24 complete hours', () => {
    expect(trendSpan(Date.parse('2026-11-30T10:20:00Z'))).toEqual({
      fromMs: Date.parse('2026-11-29T10:00:00Z'),
      toMs: Date.parse('2026-11-30T10:00:00Z'),
    });
  });
});
