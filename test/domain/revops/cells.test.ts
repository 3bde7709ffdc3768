import { describe, expect, it } from 'vitest';
import {
  Bad,
  count,
  date,
  dollars,
  instant,
  month,
  probability,
  segment,
  stage,
} from '../../../src/domain/revops/cells.ts';

/** The value, or the reason as a string, so one table holds both outcomes. */
const out = (v: unknown): unknown => (v instanceof Bad ? `BAD ${v.reason}` : v);

describe('probability: a fraction 0..1, or a percentage 0..100 (with or without %)', () => {
  it.each<[string, unknown]>([
    ['0', 0],
    ['0.35', 0.35],
    ['1', 1], // a bare 1 is a fraction (certain), not 1 %
    ['1.0', 1],
    ['1.5', 0.015], // above 1 without % is a percentage
    ['35', 0.35],
    ['35%', 0.35],
    [' 35 % ', 0.35],
    ['1%', 0.01],
    ['0%', 0],
    ['100', 1],
    ['100%', 1],
    ['0.5%', 0.005],
    ['', 0.6], // empty: the stage's default (the fallback)
    ['100.01', "BAD probability: above 100% '100.01'"],
    ['101%', "BAD probability: above 100% '101%'"],
    ['-0.1', "BAD probability: not a probability (0..1 or 0..100%) '-0.1'"],
    ['high', "BAD probability: not a probability (0..1 or 0..100%) 'high'"],
    ['1e-1', "BAD probability: not a probability (0..1 or 0..100%) '1e-1'"],
    ['%', "BAD probability: not a probability (0..1 or 0..100%) '%'"],
  ])('%j → %j', (raw, want) => {
    expect(out(probability(raw, 0.6))).toEqual(want);
  });
});

describe('dollars → cents', () => {
  it.each<[string, unknown]>([
    ['0', 0],
    ['0.01', 1],
    ['12000', 1_200_000],
    ['12000.5', 1_200_050],
    [' 99.99 ', 9_999],
    ['', 'BAD missing amount'],
    ['-1', "BAD amount: negative amount '-1'"],
    ['1.005', "BAD amount: more than 2 decimal places '1.005'"],
    ['12,000', "BAD amount: not a dollar amount '12,000'"],
    ['$5', "BAD amount: not a dollar amount '$5'"],
    ['99999999999999999', "BAD amount: amount too large '99999999999999999'"],
  ])('%j → %j', (raw, want) => {
    expect(out(dollars('amount', raw))).toEqual(want);
  });
});

describe('counts', () => {
  it.each<[string, unknown]>([
    ['', 0],
    ['0', 0],
    ['42', 42],
    ['9007199254740991', 9_007_199_254_740_991],
    ['9007199254740992', "BAD leads: count too large '9007199254740992'"],
    ['-1', "BAD leads: negative count '-1'"],
    ['1.5', "BAD leads: not a whole number '1.5'"],
    ['1,000', "BAD leads: not a whole number '1,000'"],
  ])('%j → %j', (raw, want) => {
    expect(out(count('leads', raw))).toEqual(want);
  });
});

describe('dates, months and instants', () => {
  it.each<[string, unknown]>([
    ['2026-02-28', '2026-02-28'],
    ['2024-02-29', '2024-02-29'],
    ['2026-02-29', "BAD start_date: not an ISO date (YYYY-MM-DD) '2026-02-29'"],
    ['2026-13-01', "BAD start_date: not an ISO date (YYYY-MM-DD) '2026-13-01'"],
    ['2026-1-5', "BAD start_date: not an ISO date (YYYY-MM-DD) '2026-1-5'"],
    ['2026-01-05T00:00:00Z', "BAD start_date: not an ISO date (YYYY-MM-DD) '2026-01-05T00:00:00Z'"],
    ['', 'BAD missing start_date'],
  ])('date %j → %j', (raw, want) => {
    expect(out(date('start_date', raw))).toEqual(want);
  });

  it.each<[string, unknown]>([
    ['2026-11', '2026-11-01'],
    ['2026-11-01', '2026-11-01'],
    ['2026-11-02', "BAD month: not the first day of a month '2026-11-02'"],
    ['2026-00', "BAD month: not a month (YYYY-MM or YYYY-MM-01) '2026-00'"],
    ['2026-13-01', "BAD month: not a month (YYYY-MM or YYYY-MM-01) '2026-13-01'"],
    ['Nov 2026', "BAD month: not a month (YYYY-MM or YYYY-MM-01) 'Nov 2026'"],
    ['', 'BAD missing month'],
  ])('month %j → %j', (raw, want) => {
    expect(out(month('month', raw))).toEqual(want);
  });

  it.each<[string, unknown]>([
    ['2026-11-02T16:00:00Z', Date.parse('2026-11-02T16:00:00Z')],
    ['2026-11-02T16:00:00+02:00', Date.parse('2026-11-02T14:00:00Z')],
    ['2026-11-02', "BAD created_at: not an ISO-8601 timestamp with zone '2026-11-02'"],
    ['2026-11-02T16:00:00', "BAD created_at: not an ISO-8601 timestamp with zone '2026-11-02T16:00:00'"],
    ['', 'BAD missing created_at'],
  ])('instant %j → %j', (raw, want) => {
    expect(out(instant('created_at', raw))).toEqual(want);
  });
});

describe('segments and stages, case-insensitively', () => {
  it.each<[string, unknown]>([
    ['SMB', 'SMB'],
    [' mm ', 'MM'],
    ['Ent', 'ENT'],
    ['Enterprise', "BAD segment: not a segment (SMB, MM or ENT) 'Enterprise'"],
    ['', "BAD segment: not a segment (SMB, MM or ENT) ''"],
  ])('segment %j → %j', (raw, want) => {
    expect(out(segment('segment', raw))).toEqual(want);
  });

  it.each<[string, unknown]>([
    ['Discovery', 'Discovery'],
    ['demo', 'Demo'],
    ['NEGOTIATION', 'Negotiation'],
    ['Closed Won', 'Closed_Won'],
    ['closed_won', 'Closed_Won'],
    ['closed  -  lost', 'Closed_Lost'],
    ['Closed', "BAD stage: not a stage (Discovery, Demo, Negotiation, Closed_Won, Closed_Lost) 'Closed'"],
    ['', "BAD stage: not a stage (Discovery, Demo, Negotiation, Closed_Won, Closed_Lost) ''"],
  ])('stage %j → %j', (raw, want) => {
    expect(out(stage(raw))).toEqual(want);
  });
});
