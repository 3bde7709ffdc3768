/**
 * Amounts in any ISO 4217 currency, held as integer minor units (cents, kuruş, fils; a yen is its own minor
 * unit). shared/money.ts `formatUsd` shows whole dollars for the revenue budget; a store's revenue needs its
 * own currency and its exact minor units: "$1,234.50", "€12.00", "¥1,200", "KWD 1.250".
 */

import { minorUnits } from './amounts.ts';

const EN = 'en-US';
const formatters = new Map<string, Intl.NumberFormat | null>();

/** The runtime's currency formatter, or null for a code Intl refuses (never for three letters). */
function formatterOf(currency: string): Intl.NumberFormat | null {
  if (!formatters.has(currency)) {
    let f: Intl.NumberFormat | null = null;
    try {
      // The digits are ISO 4217's, as stored: the runtime's own data shows HUF, IDR, IQD … with fewer.
      const digits = minorDigits(currency);
      f = new Intl.NumberFormat(EN, {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    } catch {
      f = null;
    }
    formatters.set(currency, f);
  }
  return formatters.get(currency) ?? null;
}

/**
 * How many decimal places a currency's minor unit has (ISO 4217, amounts.ts, the table the parsers store
 * by): USD 2, JPY 0, KWD 3, HUF 2; an unknown code 2, the common case.
 */
export const minorDigits = (currency: string): number => minorUnits(currency);

/** `cents` minor units as an exact decimal string in major units: 123450 USD → "1234.50", 1200 JPY → "1200". */
export function minorToDecimal(cents: number, currency: string): string {
  const digits = minorDigits(currency);
  const abs = BigInt(Math.trunc(Math.abs(cents)));
  const unit = 10n ** BigInt(digits);
  const whole = (abs / unit).toString();
  const frac = digits > 0 ? `.${(abs % unit).toString().padStart(digits, '0')}` : '';
  return `${cents < 0 ? '-' : ''}${whole}${frac}`;
}

/**
 * "$1,234.50", "-€12.00", "¥1,200", "KWD 1.250": the amount in its currency, with the currency's own
 * number of decimals. Exact: the number is handed to Intl as a decimal string, never divided as a float.
 * Intl's no-break space between a code and the number ("KWD 1.250") becomes a plain space, so the text
 * reads the same in Slack, a terminal and a test.
 */
export function formatMinor(cents: number, currency: string): string {
  const decimal = minorToDecimal(cents, currency);
  const f = formatterOf(currency);
  // Intl.NumberFormat takes an exact decimal string (ES2023); its type still says number.
  const text = f ? f.format(decimal as unknown as number) : `${currency} ${decimal}`;
  return text.replace(/\u00a0/g, ' ');
}
