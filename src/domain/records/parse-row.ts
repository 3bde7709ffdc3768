import { parseDollarsToCents } from '../../shared/money.ts';
import { parseIsoInstant } from '../../shared/time.ts';
import type { FunnelRecord, RecordType } from './record.ts';

/** The canonical funnel CSV columns, in order (DOMAIN.md §1). */
export const HEADER = [
  'id',
  'type',
  'name',
  'email',
  'domain',
  'company',
  'source',
  'region',
  'owner',
  'stage',
  'created_at',
  'last_touch_at',
  'next_step',
  'value_usd',
  'notes',
] as const;

export type RowResult = { ok: true; record: FunnelRecord } | { ok: false; reason: string };
export type HeaderResult = { ok: true } | { ok: false; reason: string };

const MAX_SHOWN = 40;

/**
 * A cell value as shown inside a reason: quoted, control characters escaped (an embedded newline would
 * break the one-line-per-rejection report), long values cut so a pasted essay cannot flood the output.
 */
export function showValue(value: string): string {
  const cut = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  const clean = cut.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : '?',
  );
  return `'${clean}'`;
}

/**
 * Checks a header row: exactly the canonical columns, in order, compared trimmed and case-insensitively.
 * The reason names what is missing, unexpected, repeated or out of order, so the user can fix the file.
 */
export function checkHeader(fields: readonly string[]): HeaderResult {
  const got = fields.map((f) => f.trim().toLowerCase());
  if (got.length === HEADER.length && got.every((f, i) => f === HEADER[i])) return { ok: true };
  const expected = new Set<string>(HEADER);
  const problems: string[] = [];
  const missing = HEADER.filter((c) => !got.includes(c));
  const extra = got.filter((c) => !expected.has(c)).map((c) => (c === '' ? '(empty)' : c));
  const repeated = got.filter((c, i) => got.indexOf(c) !== i);
  if (missing.length > 0) problems.push(`missing column(s): ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`unexpected column(s): ${extra.join(', ')}`);
  if (repeated.length > 0) problems.push(`repeated column(s): ${[...new Set(repeated)].join(', ')}`);
  if (problems.length === 0) problems.push(`columns out of order: got ${got.join(',')}`);
  return { ok: false, reason: `bad header: ${problems.join('; ')}; expected ${HEADER.join(',')}` };
}

function parseType(text: string): RecordType | null {
  const t = text.trim().toLowerCase();
  return t === 'lead' || t === 'opp' ? t : null;
}

const fail = (reason: string): RowResult => ({ ok: false, reason });

/** Dollars to cents, or the reason they are not an amount ≥ 0 with at most 2 decimals. */
function parseValue(raw: string): { cents: number } | { reason: string } {
  const text = raw.trim();
  if (text === '') return { cents: 0 };
  const cents = parseDollarsToCents(text);
  if (cents !== null) return { cents };
  const shown = showValue(raw);
  if (text.startsWith('-')) {
    const abs = parseDollarsToCents(text.slice(1));
    // "-0" is zero, which is allowed: DOMAIN.md only asks for value ≥ 0.
    if (abs === 0) return { cents: 0 };
    if (abs !== null) return { reason: `value_usd: negative value ${shown}` };
  }
  if (/^-?\d+\.\d{3,}$/.test(text)) return { reason: `value_usd: more than 2 decimal places ${shown}` };
  if (/^\d+(\.\d{1,2})?$/.test(text)) return { reason: `value_usd: value too large ${shown}` };
  return { reason: `value_usd: non-numeric value ${shown}` };
}

/**
 * Validates and normalizes one data row (DOMAIN.md §1). Pure: the email hash is injected because it is
 * keyed with a deployment secret. The first problem found is the reason, checked in column order after
 * the column count, so a reason always names one column and its bad value.
 */
export function parseRow(fields: readonly string[], hashEmail: (email: string) => string): RowResult {
  if (fields.length !== HEADER.length) return fail(`expected ${HEADER.length} columns, got ${fields.length}`);
  const [
    id = '',
    type = '',
    name = '',
    email = '',
    domain = '',
    company = '',
    source = '',
    region = '',
    owner = '',
    stage = '',
    createdAt = '',
    lastTouchAt = '',
    nextStep = '',
    value = '',
    notes = '',
  ] = fields;

  const recordId = id.trim();
  if (recordId === '') return fail('missing id');
  const recordType = parseType(type);
  if (recordType === null) return fail(`unknown type ${showValue(type.trim())} (expected lead or opp)`);

  const createdText = createdAt.trim();
  if (createdText === '') return fail('missing created_at');
  const createdAtMs = parseIsoInstant(createdText);
  if (createdAtMs === null)
    return fail(`created_at: not an ISO-8601 timestamp with zone ${showValue(createdText)}`);

  const touchText = lastTouchAt.trim();
  const lastTouchAtMs = touchText === '' ? null : parseIsoInstant(touchText);
  if (touchText !== '' && lastTouchAtMs === null) {
    return fail(`last_touch_at: not an ISO-8601 timestamp with zone ${showValue(touchText)}`);
  }

  const v = parseValue(value);
  if ('reason' in v) return fail(v.reason);

  // Case and padding are normalized by the hasher (shared/pii.ts), the one place that owns it.
  const mail = email.trim();
  return {
    ok: true,
    record: {
      id: recordId,
      type: recordType,
      name: name.trim(),
      emailHash: mail === '' ? null : hashEmail(mail),
      domain: domain.trim(),
      company: company.trim(),
      source: source.trim(),
      region: region.trim(),
      owner: owner.trim(),
      stage: stage.trim(),
      createdAtMs,
      lastTouchAtMs,
      nextStep: nextStep.trim(),
      valueCents: v.cents,
      notes: notes.trim(),
    },
  };
}
