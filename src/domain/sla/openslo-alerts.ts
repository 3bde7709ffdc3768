import { z } from 'zod';
import { describeIssues, metadata, name, nonEmpty, OPENSLO_API_VERSION, show } from './openslo.ts';

/**
 * OpenSLO's alerting kinds: AlertPolicy, AlertCondition and AlertNotificationTarget, each a document of
 * its own or written inline where it is used (an SLO's `alertPolicies`, a policy's `conditions` and
 * `notificationTargets`). What they mean for an SLA is alert-rules.ts.
 */

export const conditionSpecSchema = z.object({
  description: z.string().optional(),
  /** page, critical, ticket, warning, … (alert-rules.ts maps it to an action). */
  severity: nonEmpty,
  condition: z.object({
    kind: z.literal('burnrate').optional(),
    op: z.enum(['gt', 'gte', 'lt', 'lte']).optional(),
    threshold: z.number(),
    lookbackWindow: z.string(),
    alertAfter: z.string().optional(),
  }),
});
export type ConditionSpec = z.infer<typeof conditionSpecSchema>;

export const targetSpecSchema = z.object({ target: nonEmpty, description: z.string().optional() });

export const policySpecSchema = z.object({
  description: z.string().optional(),
  alertWhenNoData: z.boolean().optional(),
  alertWhenResolved: z.boolean().optional(),
  alertWhenBreaching: z.boolean().optional(),
  /** Names, `{ conditionRef }` or inline AlertCondition documents. */
  conditions: z.array(z.unknown()).min(1, 'must have at least one condition'),
  /** Names, `{ targetRef }` or inline AlertNotificationTarget documents. */
  notificationTargets: z.array(z.unknown()).optional(),
});
export type PolicySpec = z.infer<typeof policySpecSchema>;

const doc = <K extends string, S extends z.ZodType>(kind: K, spec: S) =>
  z.object({ apiVersion: z.literal(OPENSLO_API_VERSION), kind: z.literal(kind), metadata, spec });
/** Written inline, a document may leave out its apiVersion (it is its parent's). */
const inline = <K extends string, S extends z.ZodType>(kind: K, spec: S) =>
  z.object({ apiVersion: z.literal(OPENSLO_API_VERSION).optional(), kind: z.literal(kind), metadata, spec });

export const alertConditionDocSchema = doc('AlertCondition', conditionSpecSchema);
export const alertTargetDocSchema = doc('AlertNotificationTarget', targetSpecSchema);
export const alertPolicyDocSchema = doc('AlertPolicy', policySpecSchema);

export const INLINE = {
  AlertCondition: inline('AlertCondition', conditionSpecSchema),
  AlertNotificationTarget: inline('AlertNotificationTarget', targetSpecSchema),
  AlertPolicy: inline('AlertPolicy', policySpecSchema),
} as const;
export type AlertKind = keyof typeof INLINE;
export type InlineDoc<K extends AlertKind> = z.infer<(typeof INLINE)[K]>;

/** The key that refers to a document of each kind by name (OpenSLO's spelling). */
export const REF_KEY: Record<AlertKind, string> = {
  AlertCondition: 'conditionRef',
  AlertNotificationTarget: 'targetRef',
  AlertPolicy: 'alertPolicyRef',
};

/** A list item that names a document, one written inline, or what is wrong with it. */
export type RefOrInline<K extends AlertKind> =
  /** `at`: the path of the name (the item, or its ref key). */
  { ref: string; at: string } | { inline: InlineDoc<K> } | { errors: string[] };

/**
 * An item of `alertPolicies`, `conditions` or `notificationTargets` (at = its path): a name (`fast-burn`),
 * `{ <ref key>: name }`, or an inline document `{ kind, metadata, spec }`.
 */
export function refOrInline<K extends AlertKind>(item: unknown, kind: K, at: string): RefOrInline<K> {
  const key = REF_KEY[kind];
  const named = (v: unknown, path: string): RefOrInline<K> => {
    const n = name.safeParse(v);
    return n.success ? { ref: n.data, at: path } : { errors: describeIssues(n.error, v, path) };
  };
  if (typeof item === 'string') return named(item, at);
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    if (Object.hasOwn(o, key)) return named(o[key], `${at}.${key}`);
    if (Object.hasOwn(o, 'kind') || Object.hasOwn(o, 'spec')) {
      const parsed = INLINE[kind].safeParse(item);
      if (parsed.success) return { inline: parsed.data as InlineDoc<K> };
      return { errors: describeIssues(parsed.error, item, at) };
    }
  }
  return {
    errors: [
      `${at} must name an ${kind} (a name, or { ${key}: name }) or be one written inline (kind: ${kind}, metadata, spec) (got ${show(item)})`,
    ],
  };
}
