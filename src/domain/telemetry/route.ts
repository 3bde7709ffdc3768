import { isErrorLevel, type TelemetryEvent } from './event.ts';

/**
 * Tier routing (DOMAIN.md §6): every event counts in Silver; an error or a slow event is also kept raw
 * (PII hashed) in Bronze.
 */

/** An error: a failed operation (ok false) or a level of ERROR or FATAL. */
export const isErrorEvent = (e: Pick<TelemetryEvent, 'ok' | 'level'>): boolean =>
  !e.ok || isErrorLevel(e.level);

/**
 * Slow: a duration strictly above the service's latency threshold (an event exactly at the threshold is
 * not slow). No threshold, or an event without a duration, is never slow.
 */
export const isSlowEvent = (
  e: Pick<TelemetryEvent, 'durationMs'>,
  latencyThresholdMs: number | null,
): boolean => latencyThresholdMs !== null && e.durationMs !== null && e.durationMs > latencyThresholdMs;

/** Whether the event goes to Bronze (besides Silver, where every event goes). */
export const isBronze = (
  e: Pick<TelemetryEvent, 'ok' | 'level' | 'durationMs'>,
  latencyThresholdMs: number | null,
): boolean => isErrorEvent(e) || isSlowEvent(e, latencyThresholdMs);
