import { describe, expect, it } from 'vitest';
import { parseRevopsCommand, tokenize } from '../../../src/adapters/slack/listeners/parse-revops.ts';
import { resolvePeriod } from '../../../src/app/revops/view-period.ts';

/** `/revops` as typed: the grammar in parse-revops.ts, table by table. */

const view = (text: string) => {
  const c = parseRevopsCommand(text);
  if (c.kind !== 'view') throw new Error(`${text}: ${JSON.stringify(c)}`);
  return c.query;
};
const problem = (text: string) => {
  const c = parseRevopsCommand(text);
  if (c.kind !== 'usage' || c.problem === undefined) throw new Error(`${text}: ${JSON.stringify(c)}`);
  return c.problem;
};

describe('parseRevopsCommand', () => {
  it.each(['', '   ', 'help', 'HELP'])('%j is usage without a problem', (text) => {
    expect(parseRevopsCommand(text)).toEqual({ kind: 'usage' });
  });

  it.each([
    ['pipeline', { kind: 'days', days: 30 }],
    ['pipeline last 7d', { kind: 'days', days: 7 }],
    ['revenue LAST 90D', { kind: 'days', days: 90 }],
    ['marketing 14d', { kind: 'days', days: 14 }],
    ['insights week', { kind: 'calendar', unit: 'week', which: 'this' }],
    ['pipeline this month', { kind: 'calendar', unit: 'month', which: 'this' }],
    ['pipeline quarter', { kind: 'calendar', unit: 'quarter', which: 'this' }],
    ['pipeline last week', { kind: 'calendar', unit: 'week', which: 'last' }],
    ['pipeline last quarter', { kind: 'calendar', unit: 'quarter', which: 'last' }],
    ['pipeline 2026-11-01..2026-11-30', { kind: 'range', from: '2026-11-01', to: '2026-11-30' }],
  ])('%s → period %j', (text, period) => {
    expect(view(text).period).toEqual(period);
  });

  it('filters in any order; a name runs to the next keyword, or is quoted', () => {
    expect(view('pipeline segment ent owner Dana Whitfield last 90d')).toEqual({
      view: 'pipeline',
      period: { kind: 'days', days: 90 },
      segment: 'ENT',
      owner: 'Dana Whitfield',
      channel: undefined,
    });
    expect(view('marketing channel Paid Search owner Luis month')).toMatchObject({
      channel: 'Paid Search',
      owner: 'Luis',
      period: { kind: 'calendar', unit: 'month', which: 'this' },
    });
    expect(view('marketing channel "Last Click" week').channel).toBe('Last Click');
    expect(view('marketing channel “Week-end Promo”').channel).toBe('Week-end Promo');
    expect(view("pipeline owner Sean O'Brien").owner).toBe("Sean O'Brien");
    expect(view("pipeline owner 'Ann Week'").owner).toBe('Ann Week');
  });

  it.each([
    ['forecast', 'Unknown subcommand `forecast`.'],
    ['pipeline last', '`last` needs a length'],
    ['pipeline last fortnight', '`last` needs a length'],
    ['pipeline this 30d', '`this` needs `week`, `month` or `quarter`.'],
    ['pipeline last 0d', 'give between 1d and 731d'],
    ['pipeline 900d', 'give between 1d and 731d'],
    ['pipeline 2026-11-30..2026-11-01', 'the range ends (2026-11-01) before it starts (2026-11-30)'],
    ['pipeline 2026-02-30..2026-03-01', '"2026-02-30" is not a date'],
    ['pipeline 2020-01-01..2026-01-01', 'a range spans at most 731 days'],
    ['pipeline 2026-11-01', 'A single date is not a period: write a range such as `2026-11-01..2026-11-01`.'],
    ['pipeline week month', 'Give one period at most'],
    ['pipeline segment', '`segment` needs one of SMB, MM, ENT.'],
    ['pipeline segment XL', '`XL` is not a segment: use SMB, MM, ENT.'],
    ['pipeline segment SMB segment MM', 'Give one segment at most.'],
    ['pipeline owner', '`owner` needs a name'],
    ['pipeline owner last 7d', '`owner` needs a name'],
    ['pipeline owner Ana owner Bo', 'Give one owner at most.'],
    ['pipeline channel ""', '`channel` needs a name'],
    ['pipeline bananas', 'Unexpected `bananas`: after `/revops pipeline` give a period'],
    ['digest week', '`/revops digest` is the whole business for one week'],
    ['digest 2026-W48 segment SMB', '`/revops digest` is the whole business for one week'],
    ['digest 2026-W54', 'is neither an ISO week nor a Monday'],
    ['digest 2026-11-25', '2026-11-25 is not a Monday: give the week&#39;s Monday'.replace('&#39;', "'")],
  ])('%j → %s', (text, expected) => {
    expect(problem(text)).toContain(expected);
  });

  it('escapes what it echoes: a forged mention or link stays text', () => {
    const p = problem('<!channel> hi');
    expect(p).toContain('&lt;!channel&gt;');
    expect(p).not.toContain('<!channel>');
    expect(problem('pipeline segment <@U1>')).toContain('&lt;@U1&gt;');
  });

  it('digest takes no week, a week, or its Monday', () => {
    expect(parseRevopsCommand('digest')).toEqual({ kind: 'digest', week: null });
    expect(parseRevopsCommand('Digest 2026-W48')).toEqual({ kind: 'digest', week: '2026-W48' });
    expect(parseRevopsCommand('digest 2026-11-23')).toEqual({ kind: 'digest', week: '2026-11-23' });
  });

  it('tokenizes straight and curly quotes', () => {
    expect(tokenize(`a "b c" 'd' “e f” ‘g’`).map((t) => [t.text, t.quoted])).toEqual([
      ['a', false],
      ['b c', true],
      ['d', true],
      ['e f', true],
      ['g', true],
    ]);
  });
});

describe('resolvePeriod (DIGEST_TIMEZONE)', () => {
  const now = Date.parse('2026-12-02T15:30:00Z'); // a Wednesday
  const iso = (ms: number) => new Date(ms).toISOString();

  it.each([
    [
      { kind: 'days', days: 30 } as const,
      'UTC',
      '2026-11-02T15:30:00.000Z',
      '2026-12-02T15:30:00.000Z',
      'last 30 days (2 Nov – 2 Dec 2026)',
    ],
    [
      { kind: 'calendar', unit: 'week', which: 'this' } as const,
      'UTC',
      '2026-11-30T00:00:00.000Z',
      '2026-12-02T15:30:00.000Z',
      'this week 2026-W49 so far (30 Nov – 2 Dec 2026)',
    ],
    [
      { kind: 'calendar', unit: 'week', which: 'last' } as const,
      'America/New_York',
      '2026-11-23T05:00:00.000Z',
      '2026-11-30T05:00:00.000Z',
      'last week 2026-W48 (23 – 29 Nov 2026)',
    ],
    [
      { kind: 'calendar', unit: 'month', which: 'last' } as const,
      'Europe/Berlin',
      '2026-10-31T23:00:00.000Z',
      '2026-11-30T23:00:00.000Z',
      'last month (1 – 30 Nov 2026)',
    ],
    [
      { kind: 'calendar', unit: 'quarter', which: 'this' } as const,
      'UTC',
      '2026-10-01T00:00:00.000Z',
      '2026-12-02T15:30:00.000Z',
      'this quarter so far (1 Oct – 2 Dec 2026)',
    ],
    [
      { kind: 'calendar', unit: 'quarter', which: 'last' } as const,
      'UTC',
      '2026-07-01T00:00:00.000Z',
      '2026-10-01T00:00:00.000Z',
      'last quarter (1 Jul – 30 Sep 2026)',
    ],
    [
      { kind: 'range', from: '2026-11-01', to: '2026-11-30' } as const,
      'UTC',
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '1 – 30 Nov 2026',
    ],
    [
      { kind: 'range', from: '2026-11-20', to: '2026-12-31' } as const,
      'UTC',
      '2026-11-20T00:00:00.000Z',
      '2026-12-02T15:30:00.000Z',
      '20 Nov – 2 Dec 2026 (so far)',
    ],
  ])('%j in %s', (spec, tz, from, to, label) => {
    const p = resolvePeriod(spec, now, tz);
    expect([iso(p.fromMs), iso(p.toMs), p.label]).toEqual([from, to, label]);
  });

  it('last month in January is December of the year before', () => {
    const p = resolvePeriod(
      { kind: 'calendar', unit: 'month', which: 'last' },
      Date.parse('2027-01-10T00:00:00Z'),
      'UTC',
    );
    expect(p.label).toBe('last month (1 – 31 Dec 2026)');
  });
});
