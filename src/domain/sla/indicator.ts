/**
 * What counts as a good event for an SLA (DOMAIN.md §6). Its own file so that the OpenSLO reader and the
 * definition can both use it without importing each other.
 *
 * - availability: good = events with ok = true, out of all events of the metric;
 * - latency: good = events faster than thresholdMs (strictly below), out of all events of the metric.
 */
export type SlaIndicator = { kind: 'availability' } | { kind: 'latency'; thresholdMs: number };
