import type { TagFilter } from './tag-filter.ts';

/**
 * What counts as a good event for an SLA (DOMAIN.md §6). Its own file so that the OpenSLO reader and the
 * definition can both use it without importing each other.
 *
 * - availability: good = events with ok = true (a failed event counts in Silver `errors`), out of all
 *   events of the metric;
 * - latency: good = events faster than thresholdMs (strictly below), out of all events of the metric.
 *
 * The tag filters of an SLI's sources (tag-filter.ts; each Silver row is one tag set) refine both, row by
 * row: `where` (the total source's filter) keeps only the matching rows; for availability, `bad` makes
 * every event of a matching row bad (and no other), or `good` every event of a non-matching row bad (the
 * `errors` count is then not used); for latency, `good` makes every event of a non-matching row bad
 * besides the slow ones. Without filters an indicator is exactly as before.
 */
export type SlaIndicator =
  | { kind: 'availability'; where?: TagFilter; good?: TagFilter; bad?: TagFilter }
  | { kind: 'latency'; thresholdMs: number; where?: TagFilter; good?: TagFilter };

/** Whether the indicator judges events by their tags (rather than by `errors` alone). */
export const byTags = (i: SlaIndicator): boolean =>
  i.where !== undefined || i.good !== undefined || (i.kind === 'availability' && i.bad !== undefined);

/**
 * Attributes whose presence on a metric's tag sets marks failures at ingest (OpenTelemetry semantic
 * conventions: an HTTP status of 500 and above, an `error.type`, a non-OK gRPC status). A metric whose
 * rows carry none of them, and whose events never failed, gives an ok-based availability SLO no bad event.
 */
export const FAILURE_TAGS: readonly string[] = [
  'http.response.status_code',
  'error.type',
  'rpc.grpc.status_code',
];
