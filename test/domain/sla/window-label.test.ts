import { describe, expect, it } from 'vitest';
import { windowLabel } from '../../../src/domain/sla/calendar.ts';
import { slaFactsOf } from '../../../src/domain/sla/figures.ts';
import { definitionsOf, edit, service, sli, slo } from './openslo-fixtures.ts';

/** How every view names an SLA's budget window (issue 13): a calendar month is not "30d". */
describe('windowLabel', () => {
  it.each([
    [{ windowDays: 30 }, '30d', '30-day'],
    [{ windowDays: 7 }, '7d', '7-day'],
    [{ windowDays: 30, calendar: { count: 1, unit: 'M' as const } }, 'calendar month', 'calendar month'],
    [{ windowDays: 7, calendar: { count: 1, unit: 'w' as const } }, 'calendar week', 'calendar week'],
    [{ windowDays: 90, calendar: { count: 1, unit: 'Q' as const } }, 'calendar quarter', 'calendar quarter'],
    [{ windowDays: 365, calendar: { count: 1, unit: 'Y' as const } }, 'calendar year', 'calendar year'],
    [{ windowDays: 1, calendar: { count: 1, unit: 'd' as const } }, 'calendar day', 'calendar day'],
    [{ windowDays: 14, calendar: { count: 2, unit: 'w' as const } }, 'calendar 2 weeks', 'calendar 2 weeks'],
  ])('%o → %s / %s', (w, short, adjective) => {
    expect(windowLabel(w)).toBe(short);
    expect(windowLabel(w, 'adjective')).toBe(adjective);
  });

  it('an OpenSLO calendar month (isRolling: false, 1M) is "calendar month" down to the incident figures', () => {
    const monthly = edit(slo(), 'spec.timeWindow', [{ duration: '1M', isRolling: false }]);
    const [def] = definitionsOf([service(), sli(), monthly]);
    // Its nominal length drives the burn factors, but it is never shown.
    expect(def!.windowDays).toBe(30);
    expect(windowLabel(def!)).toBe('calendar month');
    expect(windowLabel(slaFactsOf(def!))).toBe('calendar month');
    const [rolling] = definitionsOf([service(), sli(), slo()]);
    expect(windowLabel(slaFactsOf(rolling!))).toBe('30d');
  });
});
