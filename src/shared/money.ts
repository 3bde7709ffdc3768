/** Money is integer cents everywhere; dollars exist only at the edges (CSV in, text out). */
export type Cents = number;

const DOLLARS = /^(\d+)(?:\.(\d{1,2}))?$/;

/**
 * Parses a non-negative decimal dollar amount ("1200", "1200.5", "1200.55") into cents without
 * floating-point arithmetic. Returns null for anything else (negative, exponent, >2 decimals, text).
 */
export function parseDollarsToCents(text: string): Cents | null {
  const m = DOLLARS.exec(text.trim());
  if (!m) return null;
  const whole = Number(m[1]);
  const frac = Number((m[2] ?? '').padEnd(2, '0'));
  const cents = whole * 100 + frac;
  return Number.isSafeInteger(cents) ? cents : null;
}

export const centsToDollars = (c: Cents): number => c / 100;

/**
 * "$746,089" — whole dollars, for Slack and tables. Rounds half away from zero on the magnitude so a
 * negative amount (a refund, a delta) mirrors its positive one: -150 cents is "-$2" like 150 is "$2",
 * and an amount that rounds to zero never prints as "-$0".
 */
export function formatUsd(c: Cents): string {
  const dollars = Math.round(Math.abs(c) / 100);
  return `${c < 0 && dollars !== 0 ? '-' : ''}$${dollars.toLocaleString('en-US')}`;
}
