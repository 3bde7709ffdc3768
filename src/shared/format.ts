/**
 * How people read our numbers, on every surface: the CLI tables, the Slack blocks, the demo. One module
 * that both the CLI adapter and the Slack renderers import (adapters may not import each other), so a
 * figure is written the same way wherever it appears: "burn 14.5×" in the terminal and in the War Room,
 * never "1450.8%" in one and "14.5×" in the other. Machine output (`--json`) keeps raw numbers.
 */

const EN = 'en-US';

/** "12,345": every count people read (records, issues, events, rows, minutes) has thousands separators. */
export const formatCount = (n: number): string => n.toLocaleString(EN);

/**
 * A burn as a multiple of the budget: "0.35×" below one budget, "14.5×" above, "1,450.8×" far above. Two
 * decimals below 1, where the paging thresholds (0.25, 0.5) live; one above, where they no longer matter.
 */
export function formatBurn(burn: number): string {
  const digits = burn < 1 ? 2 : 1;
  return `${burn.toLocaleString(EN, { minimumFractionDigits: digits, maximumFractionDigits: digits })}×`;
}

/**
 * A share of good events (attainment, "99.95% good"): floored, so a miss never displays as the target it
 * misses (99.8999% is "99.899%", not "99.9%"). Three decimals from 99%, where targets differ in the third
 * (99.9 vs 99.95), two below. All good is "100%": nothing was floored away, so no decimals are needed.
 */
export function formatShare(x: number): string {
  if (x >= 1) return '100%';
  const digits = x >= 0.99 ? 3 : 2;
  const f = 10 ** (digits + 2);
  return `${(Math.floor(x * f + 1e-9) / 10 ** digits).toFixed(digits)}%`;
}

/** Budget left as a whole percent, floored (the gauge never shows more budget than remains), within 0–100%. */
export const formatPercentLeft = (remaining: number): string =>
  `${Math.floor(Math.min(1, Math.max(0, remaining)) * 100 + 1e-9)}%`;

/** A target as written in its definition: 0.999 → "99.9%", 0.9995 → "99.95%" (no float noise). */
export const formatTarget = (target: number): string => `${Number((target * 100).toFixed(6))}%`;
