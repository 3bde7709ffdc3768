/**
 * The daily API allowance as a first-class input of a sync (issue 16): a CRM account has one daily
 * allowance shared by every integration, and a sync must leave most of it to them. CRM_DAILY_SHARE is the
 * share the bot may use, read two ways, both enforced before every call:
 *
 * 1. this sync never spends more than `share × daily` calls;
 * 2. a sync never takes the account below `(1 − share) × daily` calls left today, so what the others
 *    are promised stays theirs however many syncs ran today, and whoever spent the rest.
 *
 * Until the CRM has said what the allowance is (the first response's headers) nothing is known: the first
 * call is always allowed, and learns it.
 */

export interface Allowance {
  /** Calls this sync has made (each sent request counts, whatever its answer). */
  spent: number;
  /** The account's calls per day, from the CRM's headers; null until a response said. */
  dailyMax: number | null;
  /** Calls left today for the whole account (the CRM's count, less our calls since it said); null: unknown. */
  dailyRemaining: number | null;
}

/** Calls this sync may make in all: floor(share × daily). */
export const syncCap = (dailyMax: number, share: number): number => Math.floor(dailyMax * share);

/** Why no further call may be made, or null when one may. `share` is in (0, 1]. */
export function allowanceStop(a: Allowance, share: number): string | null {
  if (a.dailyMax === null) return null;
  const cap = syncCap(a.dailyMax, share);
  const pct = `${Number((share * 100).toFixed(2))}%`;
  if (a.spent >= cap)
    return `this sync reached its share of the daily allowance: ${a.spent} calls of ${cap} (CRM_DAILY_SHARE ${pct} of ${a.dailyMax})`;
  const reserve = a.dailyMax - cap;
  if (a.dailyRemaining !== null && a.dailyRemaining <= reserve)
    return `the account has ${a.dailyRemaining} calls left today, kept for other integrations (CRM_DAILY_SHARE ${pct} of ${a.dailyMax})`;
  return null;
}

/** Calls as a share of the daily allowance (0.0123 = 1.23 %), or null while the allowance is unknown. */
export const shareOfDaily = (calls: number, dailyMax: number | null): number | null =>
  dailyMax === null || dailyMax <= 0 ? null : calls / dailyMax;
