import { show } from '../zod-issues.ts';

/**
 * Latency thresholds to milliseconds, the unit Silver keeps durations in (event `duration_ms`, and metric
 * values normalized to ms at ingest). A threshold is written with its unit (`300ms`, `0.3s`, `250us`) or
 * as a bare number in a field or source that says which unit it is in (`latencyBelowMs: 300`, or a
 * thresholdMetric source with `unit: s`). A bare number with no unit anywhere is refused: guessing would
 * be off by a factor of a thousand.
 */

const TO_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};

/** The units a threshold may name, as messages list them. */
export const LATENCY_UNITS = 'ns, us, ms, s, min or h';

/** `ms` → 1, `s` → 1000; null for a unit the bot cannot convert. */
export const unitToMs = (unit: string): number | null => TO_MS[unit.trim()] ?? null;

const NUMBER_WITH_UNIT = /^\s*((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?)\s*([a-zµ]*)\s*$/i;

/** Six decimals are plenty for ms, and keep 0.3 × 1000 from reading 300.00000000000006. */
const tidy = (ms: number): number => Math.round(ms * 1e6) / 1e6;

/**
 * `value` as milliseconds, or the problem (worded to follow the field's path). `bareUnit` is the unit a
 * number without one is in (`ms` for latencyBelowMs), or null when a unit must be written.
 */
export function latencyMs(value: unknown, bareUnit: string | null): number | string {
  let amount: number;
  let unit: string;
  if (typeof value === 'number') {
    amount = value;
    unit = '';
  } else if (typeof value === 'string') {
    const m = NUMBER_WITH_UNIT.exec(value);
    if (m === null) return `must be a duration such as "300ms" or "0.3s" (got ${show(value, 'a mapping')})`;
    amount = Number(m[1]);
    unit = m[2]!;
  } else return `must be a duration such as "300ms" or "0.3s" (got ${show(value, 'a mapping')})`;
  if (unit === '') {
    if (bareUnit === null)
      return `has no unit (got ${show(value)}): write it as "${amount}ms" or "${amount}s"`;
    unit = bareUnit;
  }
  const factor = unitToMs(unit.toLowerCase());
  if (factor === null) return `has a unit the bot cannot convert to ms: ${show(unit)} (use ${LATENCY_UNITS})`;
  const ms = tidy(amount * factor);
  if (!(Number.isFinite(ms) && ms > 0)) return 'must be greater than 0';
  return ms;
}
