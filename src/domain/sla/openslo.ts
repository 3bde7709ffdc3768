import { z } from 'zod';
import { DAY_MS } from '../../shared/time.ts';
import { formatPath as formatIssuePath, type IssuePath, show as showValue, valueAt } from '../zod-issues.ts';
import type { SlaIndicator } from './indicator.ts';

/**
 * The OpenSLO `openslo/v1` documents we accept (kinds SLO, SLI and Service): their shapes as zod schemas,
 * zod's issues as readable lines, and the SLI and window forms we support (measure, durationDays).
 * References between documents are checked in definition.ts, where the whole subset is documented.
 *
 * Fields OpenSLO allows and we do not use (description, labels, annotations, alertPolicies, …) are
 * ignored; the metric source spec is ours, so it is strict and an unknown field in it is an error.
 */

export const OPENSLO_API_VERSION = 'openslo/v1';
export const METRIC_SOURCE_TYPE = 'revenue-leak-sre';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const name = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(NAME, 'must be lowercase letters, digits and "-", starting and ending with a letter or digit');
const nonEmpty = z.string().trim().min(1, 'must not be empty');

const metadata = z.object({ name, displayName: nonEmpty.optional() });

/** Our metric source: the events of one service's metric, optionally only the ok or the fast ones. */
const sourceSpec = z.strictObject({
  service: nonEmpty,
  metric: nonEmpty,
  ok: z.boolean().optional(),
  latencyBelowMs: z.number().positive('must be greater than 0').optional(),
});
const source = z.object({
  metricSource: z.object({ type: z.literal(METRIC_SOURCE_TYPE), spec: sourceSpec }),
});
export type MetricSourceSpec = z.infer<typeof sourceSpec>;

const ratioMetric = z.object({
  counter: z.boolean().optional(),
  good: source.optional(),
  bad: source.optional(),
  total: source,
});
export type RatioMetric = z.infer<typeof ratioMetric>;

const sliSpec = z.object({ ratioMetric: ratioMetric.optional(), thresholdMetric: z.unknown().optional() });
export type SliSpec = z.infer<typeof sliSpec>;

const between01 = 'must be between 0 and 1';
const between0100 = 'must be between 0 and 100';
const objective = z.object({
  displayName: z.string().optional(),
  target: z.number().gt(0, between01).lt(1, between01).optional(),
  targetPercent: z.number().gt(0, between0100).lt(100, between0100).optional(),
});

const timeWindow = z.object({ duration: z.string(), isRolling: z.boolean().optional() });

const envelope = { apiVersion: z.literal(OPENSLO_API_VERSION), metadata };

export const sliDocSchema = z.object({ ...envelope, kind: z.literal('SLI'), spec: sliSpec });
export const serviceDocSchema = z.object({
  ...envelope,
  kind: z.literal('Service'),
  spec: z.object({ description: z.string().optional() }).optional(),
});
export const sloDocSchema = z.object({
  ...envelope,
  kind: z.literal('SLO'),
  spec: z.object({
    service: name,
    /** An inline SLI (its metadata may be left out). */
    indicator: z.object({ metadata: metadata.optional(), spec: sliSpec }).optional(),
    indicatorRef: name.optional(),
    timeWindow: z.array(timeWindow).length(1, 'must have exactly one entry'),
    budgetingMethod: z.literal('Occurrences'),
    objectives: z.array(objective).length(1, 'must have exactly one objective (one target per SLO)'),
  }),
});
export type SloDoc = z.infer<typeof sloDocSchema>;

export const DOC_SCHEMAS = { SLO: sloDocSchema, SLI: sliDocSchema, Service: serviceDocSchema } as const;
export type DocKind = keyof typeof DOC_SCHEMAS;
export const isDocKind = (k: unknown): k is DocKind => typeof k === 'string' && Object.hasOwn(DOC_SCHEMAS, k);

/** `spec.objectives[0].target`; the document itself is "document". */
export const formatPath = (path: IssuePath): string => formatIssuePath(path, 'document');

/** A received value as a message shows it; an object is "a mapping", as YAML calls it. */
export const show = (v: unknown): string => showValue(v, 'a mapping');

const KIND_LABELS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/** One zod issue as "path problem": `spec.budgetingMethod must be "Occurrences" (got "Timeslices")`. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = formatPath(issue.path);
  const got = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (got === undefined) return `${where} is missing`;
      return `${where} must be ${KIND_LABELS[issue.expected] ?? issue.expected} (got ${show(got)})`;
    case 'invalid_value': {
      const expected = issue.values.map((v) => JSON.stringify(v)).join(' or ');
      if (got === undefined) return `${where} is missing (expected ${expected})`;
      return `${where} must be ${expected} (got ${show(got)})`;
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      return `${where} has unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}`;
    }
    case 'invalid_format':
      return `${where} ${issue.message} (got ${show(got)})`;
    default:
      // Range, length and the like: the schemas above word these messages themselves.
      return `${where} ${issue.message}`;
  }
}

/** The longest window accepted: a year (Gold is daily, reports are weekly). */
export const MAX_WINDOW_DAYS = 366;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/** `30d` → 30; anything else is the problem, worded to follow the field's path. */
export function durationDays(duration: string): number | string {
  const m = /^([1-9][0-9]{0,6})([mhdw])$/.exec(duration);
  if (m === null) return `must be a duration such as 30d, 4w or 720h (got ${show(duration)})`;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  const days = ms / DAY_MS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_WINDOW_DAYS)
    return `must be a whole number of days from 1d to ${MAX_WINDOW_DAYS}d (got ${show(duration)})`;
  return days;
}

export interface Measured {
  service: string;
  metric: string;
  indicator: SlaIndicator;
}

/** What an SLI measures, or the first thing wrong with it (`at` is the SLI spec's path). */
export function measure(sli: SliSpec, at: string): Measured | string {
  if (sli.thresholdMetric !== undefined)
    return `${at}.thresholdMetric is not supported: write a latency SLI as a ratioMetric whose good source sets latencyBelowMs`;
  const ratio = sli.ratioMetric;
  if (ratio === undefined) return `${at}.ratioMetric is missing (the only SLI form supported)`;
  const { good, bad } = ratio;
  if (good !== undefined && bad !== undefined) return `${at}.ratioMetric must have good or bad, not both`;
  if (good === undefined && bad === undefined) return `${at}.ratioMetric needs good (or bad) beside total`;
  const total = ratio.total.metricSource.spec;
  if (total.ok !== undefined || total.latencyBelowMs !== undefined)
    return `${at}.ratioMetric.total.metricSource.spec must count every event (no ok or latencyBelowMs)`;
  const side = good !== undefined ? 'good' : 'bad';
  const part: MetricSourceSpec = (good ?? bad)!.metricSource.spec;
  const p = `${at}.ratioMetric.${side}.metricSource.spec`;
  if (part.service !== total.service)
    return `${p}.service ${show(part.service)} must match total's ${show(total.service)}`;
  if (part.metric !== total.metric)
    return `${p}.metric ${show(part.metric)} must match total's ${show(total.metric)}`;
  const of = (indicator: SlaIndicator): Measured => ({
    service: total.service,
    metric: total.metric,
    indicator,
  });
  if (side === 'bad') {
    if (part.latencyBelowMs !== undefined)
      return `${p}.latencyBelowMs is not supported for bad events (count the fast ones as good)`;
    if (part.ok !== false) return `${p}.ok must be false for bad events`;
    return of({ kind: 'availability' });
  }
  if (part.ok !== undefined && part.latencyBelowMs !== undefined)
    return `${p} must set ok: true or latencyBelowMs, not both`;
  if (part.latencyBelowMs !== undefined) return of({ kind: 'latency', thresholdMs: part.latencyBelowMs });
  if (part.ok === true) return of({ kind: 'availability' });
  if (part.ok === false) return `${p}.ok must be true for good events (count failures as bad with ok: false)`;
  return `${p} must set ok: true (availability) or latencyBelowMs (latency)`;
}
