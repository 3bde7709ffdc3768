/**
 * Cell parsers shared by the four RevOps CSV kinds (parse-deal.ts, parse-customer.ts, parse-mrr.ts,
 * parse-spend.ts). Each returns the value or a `Bad` carrying a one-line reason that names the column and
 * shows the value, so a rejected row reads `line 7: amount: not a dollar amount '12,000'`.
 */

import { parseDollarsToCents } from '../../shared/money.ts';
import { parseIsoInstant } from '../../shared/time.ts';
import { showValue } from '../records/parse-row.ts';
import { type Segment, STAGES, type Stage } from './types.ts';

/** Why a cell was refused. A class, so `instanceof` tells it from a parsed value of any type. */
export class Bad {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

const bad = (column: string, what: string, raw: string): Bad =>
  new Bad(`${column}: ${what} ${showValue(raw)}`);

/** A required text cell, trimmed. */
export function required(column: string, raw: string): string | Bad {
  const t = raw.trim();
  return t === '' ? new Bad(`missing ${column}`) : t;
}

const SEGMENT_OF: Readonly<Record<string, Segment>> = { smb: 'SMB', mm: 'MM', ent: 'ENT' };

/** SMB, MM or ENT, case-insensitively. */
export function segment(column: string, raw: string): Segment | Bad {
  const s = SEGMENT_OF[raw.trim().toLowerCase()];
  return s ?? bad(column, 'not a segment (SMB, MM or ENT)', raw.trim());
}

/** A stage name folded for comparison: lowercased, runs of spaces, `_` or `-` as one `_`. */
const foldStage = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');
const STAGE_OF: ReadonlyMap<string, Stage> = new Map(STAGES.map((s) => [foldStage(s), s]));

/** A pipeline stage, case-insensitively with space, `_` and `-` equivalent ("closed won" → Closed_Won). */
export function stage(raw: string): Stage | Bad {
  return STAGE_OF.get(foldStage(raw)) ?? bad('stage', `not a stage (${STAGES.join(', ')})`, raw.trim());
}

/** Dollars ≥ 0 with at most 2 decimals → integer cents (shared/money.ts); required. */
export function dollars(column: string, raw: string): number | Bad {
  const t = raw.trim();
  if (t === '') return new Bad(`missing ${column}`);
  const cents = parseDollarsToCents(t);
  if (cents !== null) return cents;
  if (/^-\d/.test(t)) return bad(column, 'negative amount', t);
  if (/^\d+\.\d{3,}$/.test(t)) return bad(column, 'more than 2 decimal places', t);
  if (/^\d+(\.\d{1,2})?$/.test(t)) return bad(column, 'amount too large', t);
  return bad(column, 'not a dollar amount', t);
}

/** A whole number ≥ 0 (a count); empty is 0. */
export function count(column: string, raw: string): number | Bad {
  const t = raw.trim();
  if (t === '') return 0;
  if (!/^\d+$/.test(t)) return bad(column, /^-\d+$/.test(t) ? 'negative count' : 'not a whole number', t);
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : bad(column, 'count too large', t);
}

/** An ISO-8601 instant with a zone (shared/time.ts parseIsoInstant) → epoch ms; required. */
export function instant(column: string, raw: string): number | Bad {
  const t = raw.trim();
  if (t === '') return new Bad(`missing ${column}`);
  const ms = parseIsoInstant(t);
  return ms ?? bad(column, 'not an ISO-8601 timestamp with zone', t);
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;

/** True when y-m-d is a real calendar day (no rollover: 2026-02-29 is refused, not read as March 1). */
function realDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= (m === 2 && isLeap(y) ? 29 : DAYS_IN[m - 1]!);
}

/** An ISO calendar date `YYYY-MM-DD` (no time, no zone: a day is a UTC day); required. */
export function date(column: string, raw: string): string | Bad {
  const t = raw.trim();
  if (t === '') return new Bad(`missing ${column}`);
  const m = DATE.exec(t);
  if (m === null || !realDay(Number(m[1]), Number(m[2]), Number(m[3])))
    return bad(column, 'not an ISO date (YYYY-MM-DD)', t);
  return t;
}

/** date(), or null for an empty cell. */
export function optionalDate(column: string, raw: string): string | null | Bad {
  return raw.trim() === '' ? null : date(column, raw);
}

/** A calendar month as `YYYY-MM` or its first day `YYYY-MM-01` → the first day; required. */
export function month(column: string, raw: string): string | Bad {
  const t = raw.trim();
  if (t === '') return new Bad(`missing ${column}`);
  const m = MONTH.exec(t);
  if (m === null || !realDay(Number(m[1]), Number(m[2]), 1))
    return bad(column, 'not a month (YYYY-MM or YYYY-MM-01)', t);
  if (m[3] !== undefined && m[3] !== '01') return bad(column, 'not the first day of a month', t);
  return `${m[1]}-${m[2]}-01`;
}

const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * A win probability → 0..1. The rule, since CRMs export it either way: with a `%` sign the number is a
 * percentage (0–100); without one, a number from 0 to 1 is a fraction and a number above 1 up to 100 is a
 * percentage. So `0.35`, `35` and `35%` all read 0.35, while `1` reads 1 (certain) and `1%` reads 0.01.
 * An empty cell is `fallback` (the stage's default probability). Anything above 100 % is refused.
 */
export function probability(raw: string, fallback: number): number | Bad {
  let t = raw.trim();
  if (t === '') return fallback;
  const percent = t.endsWith('%');
  if (percent) t = t.slice(0, -1).trim();
  if (!DECIMAL.test(t)) return bad('probability', 'not a probability (0..1 or 0..100%)', raw.trim());
  const n = Number(t);
  const p = percent || n > 1 ? n / 100 : n;
  return p <= 1 ? p : bad('probability', 'above 100%', raw.trim());
}
