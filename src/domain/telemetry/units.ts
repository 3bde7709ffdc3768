/**
 * A metric's unit (OTLP `Metric.unit`, UCUM case-sensitive codes as the semantic conventions use them)
 * normalized at ingest, so every duration in Silver is in milliseconds whatever the sender measured in.
 * `http.server.request.duration` is in seconds (`unit: "s"`): read as milliseconds, a 300 ms SLA threshold
 * never tripped and a 1.75 s p99 showed as "2ms".
 *
 * - Time: `s` ×1000, `ms` ×1, `us` / `μs` (Greek mu) / `µs` (micro sign) ÷1000, `ns` ÷1e6, `min` ×60 000,
 *   `h` ×3 600 000, `d` ×86 400 000 → recorded as 'ms'. The spelled-out names some senders use instead of
 *   UCUM (`seconds`, `milliseconds`, `microseconds`, `nanoseconds`, any case) are read the same way.
 * - Everything else is recorded as sent (trimmed) with its values unchanged: bytes (`By`, `KiBy`, `MiBy`…:
 *   no dashboard here converts sizes, so their values stay comparable with what the sender shows),
 *   dimensionless counts (`1`, `{request}`), and units this file does not know. An empty unit is none.
 * - A unit longer than 63 characters is not a UCUM code anyone sends: it is kept cut at 63, unchanged.
 */
export interface NormalizedUnit {
  /** The unit the values are in after conversion ('ms' for any time unit); undefined without one. */
  unit: string | undefined;
  /** What each value is multiplied by (1 when the unit is not converted). */
  factor: number;
}

/** The unit every duration is stored in. */
export const TIME_UNIT = 'ms';

/** Milliseconds per unit, by UCUM code. */
const MS_PER: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  μs: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Non-UCUM spellings, matched case-insensitively. */
const ALIASES: Readonly<Record<string, string>> = {
  nanoseconds: 'ns',
  microseconds: 'us',
  milliseconds: 'ms',
  seconds: 's',
};

const MAX_UNIT = 63;

/** The milliseconds in one `unit`, or null when it is not a time unit. */
export function msPerUnit(unit: string): number | null {
  const code = Object.hasOwn(MS_PER, unit) ? unit : ALIASES[unit.toLowerCase()];
  return code !== undefined && Object.hasOwn(MS_PER, code) ? MS_PER[code]! : null;
}

/** The unit as stored and the factor that converts values sent in `unit` to it. */
export function normalizeUnit(unit: unknown): NormalizedUnit {
  if (typeof unit !== 'string') return { unit: undefined, factor: 1 };
  const u = unit.trim();
  if (u === '') return { unit: undefined, factor: 1 };
  const ms = msPerUnit(u);
  if (ms !== null) return { unit: TIME_UNIT, factor: ms };
  return { unit: u.length > MAX_UNIT ? u.slice(0, MAX_UNIT) : u, factor: 1 };
}

/**
 * `value` × `factor`; factor 1 is a no-op (the common case), and a factor below 1 divides by its whole
 * reciprocal (1000, 1e6), which rounds once where multiplying by the inexact 0.001 could round twice.
 */
export function scaled(value: number, factor: number): number {
  if (factor === 1) return value;
  return factor < 1 ? value / Math.round(1 / factor) : value * factor;
}
