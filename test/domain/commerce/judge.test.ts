import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CommerceFigures, DipFigures, NoSignalFigures } from '../../../src/domain/commerce/figures.ts';
import {
  commerceResolveReason,
  commerceTitle,
  dipFiring,
  formatSpan,
  judgeSignal,
  noSignalFiring,
  type SignalVerdict,
} from '../../../src/domain/commerce/judge.ts';
import { formatMinor, minorDigits } from '../../../src/domain/commerce/money-format.ts';
import {
  DEFAULT_INCIDENT_POLICY,
  type Incident,
  type IncidentVerdict,
} from '../../../src/domain/incidents/incident.ts';

const NOW = Date.parse('2026-06-10T14:00:00Z');
const P = DEFAULT_INCIDENT_POLICY;

const dipFigures = (o: Partial<DipFigures> = {}): DipFigures => ({
  comparison: 'weekday_hour',
  weekdayBaselineAvailable: true,
  todayCents: 190_000,
  weekdayBaselineCents: 200_000,
  yesterdayCents: 500_000,
  yesterdaySameTimeCents: 300_000,
  drop: 0.05,
  threshold: 0.2,
  ...o,
});

const figures = (o: Partial<CommerceFigures> = {}): CommerceFigures => ({
  kind: 'commerce',
  signal: 'REVENUE_DIP',
  source: 'shopify',
  currency: 'USD',
  evaluatedAtMs: NOW,
  severity: 1,
  paging: 'PAGE',
  timezone: 'UTC',
  series: [],
  slopeCentsPerDay: 0,
  dip: dipFigures(),
  noSignal: null,
  lastDeliveries: [],
  ...o,
});

const incident = (o: Partial<Incident> = {}): Incident => ({
  id: 'inc-1',
  dedupeKey: 'commerce:dip:shopify:USD',
  title: 'Revenue dip: shopify USD',
  state: 'detected',
  severity: 1,
  paging: 'PAGE',
  openedAtMs: NOW - 3_600_000,
  acknowledgedAtMs: null,
  acknowledgedBy: null,
  resolvedAtMs: null,
  resolvedBy: null,
  commander: null,
  figures: figures(),
  channelId: null,
  channelName: null,
  warRoomTs: null,
  pagesSent: 1,
  nextPageAtMs: null,
  recoveredCents: 0,
  ...o,
});

const resolved = (agoMs: number) =>
  incident({ id: 'old-1', state: 'resolved', resolvedAtMs: NOW - agoMs, resolvedBy: 'system' });

describe('judgeSignal: what a reading does to the incident of its key', () => {
  it('speaks the incident types by shape (judge.ts may not import domain/incidents)', () => {
    expectTypeOf<SignalVerdict>().toEqualTypeOf<IncidentVerdict>();
    const verdict: IncidentVerdict = judgeSignal(incident(), null, null, P, NOW);
    expect(verdict.action).toBe('resolve');
  });

  const sev3 = { severity: 3, paging: 'WARN' } as const;
  const sev2 = { severity: 2, paging: 'PAGE' } as const;

  it('firing with one open updates it; severityFrom only when the severity changed', () => {
    expect(judgeSignal(incident({ severity: 3 }), null, sev3, P, NOW)).toEqual({
      action: 'update',
      incidentId: 'inc-1',
      severityFrom: null,
    });
    expect(judgeSignal(incident({ severity: 3 }), null, sev2, P, NOW)).toEqual({
      action: 'update',
      incidentId: 'inc-1',
      severityFrom: 3,
    });
  });

  it('not firing resolves an open incident, and otherwise does nothing', () => {
    expect(judgeSignal(incident(), null, null, P, NOW)).toEqual({ action: 'resolve', incidentId: 'inc-1' });
    expect(judgeSignal(null, resolved(1000), null, P, NOW)).toEqual({ action: 'none' });
    expect(judgeSignal(null, null, null, P, NOW)).toEqual({ action: 'none' });
  });

  it('firing with none open reopens the last resolved within the window (inclusive), else declares', () => {
    const window = P.reopenWindowMs;
    expect(judgeSignal(null, resolved(window), sev3, P, NOW)).toEqual({
      action: 'reopen',
      incidentId: 'old-1',
    });
    expect(judgeSignal(null, resolved(window + 1), sev3, P, NOW)).toEqual({ action: 'declare' });
    expect(judgeSignal(null, null, sev3, P, NOW)).toEqual({ action: 'declare' });
    expect(judgeSignal(null, incident({ resolvedAtMs: null }), sev3, P, NOW)).toEqual({ action: 'declare' });
  });
});

describe('severity of each signal', () => {
  it('a dip is SEV-1 and pages; silence warns at SEV-3 and pages at SEV-2', () => {
    expect(dipFiring(true)).toEqual({ severity: 1, paging: 'PAGE' });
    expect(dipFiring(false)).toBeNull();
    expect(noSignalFiring('warn')).toEqual({ severity: 3, paging: 'WARN' });
    expect(noSignalFiring('page')).toEqual({ severity: 2, paging: 'PAGE' });
    expect(noSignalFiring('ok')).toBeNull();
  });
});

describe('titles and resolve reasons', () => {
  it('titles name the signal, the source and (for a dip) the currency', () => {
    expect(commerceTitle(figures())).toBe('Revenue dip: shopify USD');
    expect(commerceTitle(figures({ signal: 'NO_SIGNAL', source: 'stripe', currency: 'EUR' }))).toBe(
      'No signal: stripe',
    );
  });

  it('a dip resolves saying what recovered against what, with the numbers', () => {
    expect(commerceResolveReason(figures())).toBe(
      'shopify USD revenue recovered: $1,900.00 today so far, 5% below the usual $2,000.00 by this time on this weekday (a dip is more than 20% below)',
    );
    const dod = dipFigures({ comparison: 'day_over_day', todayCents: 310_000, drop: 0 });
    expect(commerceResolveReason(figures({ currency: 'EUR', dip: dod }))).toBe(
      'shopify EUR revenue recovered: €3,100.00 today so far, at or above €3,000.00 yesterday by this time (a dip is more than 20% below)',
    );
  });

  it('a dip that ends without recovering says it is no longer judged', () => {
    const f = figures({ dip: dipFigures({ todayCents: 0, drop: 1 }) });
    expect(commerceResolveReason(f)).toMatch(
      /^shopify USD revenue is no longer judged a dip: \$0\.00 today so far/,
    );
  });

  it('silence resolves with how long since the last event and the limit', () => {
    const n: NoSignalFigures = {
      lastEventAtMs: NOW - 12 * 60_000,
      silentMs: 12 * 60_000,
      limitMs: 86_400_000,
      pageAfterMs: 2 * 86_400_000,
      parseError: null,
    };
    const f = figures({ signal: 'NO_SIGNAL', source: 'stripe', dip: null, noSignal: n });
    expect(commerceResolveReason(f)).toBe(
      'stripe is sending again: last ledger event 12 minutes ago (limit 24 hours)',
    );
    const never = figures({
      signal: 'NO_SIGNAL',
      dip: null,
      noSignal: { ...n, lastEventAtMs: null, silentMs: 0 },
    });
    expect(commerceResolveReason(never)).toBe(
      'shopify deliveries no longer fail to parse (no ledger event yet)',
    );
  });

  it.each([
    [60_000, '1 minute'],
    [59 * 60_000, '59 minutes'],
    [90 * 60_000, '1.5 hours'],
    [3_600_000, '1 hour'],
    [3.5 * 86_400_000, '3.5 days'],
  ])('formatSpan(%i) is %s', (ms, want) => {
    expect(formatSpan(ms)).toBe(want);
  });
});

describe('formatMinor: minor units in their own currency', () => {
  it.each([
    [123_450, 'USD', '$1,234.50'],
    [1200, 'EUR', '€12.00'],
    [1200, 'JPY', '¥1,200'],
    [1250, 'KWD', 'KWD 1.250'],
    [-500, 'USD', '-$5.00'],
    [0, 'GBP', '£0.00'],
    [5, 'USD', '$0.05'],
    [900_719_925_474_099, 'USD', '$9,007,199,254,740.99'],
  ])('%i %s → %s', (cents, currency, want) => {
    expect(formatMinor(cents, currency)).toBe(want);
  });

  it('knows the minor digits of each currency', () => {
    expect([minorDigits('USD'), minorDigits('JPY'), minorDigits('KWD'), minorDigits('TRY')]).toEqual([
      2, 0, 3, 2,
    ]);
  });
});
