import { parseIsoInstant } from '../../shared/time.ts';
import { show } from '../zod-issues.ts';
import { decimalToMinor, minorUnits } from './amounts.ts';
import { normalizeCurrency } from './ledger.ts';

/**
 * Field readers shared by the delivery parsers (shopify.ts, stripe.ts, shopier.ts, generic.ts). Each
 * returns the value or a reason that names the field and shows what was sent, so a failed delivery says
 * exactly what to fix before `leak webhooks replay`.
 */

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };
export type Failure = { ok: false; reason: string };

export const fail = (reason: string): Failure => ({ ok: false, reason });
const ok = <T>(value: T): Read<T> => ({ ok: true, value });

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const absent = (v: unknown): boolean => v === undefined || v === null || v === '';

/** The column is text; an id longer than this is not an id any sender issues. */
const MAX_ID = 255;
/** A stream is a label for a breakdown, not a description: longer text is cut. */
const MAX_STREAM = 100;

/** An external id: a non-empty string (trimmed) or a non-negative safe integer, as text. */
export function readId(v: unknown, field: string): Read<string> {
  if (absent(v)) return fail(`${field} is missing`);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return ok(String(v));
  if (typeof v === 'string' && v.trim() !== '' && v.trim().length <= MAX_ID) return ok(v.trim());
  if (typeof v === 'number' && Number.isInteger(v) && v > Number.MAX_SAFE_INTEGER) {
    return fail(`${field} ${show(v)} is past 2^53: JSON numbers that large arrive rounded`);
  }
  return fail(`${field} ${show(v)} is not an id`);
}

/** A three-letter ISO 4217 code, uppercased (Stripe sends "usd"). */
export function readCurrency(v: unknown, field: string): Read<string> {
  if (absent(v)) return fail(`${field} is missing`);
  const c = normalizeCurrency(v);
  return c === null ? fail(`${field} ${show(v)} is not a currency code`) : ok(c);
}

/** A decimal amount in major units ("19.99", 19.99, "1500") → minor units of `currency`. */
export function readDecimal(v: unknown, currency: string, field: string): Read<number> {
  if (absent(v)) return fail(`${field} is missing`);
  const minor = typeof v === 'string' || typeof v === 'number' ? decimalToMinor(v, currency) : null;
  if (minor !== null) return ok(minor);
  const places = minorUnits(currency);
  return fail(`${field} ${show(v)} is not a decimal amount with at most ${places} decimals of ${currency}`);
}

/** An amount already in minor units: a non-negative safe integer (Stripe's `amount`). */
export function readMinor(v: unknown, field: string): Read<number> {
  if (absent(v)) return fail(`${field} is missing`);
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
    ? ok(v + 0)
    : fail(`${field} ${show(v)} is not a whole non-negative amount in minor units`);
}

/** An ISO-8601 instant with a zone (Shopify's "2024-11-10T10:30:00-05:00"); `fallbackMs` when absent. */
export function readIsoInstant(v: unknown, field: string, fallbackMs: number): Read<number> {
  if (absent(v)) return ok(fallbackMs);
  const ms = typeof v === 'string' ? parseIsoInstant(v.trim()) : null;
  return ms === null ? fail(`${field} ${show(v)} is not an ISO-8601 time with a zone`) : ok(ms);
}

/** Unix seconds (Stripe's `created`) → epoch ms; `fallbackMs` when absent. */
export function readUnixSeconds(v: unknown, field: string, fallbackMs: number): Read<number> {
  if (absent(v)) return ok(fallbackMs);
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
    ? ok(v * 1000)
    : fail(`${field} ${show(v)} is not a time in unix seconds`);
}

/** The first candidate that is a non-empty string, trimmed (customer emails: `pii:` tokens by now). */
export function firstText(...candidates: unknown[]): string | null {
  for (const c of candidates) if (typeof c === 'string' && c.trim() !== '') return c.trim();
  return null;
}

/** A revenue stream label: the first non-empty text, cut to MAX_STREAM characters; '' for none. */
export const streamOf = (...candidates: unknown[]): string =>
  (firstText(...candidates) ?? '').slice(0, MAX_STREAM);

/**
 * A count of items: a non-negative safe integer (or its digits, as form-encoded senders send it), else
 * `fallback`: a count is shown, never summed into money, so an odd one does not fail the delivery.
 */
export function countOf(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v + 0;
  if (typeof v === 'string' && /^\d{1,9}$/.test(v.trim())) return Number(v.trim());
  return fallback;
}

/** The answer for a topic that moves no money we track: parsed, no changes, and why. */
export const untracked = (topic: string): { ok: true; changes: []; note: string } => ({
  ok: true,
  changes: [],
  note: `topic ${topic.trim() === '' ? '(none)' : topic.trim()} is not tracked`,
});

/** The first field of `o` among `names` that holds a value, with its name (so a reason names it). */
export function pick(o: Obj, ...names: string[]): { field: string; value: unknown } {
  for (const field of names) if (!absent(o[field])) return { field, value: o[field] };
  return { field: names[0]!, value: undefined };
}

/** `a + b` of minor units, or null past Number.MAX_SAFE_INTEGER (a sum must stay exact). */
export const addMinor = (a: number, b: number): number | null => (Number.isSafeInteger(a + b) ? a + b : null);
