/**
 * Amounts in a currency's minor units (ISO 4217 exponent), read from the decimal text senders use
 * ("19.99", "1500", "2.500") without floating point: the digits are split and combined as integers, so
 * "19.99" is exactly 1999 and never 1998.9999…
 */

/** ISO 4217 currencies whose minor unit is not the hundredth. Every other code has exponent 2. */
const EXPONENTS: ReadonlyMap<string, number> = new Map([
  // Exponent 0 (ISO 4217 list one, "minor unit 0").
  ...['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV'].map(
    (c) => [c, 0] as const,
  ),
  ...['XAF', 'XOF', 'XPF'].map((c) => [c, 0] as const),
  // Exponent 3: the dinars and the Omani rial.
  ...['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((c) => [c, 3] as const),
  // Exponent 4: the Chilean and Uruguayan units of account.
  ['CLF', 4],
  ['UYW', 4],
]);

/** Decimal places of `currency`'s minor unit (JPY 0, USD 2, KWD 3); 2 for a code not listed. */
export const minorUnits = (currency: string): number => EXPONENTS.get(currency.trim().toUpperCase()) ?? 2;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
/** Longer digit strings cannot be a safe integer of minor units anyway; rejected before any arithmetic. */
const MAX_DIGITS = 30;

/**
 * Exact decimal text (or a number) → integer minor units of `currency`, or null when it is not a plain
 * non-negative decimal: negative, an exponent ("1e3"), thousands separators, NaN, more non-zero decimals
 * than the currency has ("10.5" JPY, "1.999" USD) or a result beyond Number.MAX_SAFE_INTEGER.
 *
 * Extra trailing zeros are fine ("19.990" USD is 1999). A number is accepted when it is a safe integer
 * (whole units) or when its shortest text is a plain decimal: 19.99 is "19.99" → 1999, but 0.1 + 0.2 is
 * "0.30000000000000004", which has decimals no currency has, and is refused rather than rounded.
 */
export function decimalToMinor(text: string | number, currency: string): number | null {
  const exp = minorUnits(currency);
  if (typeof text === 'number') {
    if (Number.isSafeInteger(text)) {
      if (text < 0) return null;
      const minor = text * 10 ** exp;
      return Number.isSafeInteger(minor) ? minor + 0 : null; // + 0 turns -0 into 0
    }
    if (!Number.isFinite(text)) return null;
    return decimalToMinor(String(text), currency);
  }
  const t = text.trim();
  if (t.length > MAX_DIGITS) return null;
  const m = DECIMAL.exec(t);
  if (!m) return null;
  let frac = m[2] ?? '';
  if (frac.length > exp) {
    if (/[^0]/.test(frac.slice(exp))) return null;
    frac = frac.slice(0, exp);
  }
  // Integer arithmetic only: a whole part beyond 2^53 makes the product unsafe, which the check refuses.
  const minor = Number(m[1]) * 10 ** exp + Number(frac.padEnd(exp, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : null;
}
