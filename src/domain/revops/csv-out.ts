/**
 * RevOps rows as CSV lines, the exact inverse of the parsers (parse-*.ts): what `leak generate` writes
 * and `leak import` reads back unchanged. RFC 4180 quoting only where a cell needs it; amounts in dollars
 * with cents; instants as ISO-8601 UTC; probability as a fraction.
 */
import { KIND_COLUMNS, type RevopsKind } from './csv-kinds.ts';
import type { Customer, Deal, MrrMonth, SpendRow } from './types.ts';

const NEEDS_QUOTES = /[",\r\n]/;

/** A cell, quoted (and its quotes doubled) only when it holds a comma, a quote or a line break. */
export const cell = (s: string): string => (NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** Cents as dollars: 1234567 → "12345.67", 500 → "5.00". */
export function usd(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const frac = cents - whole * 100;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export const headerLine = (kind: RevopsKind): string => `${KIND_COLUMNS[kind].join(',')}\n`;

export const dealLine = (d: Deal): string =>
  `${cell(d.dealId)},${cell(d.account)},${d.segment},${cell(d.owner)},${d.stage},${usd(d.amountCents)},` +
  `${iso(d.createdAtMs)},${d.expectedClose ?? ''},${iso(d.lastStageChangeMs)},${d.probability},` +
  `${cell(d.sourceChannel)}\n`;

export const customerLine = (c: Customer): string =>
  `${cell(c.customerId)},${cell(c.account)},${c.segment},${cell(c.plan)},${c.startDate},${usd(c.mrrCents)},` +
  `${c.churnDate ?? ''},${cell(c.churnReason ?? '')}\n`;

export const mrrLine = (m: MrrMonth): string => `${cell(m.customerId)},${m.month},${usd(m.mrrCents)}\n`;

export const spendLine = (s: SpendRow): string =>
  `${s.day},${cell(s.channel)},${cell(s.campaign)},${s.segment},${cell(s.geo)},${usd(s.spendCents)},` +
  `${s.impressions},${s.clicks},${s.leads},${s.mqls},${s.sqls},${s.opportunities},${s.won}\n`;
