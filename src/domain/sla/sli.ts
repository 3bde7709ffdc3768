import { z } from 'zod';
import type { SlaIndicator } from './indicator.ts';
import { LATENCY_UNITS, latencyMs, unitToMs } from './latency-unit.ts';
import {
  describeIssues,
  METRIC_SOURCE_TYPE,
  nonEmpty,
  type RatioMetric,
  type SliSpec,
  type SourceDoc,
  show,
} from './openslo.ts';
import { disjointOn, filterCovers, formatTagFilter, parseTagFilter, type TagFilter } from './tag-filter.ts';

/**
 * What an SLI measures. Its sources are this bot's telemetry (metricSource type `revenue-leak-sre`, or
 * no type, or a DataSource of that type by metricSourceRef); anything else is a source the bot cannot
 * query and is refused with that reason. Our source spec is { service, metric } plus, on a ratioMetric's
 * good source, `ok: true` (availability) or a latency threshold (`latencyBelowMs: 300`, or
 * `latencyBelow: "0.3s"` with its unit), on its bad source `ok: false`, and on any source a `filter` of
 * the metric's attributes (tag-filter.ts). A thresholdMetric names the metric (and its `unit`); its
 * SLO's objective gives `op: lt` and the threshold `value` (slo-terms.ts).
 */

const sourceSpecSchema = z.strictObject({
  service: nonEmpty,
  metric: nonEmpty,
  ok: z.boolean().optional(),
  latencyBelowMs: z.union([z.number(), z.string()]).optional(),
  latencyBelow: z.union([z.number(), z.string()]).optional(),
  unit: nonEmpty.optional(),
  filter: z.unknown().optional(),
});
type SourceSpec = z.infer<typeof sourceSpecSchema> & { where?: TagFilter };

/**
 * A DataSource by name: its type and label; 'missing'; 'invalid' (this file's, reported at its document);
 * or 'stale' (applied earlier, and no longer reads).
 */
export type DataSourceLookup = (
  name: string,
) => { type: string; label: string } | 'missing' | 'invalid' | 'stale';

export type Measured =
  | { service: string; metric: string; indicator: SlaIndicator }
  /** A thresholdMetric: the SLO's objective supplies the threshold, a bare number in `unit` (null: none given). */
  | { service: string; metric: string; threshold: { unit: string | null; where?: TagFilter } };

const CANNOT_QUERY = `a source the bot cannot query: it reads only the telemetry sent to it (metricSource type ${METRIC_SOURCE_TYPE}, spec { service, metric })`;

/** Our spec of a source (path = the source's path), or the problems ([] when a DataSource reported them). */
function ourSpec(src: SourceDoc, path: string, dataSources: DataSourceLookup): SourceSpec | string[] {
  const ms = src.metricSource;
  const p = `${path}.metricSource`;
  if (ms.metricSourceRef !== undefined) {
    const d = dataSources(ms.metricSourceRef);
    if (d === 'missing')
      return [
        `${p}.metricSourceRef ${show(ms.metricSourceRef)} names no DataSource in this set or applied earlier`,
      ];
    if (d === 'invalid') return [];
    if (d === 'stale')
      return [
        `${p}.metricSourceRef ${show(ms.metricSourceRef)} names a DataSource applied earlier that no longer reads: apply it again`,
      ];
    if (d.type !== METRIC_SOURCE_TYPE)
      return [
        `${p}.metricSourceRef ${show(ms.metricSourceRef)} is ${d.label} of type ${show(d.type)}, ${CANNOT_QUERY}`,
      ];
  }
  if (ms.type !== undefined && ms.type !== METRIC_SOURCE_TYPE)
    return [`${p}.type ${show(ms.type)} is ${CANNOT_QUERY}`];
  if (Object.hasOwn(ms.spec, 'query'))
    return [
      `${p}.spec.query: the bot runs no queries; name the events instead: spec { service, metric, filter }`,
    ];
  const parsed = sourceSpecSchema.safeParse(ms.spec);
  if (!parsed.success) return describeIssues(parsed.error, ms.spec, `${p}.spec`);
  if (parsed.data.filter === undefined) return parsed.data;
  const f = parseTagFilter(parsed.data.filter, `${p}.spec.filter`);
  return 'errors' in f ? f.errors : { ...parsed.data, where: f.filter };
}

/** What an SLI measures (at = the SLI spec's path), or every problem found. */
export function measure(sli: SliSpec, at: string, dataSources: DataSourceLookup): Measured | string[] {
  if (sli.ratioMetric !== undefined && sli.thresholdMetric !== undefined)
    return [`${at} must have ratioMetric or thresholdMetric, not both`];
  if (sli.thresholdMetric !== undefined)
    return measureThreshold(sli.thresholdMetric, `${at}.thresholdMetric`, dataSources);
  if (sli.ratioMetric === undefined) return [`${at}.ratioMetric is missing (or give a thresholdMetric)`];
  return measureRatio(sli.ratioMetric, `${at}.ratioMetric`, dataSources);
}

function measureThreshold(src: SourceDoc, at: string, dataSources: DataSourceLookup): Measured | string[] {
  const spec = ourSpec(src, at, dataSources);
  if (Array.isArray(spec)) return spec;
  const p = `${at}.metricSource.spec`;
  for (const f of ['ok', 'latencyBelowMs', 'latencyBelow'] as const)
    if (spec[f] !== undefined)
      return [
        `${p}.${f} is for a ratioMetric source: a thresholdMetric takes its threshold from the SLO's objective (op: lt, value)`,
      ];
  const unit = spec.unit === undefined ? null : spec.unit.trim().toLowerCase();
  if (unit !== null && unitToMs(unit) === null)
    return [`${p}.unit ${show(spec.unit)} cannot be converted to ms (use ${LATENCY_UNITS})`];
  const where = spec.where === undefined ? {} : { where: spec.where };
  return { service: spec.service, metric: spec.metric, threshold: { unit, ...where } };
}

function measureRatio(ratio: RatioMetric, at: string, dataSources: DataSourceLookup): Measured | string[] {
  if (ratio.raw !== undefined)
    return [
      `${at}.raw is not supported: the bot counts the events itself; give good (or bad) and total sources`,
    ];
  const { good, bad } = ratio;
  if (ratio.total === undefined) return [`${at}.total is missing`];
  if (good !== undefined && bad !== undefined) return [`${at} must have good or bad, not both`];
  if (good === undefined && bad === undefined) return [`${at} needs good (or bad) beside total`];
  const side = good !== undefined ? 'good' : 'bad';
  const total = ourSpec(ratio.total, `${at}.total`, dataSources);
  const part = ourSpec((good ?? bad)!, `${at}.${side}`, dataSources);
  if (Array.isArray(total) || Array.isArray(part))
    return [...(Array.isArray(total) ? total : []), ...(Array.isArray(part) ? part : [])];
  const tp = `${at}.total.metricSource.spec`;
  if (total.ok !== undefined || total.latencyBelowMs !== undefined || total.latencyBelow !== undefined)
    return [`${tp} must count every event (no ok or latencyBelowMs)`];
  const p = `${at}.${side}.metricSource.spec`;
  for (const [s, path] of [
    [total, tp],
    [part, p],
  ] as const)
    if (s.unit !== undefined)
      return [
        `${path}.unit is for a thresholdMetric source (write the threshold with its unit: latencyBelow: "300ms")`,
      ];
  if (part.service !== total.service)
    return [`${p}.service ${show(part.service)} must match total's ${show(total.service)}`];
  if (part.metric !== total.metric)
    return [`${p}.metric ${show(part.metric)} must match total's ${show(total.metric)}`];
  if (part.ok !== undefined && part.where !== undefined)
    return [`${p} must set ok or filter, not both (to count only some events, filter total)`];
  const indicator = side === 'bad' ? badSide(part, total.where, p) : goodSide(part, total.where, p);
  return typeof indicator === 'string'
    ? [indicator]
    : { service: total.service, metric: total.metric, indicator };
}

const withWhere = (where: TagFilter | undefined) => (where === undefined ? {} : { where });

function badSide(part: SourceSpec, where: TagFilter | undefined, p: string): SlaIndicator | string {
  if (part.latencyBelowMs !== undefined || part.latencyBelow !== undefined)
    return `${p}.latencyBelowMs is not supported for bad events (count the fast ones as good)`;
  if (part.where !== undefined) {
    const key = disjointOn(where, part.where);
    if (key !== null)
      return `${p}.filter.${key} can never match an event total counts (total has ${formatTagFilter({ [key]: where![key]! })}): no event could ever be bad`;
    return { kind: 'availability', ...withWhere(where), bad: part.where };
  }
  if (part.ok === true) return `${p}.ok must be false for bad events`;
  if (part.ok === false) return { kind: 'availability', ...withWhere(where) };
  return `${p} must set ok: false or a filter (which events are bad)`;
}

function goodSide(part: SourceSpec, where: TagFilter | undefined, p: string): SlaIndicator | string {
  const both = part.latencyBelowMs !== undefined && part.latencyBelow !== undefined;
  if (both) return `${p} must set latencyBelowMs or latencyBelow, not both`;
  const latency = part.latencyBelowMs ?? part.latencyBelow;
  if (part.ok !== undefined && latency !== undefined)
    return `${p} must set ok: true or latencyBelowMs, not both`;
  const good = part.where === undefined ? {} : { good: part.where };
  if (latency !== undefined) {
    const field = part.latencyBelowMs !== undefined ? 'latencyBelowMs' : 'latencyBelow';
    const ms = latencyMs(latency, field === 'latencyBelowMs' ? 'ms' : null);
    if (typeof ms === 'string') return `${p}.${field} ${ms}`;
    return { kind: 'latency', thresholdMs: ms, ...withWhere(where), ...good };
  }
  if (part.ok === true) return { kind: 'availability', ...withWhere(where) };
  if (part.ok === false) return `${p}.ok must be true for good events (count failures as bad with ok: false)`;
  if (part.where !== undefined) {
    if (filterCovers(where, part.where))
      return `${p}.filter matches every event total counts: no event could ever be bad (filter the good events more narrowly, or count the bad ones)`;
    return { kind: 'availability', ...withWhere(where), good: part.where };
  }
  return `${p} must set ok: true (availability), latencyBelowMs (latency) or a filter (which events are good)`;
}
