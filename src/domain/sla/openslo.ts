import { z } from 'zod';
import { formatPath as formatIssuePath, type IssuePath, show as showValue, valueAt } from '../zod-issues.ts';

/**
 * The OpenSLO `openslo/v1` documents we accept: their shapes as zod schemas and zod's issues as readable
 * lines. Kinds SLO, SLI, Service and DataSource are here; AlertPolicy, AlertCondition and
 * AlertNotificationTarget in openslo-alerts.ts. What an SLI measures is sli.ts; how documents refer to
 * each other, definition.ts (where the whole subset is documented).
 *
 * Fields OpenSLO allows and we do not use (description, labels, counter, …) are ignored; the metric
 * source spec is ours, so it is strict (sli.ts) and an unknown field in it is an error.
 */

export const OPENSLO_API_VERSION = 'openslo/v1';
/** The metric source (and DataSource) type of this bot's own telemetry, the only source it can query. */
export const METRIC_SOURCE_TYPE = 'revenue-leak-sre';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const name = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(NAME, 'must be lowercase letters, digits and "-", starting and ending with a letter or digit');
export const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const metadata = z.object({
  name,
  displayName: nonEmpty.optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

/** A metric source as OpenSLO frames it; its `spec` is checked once its type is known to be ours. */
const metricSource = z.object({
  metricSourceRef: name.optional(),
  type: nonEmpty.optional(),
  spec: z.record(z.string(), z.unknown()),
});
const source = z.object({ metricSource });
export type SourceDoc = z.infer<typeof source>;

const ratioMetric = z.object({
  counter: z.boolean().optional(),
  good: source.optional(),
  bad: source.optional(),
  total: source.optional(),
  raw: z.unknown().optional(),
  rawType: z.unknown().optional(),
});
export type RatioMetric = z.infer<typeof ratioMetric>;

export const sliSpec = z.object({ ratioMetric: ratioMetric.optional(), thresholdMetric: source.optional() });
export type SliSpec = z.infer<typeof sliSpec>;

const between01 = 'must be between 0 and 1';
const between0100 = 'must be between 0 and 100';
const objective = z.object({
  displayName: z.string().optional(),
  target: z.number().gt(0, between01).lt(1, between01).optional(),
  targetPercent: z.number().gt(0, between0100).lt(100, between0100).optional(),
  /** A thresholdMetric SLI's comparison and threshold (the latency limit). */
  op: z.enum(['lt', 'lte', 'gt', 'gte']).optional(),
  value: z.union([z.number(), z.string()]).optional(),
});
export type Objective = z.infer<typeof objective>;

const timeWindow = z.object({
  duration: z.string(),
  isRolling: z.boolean().optional(),
  calendar: z.object({ startTime: z.string().optional(), timeZone: z.string().optional() }).optional(),
});
export type TimeWindow = z.infer<typeof timeWindow>;

const envelope = { apiVersion: z.literal(OPENSLO_API_VERSION), metadata };

export const sliDocSchema = z.object({ ...envelope, kind: z.literal('SLI'), spec: sliSpec });
export const serviceDocSchema = z.object({
  ...envelope,
  kind: z.literal('Service'),
  spec: z.object({ description: z.string().optional() }).optional(),
});
export const dataSourceDocSchema = z.object({
  ...envelope,
  kind: z.literal('DataSource'),
  spec: z.object({
    type: nonEmpty,
    description: z.string().optional(),
    /** Never stored: it may hold credentials, and the bot connects to nothing. */
    connectionDetails: z.unknown().optional(),
  }),
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
    /** Names, `{ alertPolicyRef }` or inline AlertPolicy documents: openslo-alerts.ts reads them. */
    alertPolicies: z.array(z.unknown()).optional(),
  }),
});
export type SloDoc = z.infer<typeof sloDocSchema>;
export type SliDoc = z.infer<typeof sliDocSchema>;
export type DataSourceDoc = z.infer<typeof dataSourceDocSchema>;

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
export function describeIssue(issue: z.core.$ZodIssue, input: unknown, prefix = ''): string {
  const rel = formatIssuePath(issue.path, '');
  const where =
    prefix === ''
      ? formatPath(issue.path)
      : rel === '' || rel.startsWith('[')
        ? prefix + rel
        : `${prefix}.${rel}`;
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

/** Every issue of a failed parse of `input` (found at `prefix`), each as one line. */
export const describeIssues = (error: z.ZodError, input: unknown, prefix = ''): string[] =>
  error.issues.map((issue) => describeIssue(issue, input, prefix));
