import type { IngestItems, ItemRejection, RequestRejection } from '../../app/observe.ts';
import { eventWindowCheck, type TelemetryEvent } from '../../domain/telemetry/event.ts';

/**
 * How an ingest request ended, for the bot's own metrics (ingest.ts reports it to its observer): the
 * closed sets of reasons app/observe.ts names, from what the routes already know (the status they refuse
 * with; the converters' count of refused items and the event window's verdicts).
 */

/** A request's answer (status 200) and its items by outcome, for the observer. */
export interface Handled {
  body: object;
  items: IngestItems & { rejected: Record<ItemRejection, number> };
}

/**
 * The event window's check (eventWindowCheck), counting what it refuses by reason: the converters count
 * every refused item in one figure, and those not refused for their time were malformed.
 */
export function windowCheck(eventWindow: (() => { fromMs: number; toMs: number }) | undefined) {
  const refused = { too_old: 0, in_future: 0 };
  const w = eventWindow?.();
  if (!w) return { accept: () => null, refused };
  const check = eventWindowCheck(w.fromMs, w.toMs);
  const accept = (e: TelemetryEvent): string | null => {
    const why = check(e);
    if (why !== null) refused[e.timeMs < w.fromMs ? 'too_old' : 'in_future']++;
    return why;
  };
  return { accept, refused };
}

/** Why a request was refused, from the status ingest.ts refused it with (400, 401, 405, 413, 415, 503). */
export function rejectionOf(status: number): RequestRejection {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 405:
      return 'method';
    case 413:
      return 'too_large';
    case 415:
      return 'content_type';
    default:
      return status >= 500 ? 'unavailable' : 'malformed';
  }
}
