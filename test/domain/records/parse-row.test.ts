import { describe, expect, it, vi } from 'vitest';
import { checkHeader, HEADER, parseRow, showValue } from '../../../src/domain/records/parse-row.ts';

type Row = Record<(typeof HEADER)[number], string>;

const base: Row = {
  id: '101',
  type: 'lead',
  name: 'Sarah Connor',
  email: 'sarah@sky.net',
  domain: 'sky.net',
  company: 'Skynet',
  source: 'inbound',
  region: 'NA',
  owner: 'Alice',
  stage: 'New',
  created_at: '2023-10-25T08:00:00Z',
  last_touch_at: '',
  next_step: '',
  value_usd: '5000',
  notes: 'Urgent',
};
const fieldsOf = (overrides: Partial<Row> = {}): string[] =>
  HEADER.map((c) => ({ ...base, ...overrides })[c]);
const hash = (email: string): string => `h(${email})`;
const parse = (overrides: Partial<Row> = {}) => parseRow(fieldsOf(overrides), hash);

describe('parseRow rejections', () => {
  it.each<[string, Partial<Row>, string]>([
    ['missing id', { id: '' }, 'missing id'],
    ['blank id', { id: '   ' }, 'missing id'],
    ['unknown type', { type: 'deal' }, "unknown type 'deal' (expected lead or opp)"],
    ['empty type', { type: '' }, "unknown type '' (expected lead or opp)"],
    ['missing created_at', { created_at: ' ' }, 'missing created_at'],
    [
      'created_at without zone',
      { created_at: '2023-10-25T08:00:00' },
      "created_at: not an ISO-8601 timestamp with zone '2023-10-25T08:00:00'",
    ],
    [
      'created_at date only',
      { created_at: '2023-10-25' },
      "created_at: not an ISO-8601 timestamp with zone '2023-10-25'",
    ],
    [
      'created_at impossible date',
      { created_at: '2023-13-45T08:00:00Z' },
      "created_at: not an ISO-8601 timestamp with zone '2023-13-45T08:00:00Z'",
    ],
    [
      'bad last_touch_at',
      { last_touch_at: 'yesterday' },
      "last_touch_at: not an ISO-8601 timestamp with zone 'yesterday'",
    ],
    ['negative value', { value_usd: '-5' }, "value_usd: negative value '-5'"],
    ['negative decimal', { value_usd: '-5.25' }, "value_usd: negative value '-5.25'"],
    ['exponent', { value_usd: '1e3' }, "value_usd: non-numeric value '1e3'"],
    ['text value', { value_usd: 'lots' }, "value_usd: non-numeric value 'lots'"],
    ['negative text', { value_usd: '-abc' }, "value_usd: non-numeric value '-abc'"],
    ['thousands separator', { value_usd: '1,200' }, "value_usd: non-numeric value '1,200'"],
    ['currency sign', { value_usd: '$100' }, "value_usd: non-numeric value '$100'"],
    ['three decimals', { value_usd: '12.345' }, "value_usd: more than 2 decimal places '12.345'"],
    ['too large', { value_usd: '99999999999999999999' }, "value_usd: value too large '99999999999999999999'"],
  ])('%s', (_name, overrides, reason) => {
    expect(parse(overrides)).toEqual({ ok: false, reason });
  });

  it.each([
    [14, 'expected 15 columns, got 14'],
    [16, 'expected 15 columns, got 16'],
    [1, 'expected 15 columns, got 1'],
  ])('%i columns', (n, reason) => {
    const fields = Array.from({ length: n }, (_, i) => fieldsOf()[i] ?? '');
    expect(parseRow(fields, hash)).toEqual({ ok: false, reason });
  });

  it('checks columns in order so the first problem is reported', () => {
    expect(parse({ id: '', type: 'x', value_usd: '-1' })).toEqual({ ok: false, reason: 'missing id' });
    expect(parse({ type: 'x', value_usd: '-1' })).toMatchObject({
      reason: expect.stringMatching(/^unknown type/),
    });
  });

  it('cuts long values and escapes control characters in reasons', () => {
    const long = 'x'.repeat(100);
    const r = parse({ type: long });
    expect(r).toEqual({ ok: false, reason: `unknown type '${'x'.repeat(40)}…' (expected lead or opp)` });
    expect(showValue('a\nb\r\tc\u0001')).toBe("'a\\nb\\r\\tc?'");
  });
});

describe('parseRow accepts and normalizes', () => {
  it('builds the record', () => {
    expect(parse({ last_touch_at: '2023-10-26T09:30:00+02:00', next_step: 'Call' })).toEqual({
      ok: true,
      record: {
        id: '101',
        type: 'lead',
        name: 'Sarah Connor',
        emailHash: 'h(sarah@sky.net)',
        domain: 'sky.net',
        company: 'Skynet',
        source: 'inbound',
        region: 'NA',
        owner: 'Alice',
        stage: 'New',
        createdAtMs: Date.UTC(2023, 9, 25, 8),
        lastTouchAtMs: Date.UTC(2023, 9, 26, 7, 30),
        nextStep: 'Call',
        valueCents: 500_000,
        notes: 'Urgent',
      },
    });
  });

  it.each([
    ['0', 0],
    ['', 0],
    ['   ', 0],
    ['12.5', 1250],
    ['12.05', 1205],
    [' 100 ', 10_000],
    ['-0', 0],
    ['007', 700],
  ])('value_usd %j → %i cents', (value_usd, cents) => {
    expect(parse({ value_usd })).toMatchObject({ ok: true, record: { valueCents: cents } });
  });

  it.each([
    ['LEAD', 'lead'],
    [' Opp ', 'opp'],
    ['opp', 'opp'],
  ])('type %j → %s', (type, want) => {
    expect(parse({ type })).toMatchObject({ ok: true, record: { type: want } });
  });

  it('trims every text field and the id', () => {
    const r = parse({
      id: ' 7 ',
      stage: '  Closed Won ',
      region: ' EMEA ',
      owner: ' ',
      notes: ' n ',
      name: ' N ',
    });
    expect(r).toMatchObject({
      ok: true,
      record: { id: '7', stage: 'Closed Won', region: 'EMEA', owner: '', notes: 'n', name: 'N' },
    });
  });

  it('hashes the trimmed email (the hasher normalizes case) and never keeps the address', () => {
    const hashEmail = vi.fn((e: string) => `H:${e.length}`);
    const r = parseRow(fieldsOf({ email: '  Sarah@Sky.NET ' }), hashEmail);
    expect(hashEmail).toHaveBeenCalledExactlyOnceWith('Sarah@Sky.NET');
    expect(r).toMatchObject({ ok: true, record: { emailHash: 'H:13' } });
    expect(JSON.stringify(r).toLowerCase()).not.toContain('sarah@');
  });

  it('an empty email is null and is not hashed', () => {
    const hashEmail = vi.fn(hash);
    expect(parseRow(fieldsOf({ email: ' ' }), hashEmail)).toMatchObject({
      ok: true,
      record: { emailHash: null },
    });
    expect(hashEmail).not.toHaveBeenCalled();
  });

  it('accepts timestamps with offsets, fractions and no seconds', () => {
    expect(parse({ created_at: '2023-10-25T10:00+02:00' })).toMatchObject({
      record: { createdAtMs: Date.UTC(2023, 9, 25, 8) },
    });
    expect(parse({ created_at: ' 2023-10-25T08:00:00.250Z ' })).toMatchObject({
      record: { createdAtMs: Date.UTC(2023, 9, 25, 8, 0, 0, 250) },
    });
  });
});

describe('checkHeader', () => {
  it('accepts the canonical header, case-insensitively and trimmed', () => {
    expect(checkHeader([...HEADER])).toEqual({ ok: true });
    expect(checkHeader(HEADER.map((c) => ` ${c.toUpperCase()} `))).toEqual({ ok: true });
  });

  it('names missing columns', () => {
    const r = checkHeader(HEADER.filter((c) => c !== 'region' && c !== 'notes'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^bad header: missing column\(s\): region, notes; expected id,type,/);
  });

  it('names unexpected and repeated columns', () => {
    const r = checkHeader([...HEADER, 'score', 'id', '']);
    expect(!r.ok && r.reason).toMatch(/unexpected column\(s\): score, \(empty\); repeated column\(s\): id;/);
  });

  it('reports a wrong order when the set is right', () => {
    const swapped = [...HEADER];
    [swapped[0], swapped[1]] = [HEADER[1], HEADER[0]];
    const r = checkHeader(swapped);
    expect(!r.ok && r.reason).toMatch(/^bad header: columns out of order: got type,id,name/);
  });
});
