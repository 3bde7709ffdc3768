import type { Cents } from '../../shared/money.ts';
import { parseIsoInstant } from '../../shared/time.ts';
import { STAGE_WIN_PROBABILITY } from '../impact/price.ts';

/**
 * CRM property values as the funnel reads them. CRMs send every property as text: timestamps as ISO-8601
 * (`2026-11-02T16:00:00.000Z`), sometimes as epoch milliseconds (`1793635200000`) or a bare date
 * (`2026-11-02`, a date property); amounts as decimals with any number of places.
 */

const EPOCH_MS = /^\d{1,15}$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Years a CRM timestamp may name: a value outside is a typo or a unit mix-up, not a date. */
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

/** Epoch ms of a CRM timestamp, or null when the text is not one. Empty text is null too. */
export function parseCrmInstant(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  let ms: number | null;
  if (EPOCH_MS.test(t)) ms = Number(t);
  else {
    const d = DATE_ONLY.exec(t);
    ms = d ? parseIsoInstant(`${t}T00:00:00Z`) : parseIsoInstant(t);
  }
  return ms !== null && ms >= MIN_MS && ms < MAX_MS ? ms : null;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d*))?$/;

/**
 * A CRM amount in cents, rounded half up to the cent (`1234.565` → 123457), or why it is not an amount ≥ 0.
 * Empty is 0, as in the CSV. Exponent forms (`1.5E+5`) are read as numbers.
 */
export function crmAmountToCents(text: string): { cents: Cents } | { reason: string } {
  const t = text.trim().replaceAll(',', '');
  if (t === '') return { cents: 0 };
  const m = DECIMAL.exec(t);
  let cents: number;
  if (m) {
    const frac = (m[3] ?? '').padEnd(3, '0');
    cents = Number(m[2]) * 100 + Number(frac.slice(0, 2)) + (Number(frac[2]) >= 5 ? 1 : 0);
    if (m[1] === '-' && cents !== 0) return { reason: 'negative amount' };
  } else {
    const n = Number(t);
    if (!Number.isFinite(n)) return { reason: 'not a number' };
    if (n < 0) return { reason: 'negative amount' };
    cents = Math.round(n * 100);
  }
  return Number.isSafeInteger(cents) ? { cents } : { reason: 'amount too large' };
}

/** Cents as the CSV's dollars text: 123457 → "1234.57". */
export const centsText = (c: Cents): string => `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, '0')}`;

/**
 * The duplicate key is the domain, so a company's `https://www.Acme.com/` and a contact's `acme.com` must
 * read alike: scheme, `www.`, path, port and case are dropped; an email address gives its domain.
 */
export function normalizeDomain(text: string): string {
  let d = text.trim().toLowerCase();
  const at = d.lastIndexOf('@');
  if (at >= 0) d = d.slice(at + 1);
  d = d.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  d = d.replace(/[/?#].*$/, '').replace(/:\d+$/, '');
  d = d.replace(/^www\./, '').replace(/\.$/, '');
  return d;
}

/** The open funnel stages and their win probabilities (DOMAIN.md §3), for stageFromProbability. */
const OPEN_STAGES: ReadonlyArray<readonly [string, number]> = (
  ['New', 'Qualified', 'Proposal', 'Negotiation'] as const
).map((s) => [s, STAGE_WIN_PROBABILITY[s.toLowerCase()]!] as const);

/** The open funnel stage whose win probability is nearest `p`; a tie goes to the earlier (cheaper) stage. */
export function nearestOpenStage(p: number): string {
  let best = OPEN_STAGES[0]!;
  for (const s of OPEN_STAGES) if (Math.abs(s[1] - p) < Math.abs(best[1] - p) - 1e-12) best = s;
  return best[0];
}
