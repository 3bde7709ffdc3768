import { describe, expect, it } from 'vitest';
import { incidentLine } from '../../../src/adapters/slack/blocks/home.ts';
import { ACTIONS } from '../../../src/adapters/slack/blocks/ids.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderOutbound, renderTopic, TOPIC_MAX } from '../../../src/adapters/slack/blocks/outbound.ts';
import { leakText } from '../../../src/adapters/slack/blocks/revops-kit.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import type { Incident } from '../../../src/domain/incidents/incident.ts';
import { stuckLeakFigures } from '../../../src/domain/incidents/revops-leak.ts';
import type { StuckDeal } from '../../../src/domain/revops/aggregates.ts';
import { REVOPS_STUCK_DEDUPE_KEY, type RevopsLeakFigures } from '../../../src/domain/revops/leak.ts';
import { buildIncident, flat, HOSTILE, PINGS, T0 } from './incident-fixtures.ts';

/**
 * The pipeline incident (stuck deals over the leak budget) on every Slack surface an incident reaches:
 * its War Room, topic, announce, page, alert and Home line say what it is, within Slack's limits, with
 * CSV-borne accounts and owners escaped; and the insight line that names the incident it feeds.
 */

const BUDGET = 50_000_000;

const deal = (n: number, o: Partial<StuckDeal> = {}): StuckDeal => ({
  dealId: `D${n}`,
  account: `Account ${n}`,
  owner: 'Dana Whitfield',
  segment: 'ENT',
  stage: 'Negotiation',
  amountCents: 17_000_000,
  daysInStage: 120 - n,
  ...o,
});

function leakFigures(deals: StuckDeal[], total = { deals: 7, amountCents: 120_000_000 }): RevopsLeakFigures {
  return stuckLeakFigures(
    {
      pipeline: { source: 'deals', stuck: deals, stuckTotal: total },
      budgetCents: BUDGET,
      rule: { minDays: 45, minCents: 5_000_000 },
      nowMs: T0,
    },
    DEFAULT_BUDGET_POLICY,
  );
}

const pipelineIncident = (f: RevopsLeakFigures, o: Partial<Incident> = {}): Incident => ({
  ...buildIncident({
    id: '91',
    dedupeKey: REVOPS_STUCK_DEDUPE_KEY,
    title: 'Stuck deals over the leak budget',
    severity: f.severity,
    paging: f.paging,
    channelId: 'C0PIPE1',
    channelName: 'inc-20250602-91-stuck-deals-over-the-leak-budget',
  }),
  figures: f,
  ...o,
});

const SEVEN = leakFigures([1, 2, 3, 4, 5, 6, 7].map((n) => deal(n)));
const actionIds = (r: { blocks: readonly unknown[] }): string[] =>
  r.blocks.flatMap((b) => {
    const block = b as { type: string; elements?: Array<{ action_id?: string }> };
    return block.type === 'actions' ? (block.elements ?? []).map((e) => e.action_id ?? '') : [];
  });

describe('pipeline incident War Room', () => {
  it('says what it is: the stuck total against the budget, the rule, the deals longest first', () => {
    const r = renderOutbound({ kind: 'war_room', incident: pipelineIncident(SEVEN) });
    expect(limitViolations(r)).toEqual([]);
    expect(r.text).toBe(
      'SEV-1 · Stuck deals over the leak budget · DETECTED: 7 deals worth $1,200,000 stuck over 45 days ' +
        '(budget $500,000), 2.4× the budget',
    );
    const all = flat(r);
    for (const part of [
      '*Stuck deals*\\n7 worth $1,200,000',
      '*Leak budget*\\n$500,000 · stuck is 2.4× it',
      '*Stuck rule*\\n≥ 45 days in stage and ≥ $50,000',
      '*Deals from*\\nimported deals',
      '• *Account 1* (`D1`) · Negotiation · *$170,000* · 119 days in stage · Dana Whitfield',
    ])
      expect(all).toContain(part);
    expect(all.indexOf('Account 1')).toBeLessThan(all.indexOf('Account 7'));
    // Acknowledge, and Resolve with a confirmation while still over the budget; no Rescan or fix buttons.
    expect(actionIds(r)).toEqual([ACTIONS.ack, ACTIONS.resolve]);
    expect(all).toContain('Resolve while over budget?');
  });

  it('stays within the block budget with many long hostile deals, saying how many more there are', () => {
    const hostile = Array.from({ length: 200 }, (_, n) =>
      deal(n, {
        account: `${HOSTILE}${'a'.repeat(200)}`,
        owner: HOSTILE,
        stage: HOSTILE,
        dealId: `${HOSTILE}`,
      }),
    );
    const f = leakFigures(hostile, { deals: 500, amountCents: 9_000_000_000 });
    const r = renderOutbound({ kind: 'war_room', incident: pipelineIncident(f) });
    expect(limitViolations(r)).toEqual([]);
    expect(flat(r)).not.toMatch(PINGS);
    expect(flat(r)).toMatch(/…and [\d,]+ more stuck deals \(\$[\d,]+\)/);
  });

  it('resolved: no buttons but nothing left to do, no paging badge', () => {
    const r = renderOutbound({
      kind: 'war_room',
      incident: pipelineIncident(SEVEN, {
        state: 'resolved',
        resolvedAtMs: T0,
        resolvedBy: 'system:revops-watch',
        paging: 'OK',
      }),
    });
    expect(limitViolations(r)).toEqual([]);
    expect(actionIds(r)).toEqual([]);
    expect(r.text).toContain('RESOLVED');
  });
});

describe('pipeline incident on the other surfaces', () => {
  const i = pipelineIncident(SEVEN);

  it('topic: severity, concern, amount against the budget, paging (plain, within 250)', () => {
    expect(renderTopic(i)).toBe('SEV-1 · Stuck deals · $1,200,000 over the $500,000 budget · PAGE');
    expect(renderTopic(i).length).toBeLessThanOrEqual(TOPIC_MAX);
    expect(renderTopic({ ...i, state: 'resolved', resolvedAtMs: T0 })).toMatch(
      /^RESOLVED · SEV-1 · Stuck deals/,
    );
  });

  it('announce, page and alert carry the summary and the facts line', () => {
    const summary = '7 deals worth $1,200,000 stuck over 45 days (budget $500,000), 2.4× the budget';
    for (const m of [
      { kind: 'announce' as const, incident: i },
      { kind: 'page' as const, incident: i, repeat: 0, escalated: false, mentions: ['SONCALL'] },
      { kind: 'alert' as const, incident: i, event: 'declared' as const },
    ]) {
      const r = renderOutbound(m);
      expect(limitViolations(r)).toEqual([]);
      expect(flat(r)).toContain(summary);
    }
    const page = renderOutbound({ kind: 'page', incident: i, repeat: 0, escalated: false, mentions: [] });
    expect(flat(page)).toContain('stuck ≥ 45 days in stage and ≥ $50,000 · imported deals · detected');
  });

  it('the Home and /leak status line names the stuck deals and the budget', () => {
    expect(incidentLine(i)).toContain('7 stuck deals · $1,200,000 (budget $500,000) · <#C0PIPE1>');
  });
});

describe('an insight over the leak budget says which incident it feeds', () => {
  const leak = { reason: 'stuck_deals', atRiskCents: 120_000_000 };

  it.each([
    [
      'the incident open, with its channel',
      { id: '91', severity: 2 as const, state: 'detected' as const, channelId: 'C0PIPE1', channelName: 'x' },
      ':rotating_light: Crosses the leak budget ($1,200,000 at risk) → feeds open incident #91 (SEV-2, DETECTED) in <#C0PIPE1>',
    ],
    [
      'none open now',
      null,
      ':rotating_light: Crosses the leak budget ($1,200,000 at risk) · no pipeline incident is open now: the daily pipeline watch judges the deals stuck today',
    ],
    ['nobody looked', undefined, ':rotating_light: Leak: stuck_deals · $1,200,000 at risk'],
  ])('%s', (_, incident, text) => {
    expect(leakText({ ...leak, ...(incident === undefined ? {} : { incident }) })).toBe(text);
  });
});
