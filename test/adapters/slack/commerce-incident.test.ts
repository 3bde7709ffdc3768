import { describe, expect, it } from 'vitest';
import { commerceSummary } from '../../../src/adapters/slack/blocks/commerce-incident.ts';
import { seriesBars } from '../../../src/adapters/slack/blocks/commerce-text.ts';
import { incidentLine, renderHome, renderStatus } from '../../../src/adapters/slack/blocks/home.ts';
import { ACTIONS, FIX_ACTIONS } from '../../../src/adapters/slack/blocks/ids.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderOutbound, renderTopic, TOPIC_MAX } from '../../../src/adapters/slack/blocks/outbound.ts';
import { renderWarRoom } from '../../../src/adapters/slack/blocks/war-room.ts';
import type { Incident } from '../../../src/domain/incidents/incident.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { commerceIncident, delivery, dipFigures, noSignalFigures } from './commerce-fixtures.ts';
import { flat, HOSTILE, PINGS, T0 } from './incident-fixtures.ts';

const dip = (o: Parameters<typeof dipFigures>[0] = {}, i: Partial<Incident> = {}) =>
  commerceIncident(dipFigures(o), i);
const silent = (o: Parameters<typeof noSignalFigures>[0] = {}, i: Partial<Incident> = {}) =>
  commerceIncident(noSignalFigures(o), i);
const dayOverDay = dipFigures().dip!;

const actionIds = (r: { blocks: readonly unknown[] }): string[] =>
  r.blocks.flatMap((b) => {
    const block = b as { type: string; elements?: Array<{ action_id?: string }> };
    return block.type === 'actions' ? (block.elements ?? []).map((e) => e.action_id ?? '') : [];
  });

describe('commerce incident topic', () => {
  it('names the signal, source and currency, and no running figure (each topic change posts a notice)', () => {
    expect(renderTopic(dip())).toBe('SEV-1 · Revenue dip · shopify USD · PAGE');
    const dod = dip({ dip: { ...dayOverDay, comparison: 'day_over_day', todayCents: 1 } });
    expect(renderTopic(dod)).toBe(renderTopic(dip()));
    expect(renderTopic(silent())).toBe('SEV-3 · No signal · stripe · WARN');
  });

  it('says RESOLVED and names no paging once resolved', () => {
    const t = renderTopic(
      dip({}, { state: 'resolved', resolvedAtMs: T0, resolvedBy: 'system:revenue-watch' }),
    );
    expect(t.startsWith('RESOLVED · SEV-1 · Revenue dip')).toBe(true);
    expect(t).not.toContain('PAGE');
  });

  it('keeps a hostile source out of control sequences and within 250 characters', () => {
    const t = renderTopic(dip({ source: `${HOSTILE}${'x'.repeat(400)}`, currency: '<!here>' }));
    expect(t.length).toBeLessThanOrEqual(TOPIC_MAX);
    expect(t).not.toMatch(/[<>]/);
  });
});

describe('commerce incident summary', () => {
  it('a weekday-baseline dip shows both numbers, the baseline rule and yesterday', () => {
    const s = commerceSummary(dipFigures());
    for (const part of [
      'today so far *$120.00* vs *$900.00*',
      'the median of the same weekday at this hour over the last 4 weeks',
      '86.6% below, fires at 20%',
      'yesterday by this time $800.00',
      "yesterday's whole day $1,000.00",
    ])
      expect(s).toContain(part);
  });

  it('a day-over-day dip says so, and why when the weekday history is missing', () => {
    const s = commerceSummary(
      dipFigures({
        dip: {
          ...dayOverDay,
          comparison: 'day_over_day',
          weekdayBaselineAvailable: false,
          weekdayBaselineCents: null,
        },
      }),
    );
    expect(s).toContain('today so far *$120.00* vs *$800.00* yesterday by this time (day over day)');
    expect(s).toContain('not enough weekday history');
    expect(s).toContain("yesterday's whole day $1,000.00");
  });

  it('a silence names the source, how long, the usual gap and the parse error', () => {
    const s = commerceSummary(noSignalFigures());
    expect(s).toContain('no ledger event from `stripe` for 31 h (usual gap ≤ 24 h');
    expect(s).toContain('`charge.amount is not an integer`');
    const never = commerceSummary(
      noSignalFigures({
        noSignal: { ...noSignalFigures().noSignal!, lastEventAtMs: null, parseError: null },
      }),
    );
    expect(never).toContain('no ledger event from `stripe` yet');
    expect(never).not.toContain('parse');
  });

  it('money in its own currency', () => {
    const s = commerceSummary(
      dipFigures({ currency: 'JPY', dip: { ...dayOverDay, todayCents: 1200, weekdayBaselineCents: 9000 } }),
    );
    expect(s).toContain('today so far *¥1,200* vs *¥9,000*');
  });
});

describe('commerce War Room', () => {
  it('shows DNR against the baseline, the 7-day bars, the slope and the deliveries, within limits', () => {
    const r = renderOutbound({ kind: 'war_room', incident: dip() });
    expect(limitViolations(r)).toEqual([]);
    const text = flat(r);
    for (const s of [
      'DNR today (so far)',
      'Compared with (weekday baseline)',
      '$900.00',
      'Slope (7 days)',
      '↓ $118.57/day',
      'Last 7 days',
      '```',
      '-$125.00',
      '(so far)',
      'Last deliveries',
      '`orders/create` failed',
      'missing total_price',
    ])
      expect(text).toContain(s);
    expect(r.text).toContain('SEV-1 · Revenue dip: shopify USD · DETECTED: today so far');
  });

  it('carries Acknowledge and Resolve, never Rescan or fix-pack buttons', () => {
    const ids = actionIds(renderOutbound({ kind: 'war_room', incident: dip() }));
    expect(ids).toEqual([ACTIONS.ack, ACTIONS.resolve]);
    for (const id of Object.values(FIX_ACTIONS)) expect(ids).not.toContain(id);
    expect(ids).not.toContain(ACTIONS.rescan);
    const acked = actionIds(
      renderOutbound({
        kind: 'war_room',
        incident: dip({}, { state: 'acknowledged', acknowledgedAtMs: T0, acknowledgedBy: 'slack:T1:U1' }),
      }),
    );
    expect(acked).toEqual([ACTIONS.resolve]);
    const done = renderOutbound({
      kind: 'war_room',
      incident: dip({}, { state: 'resolved', resolvedAtMs: T0, resolvedBy: 'system:x' }),
    });
    expect(actionIds(done)).toEqual([]);
  });

  it('asks before resolving a signal that still fires, not one that stopped', () => {
    const confirmOf = (i: Incident) =>
      JSON.stringify(renderOutbound({ kind: 'war_room', incident: i }).blocks);
    expect(confirmOf(dip())).toContain('Resolve while it fires?');
    expect(confirmOf(dip({ dip: { ...dayOverDay, drop: 0.05 } }))).not.toContain('Resolve while it fires?');
  });

  it('a silence shows how long and the usual gap', () => {
    const r = renderOutbound({ kind: 'war_room', incident: silent() });
    expect(limitViolations(r)).toEqual([]);
    for (const s of ['Silent for', '31 h', 'Usual gap', '≤ 24 h (pages after 48 h)', 'Last ledger event'])
      expect(flat(r)).toContain(s);
  });

  it('escapes hostile sources, topics and errors, and stays within limits with long evidence', () => {
    const f = dipFigures({
      source: `*bold* ${HOSTILE}`,
      timezone: HOSTILE,
      lastDeliveries: Array.from({ length: 30 }, (_, n) =>
        delivery(n, { topic: `${HOSTILE}\`x`, status: 'failed', error: `${HOSTILE} ${'e'.repeat(3000)}` }),
      ),
    });
    const r = renderOutbound({
      kind: 'war_room',
      incident: commerceIncident(f, { title: `Revenue dip: ${HOSTILE}` }),
    });
    expect(limitViolations(r)).toEqual([]);
    expect(flat(r)).not.toMatch(PINGS);
    expect(flat(r)).toContain('&lt;!channel&gt;');
  });

  it('renderWarRoom is for revenue leaks only', () => {
    expect(() => renderWarRoom(dip())).toThrow(/not a revenue leak/);
  });
});

describe('commerce incident pages, alerts and lists', () => {
  it('a page carries the summary, the facts and the Acknowledge button', () => {
    const r = renderOutbound({
      kind: 'page',
      incident: dip(),
      mentions: ['S0ONCALL'],
      repeat: 0,
      escalated: false,
    });
    expect(limitViolations(r)).toEqual([]);
    const text = flat(r);
    expect(text).toContain(
      '<!subteam^S0ONCALL> :rotating_light: *PAGE* SEV-1 · *Revenue dip: shopify USD* — today so far',
    );
    expect(text).toContain(':rotating_light: PAGE · `shopify` · USD · days in UTC · detected');
    expect(actionIds(r)).toEqual([ACTIONS.ack]);
  });

  it('alerts and announcements carry the summary of either signal', () => {
    const declared = renderOutbound({ kind: 'alert', event: 'declared', incident: silent() });
    expect(declared.text).toContain('no ledger event from `stripe` for 31 h');
    const announce = renderOutbound({ kind: 'announce', incident: dip() });
    expect(flat(announce)).toContain('vs *$900.00*');
    for (const r of [declared, announce]) expect(limitViolations(r)).toEqual([]);
  });

  it('Home and /leak status list commerce incidents with their short figure', () => {
    expect(incidentLine(dip())).toBe(
      ':red_circle: *SEV-1 · Revenue dip: shopify USD* · DETECTED · today $120.00 vs $900.00 (weekday baseline) · <#C0REV1>',
    );
    const view = {
      open: [dip(), silent()],
      figures: null,
      budgetPaging: null,
      recent: [],
      recoveredThisWeekCents: 0,
    };
    expect(renderStatus(view).text).toContain('(today $120.00 vs $900.00 (weekday baseline))');
    expect(flat({ blocks: renderHome(view, T0 + MINUTE_MS).blocks })).toContain(
      '`stripe` silent 31 h (usual ≤ 24 h)',
    );
  });
});

describe('seriesBars', () => {
  it('scales to the largest day, hatches negative days and marks today', () => {
    const rows = seriesBars(
      [
        { day: '2025-06-01', netCents: 100_00 },
        { day: '2025-06-02', netCents: -50_00 },
      ],
      'USD',
      true,
    ).split('\n');
    expect(rows[0]).toBe(`Sun 06-01  ${'█'.repeat(16)} $100.00`);
    expect(rows[1]).toBe(`Mon 06-02  ${'░'.repeat(8)}${' '.repeat(8)} -$50.00 (so far)`);
    expect(seriesBars([{ day: '<!here>', netCents: 0 }], '<b>', false)).not.toContain('<');
  });
});
