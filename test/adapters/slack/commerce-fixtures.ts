import type { RevenueView, SourceState } from '../../../src/app/commerce/view-model.ts';
import type { CommerceFigures, DeliveryEvidence } from '../../../src/domain/commerce/figures.ts';
import type { Incident } from '../../../src/domain/incidents/incident.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { buildIncident, T0 } from './incident-fixtures.ts';

const HOUR_MS = 60 * MINUTE_MS;

/** Commerce fixtures: a REVENUE_DIP and a NO_SIGNAL incident, a revenue view; all times from T0. */

export const SERIES = [
  { day: '2025-05-27', netCents: 95_000 },
  { day: '2025-05-28', netCents: 88_000 },
  { day: '2025-05-29', netCents: -12_500 },
  { day: '2025-05-30', netCents: 91_000 },
  { day: '2025-05-31', netCents: 70_000 },
  { day: '2025-06-01', netCents: 100_000 },
  { day: '2025-06-02', netCents: 12_000 },
];

export const delivery = (n: number, o: Partial<DeliveryEvidence> = {}): DeliveryEvidence => ({
  id: `d${n}`,
  topic: 'orders/paid',
  receivedAtMs: T0 - n * 10 * MINUTE_MS,
  status: 'parsed',
  error: null,
  ...o,
});

export function dipFigures(o: Partial<CommerceFigures> = {}): CommerceFigures {
  return {
    kind: 'commerce',
    signal: 'REVENUE_DIP',
    source: 'shopify',
    currency: 'USD',
    evaluatedAtMs: T0,
    severity: 1,
    paging: 'PAGE',
    timezone: 'UTC',
    series: SERIES,
    slopeCentsPerDay: -11_857,
    dip: {
      comparison: 'weekday_hour',
      weekdayBaselineAvailable: true,
      todayCents: 12_000,
      weekdayBaselineCents: 90_000,
      yesterdayCents: 100_000,
      yesterdaySameTimeCents: 80_000,
      drop: 0.8667,
      threshold: 0.2,
    },
    noSignal: null,
    lastDeliveries: [
      delivery(1),
      delivery(2, { status: 'failed', topic: 'orders/create', error: 'missing total_price' }),
    ],
    ...o,
  };
}

export function noSignalFigures(o: Partial<CommerceFigures> = {}): CommerceFigures {
  return dipFigures({
    signal: 'NO_SIGNAL',
    source: 'stripe',
    severity: 3,
    paging: 'WARN',
    dip: null,
    noSignal: {
      lastEventAtMs: T0 - 31 * HOUR_MS,
      silentMs: 31 * HOUR_MS,
      limitMs: 24 * HOUR_MS,
      pageAfterMs: 48 * HOUR_MS,
      parseError: 'charge.amount is not an integer',
    },
    ...o,
  });
}

export const commerceIncident = (f: CommerceFigures, o: Partial<Incident> = {}): Incident => ({
  ...buildIncident({
    id: '77',
    title: f.signal === 'REVENUE_DIP' ? 'Revenue dip: shopify USD' : 'No signal: stripe',
    severity: f.severity,
    paging: f.paging,
    dedupeKey: `commerce:${f.source}`,
    channelId: 'C0REV1',
  }),
  figures: f,
  ...o,
});

export const source = (name: string, o: Partial<SourceState> = {}): SourceState => ({
  source: name,
  lastDeliveryAtMs: T0 - 5 * MINUTE_MS,
  lastEventAtMs: T0 - 6 * MINUTE_MS,
  lastDelivery: delivery(0, { receivedAtMs: T0 - 5 * MINUTE_MS }),
  failedLast24h: 0,
  ...o,
});

export function revenueView(o: Partial<RevenueView> = {}): RevenueView {
  return {
    asOfMs: T0,
    day: '2025-06-02',
    dayComplete: false,
    timezone: 'UTC',
    currencies: [
      {
        currency: 'USD',
        netCents: 12_000,
        previousDayCents: 100_000,
        slopeCentsPerDay: -11_857,
        series: SERIES,
        bySource: [
          { source: 'shopify', netCents: 10_000, sales: 3, refunds: 0, disputes: 0 },
          { source: 'stripe', netCents: 2_000, sales: 1, refunds: 0, disputes: 0 },
        ],
      },
      {
        currency: 'EUR',
        netCents: 50_000,
        previousDayCents: 40_000,
        slopeCentsPerDay: 1_430,
        series: SERIES.map((p) => ({ ...p, netCents: Math.abs(p.netCents) })),
        bySource: [{ source: 'stripe', netCents: 50_000, sales: 5, refunds: 1, disputes: 0 }],
      },
    ],
    reporting: { currency: 'USD', netCents: 66_000, series: SERIES, missingRates: ['TRY'] },
    openIncidents: [commerceIncident(dipFigures()), commerceIncident(noSignalFigures(), { channelId: null })],
    sources: [
      source('shopify'),
      source('stripe', {
        failedLast24h: 3,
        lastDelivery: delivery(0, { status: 'failed', topic: 'charge.succeeded', error: 'bad signature' }),
      }),
    ],
    ...o,
  };
}
