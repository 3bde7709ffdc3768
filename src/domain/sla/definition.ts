import { resolver } from './openslo-resolve.ts';
import { type Entry, readDocuments, type StoredObject, storable } from './openslo-set.ts';
import { type SlaTerms, sloTerms } from './slo-terms.ts';

export type { StoredObject } from './openslo-set.ts';
export type { SlaNotify, SlaTerms } from './slo-terms.ts';

/**
 * A service SLA (DOMAIN.md §6): versioned, never edited in place. A change closes the active version
 * (activeToMs) and opens the next one (reviseDefinition). What counts as good: indicator.ts.
 */
export interface SlaDefinition extends SlaTerms {
  version: number;
  activeFromMs: number;
  /** Null while active. */
  activeToMs: number | null;
}

export type OpenSloResult =
  | {
      ok: true;
      definitions: SlaDefinition[];
      /** Where each definition came from (`docs[2] (SLO checkout-availability)`), by definition id. */
      labels: Record<string, string>;
      /** This file's documents other than SLOs, to keep for later applies (DataSource credentials dropped). */
      objects: StoredObject[];
      /** What was accepted but will not do all the author may expect, each prefixed with its document. */
      warnings: string[];
    }
  | { ok: false; errors: string[] };

/**
 * OpenSLO `openslo/v1` documents (already parsed from YAML; an empty document, null, is skipped) to SLA
 * definitions, version 1, active from nowMs. All or nothing: any problem rejects the set, and every
 * problem is reported, prefixed with its document (`docs[1] (SLO checkout-availability): …`) and naming
 * the field. `stored` are the objects applied earlier: a name resolves to this file's document first.
 *
 * The subset supported:
 * - kinds SLO, SLI, Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget; a Sloth
 *   spec is refused with what to convert (sloth.ts);
 * - an SLO's spec.service names a Service (this file's or applied earlier); its SLI is inline
 *   (spec.indicator) or by name (spec.indicatorRef);
 * - an SLI is a ratioMetric (good or bad, and total) or a thresholdMetric over this bot's telemetry,
 *   with optional attribute filters (sli.ts, tag-filter.ts); a source naming a DataSource of another type
 *   is refused (the bot can query nothing else); a latency threshold is normalized to ms (latency-unit.ts);
 * - exactly one objective, with target (0 < t < 1) or targetPercent (0 < p < 100), not both (and, for a
 *   thresholdMetric, op lt/lte and the threshold value);
 * - exactly one timeWindow: rolling, a whole number of days from 1 to 366 (`30d`, `4w`, `720h`, `1M`), or
 *   calendar-aligned (`isRolling: false`, `calendar: { startTime, timeZone }`, `1w`, `1M`, `1Q`:
 *   calendar.ts); budgetingMethod Occurrences;
 * - spec.alertPolicies: names, `{ alertPolicyRef }` or inline policies, whose burn-rate conditions become
 *   the SLA's page and ticket rules and whose notification targets name Slack channels (alert-rules.ts).
 */
export function openSloToDefinitions(
  docs: readonly unknown[],
  nowMs: number,
  stored: readonly StoredObject[] = [],
): OpenSloResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const set = readDocuments(docs, stored, errors);
  const r = resolver(set, errors, warnings);
  // Every document of the file is read, referred to or not, so each reports its own problems once.
  for (const e of set.entries) {
    if (e.kind === 'SLI') r.sli(e as Entry<'SLI'>);
    else if (e.kind === 'AlertCondition') r.condition(e as Entry<'AlertCondition'>);
    else if (e.kind === 'AlertNotificationTarget') r.target(e as Entry<'AlertNotificationTarget'>);
    else if (e.kind === 'AlertPolicy') r.policy(e as Entry<'AlertPolicy'>);
  }
  const slos = set.entries.filter((e): e is Entry<'SLO'> => e.kind === 'SLO');
  if (errors.length === 0 && slos.length === 0) errors.push('docs: no SLO document (kind: SLO) in the set');

  const definitions: SlaDefinition[] = [];
  const labels: Record<string, string> = {};
  const unread: string[] = [];
  for (const e of slos) {
    if (e.doc === null) continue;
    const t = sloTerms(e.doc, r);
    for (const p of t.errors) errors.push(`${e.label}: ${p}`);
    for (const p of t.warnings) warnings.push(`${e.label}: ${p}`);
    // No terms and no problem of its own: something it refers to failed, which says so under its label.
    if (t.terms === undefined) {
      if (t.errors.length === 0) unread.push(e.label);
      continue;
    }
    definitions.push({ ...t.terms, version: 1, activeFromMs: nowMs, activeToMs: null });
    labels[t.terms.id] = e.label;
  }
  // Never a half-accepted set, even should a failure have gone unworded.
  if (errors.length === 0)
    for (const label of unread) errors.push(`${label}: refers to a document that does not read`);
  if (errors.length > 0) return { ok: false, errors };
  const objects = set.entries.map(storable).filter((o): o is StoredObject => o !== null);
  return { ok: true, definitions, labels, objects, warnings };
}

/** Whether `d` is the version in force at `atMs` (from inclusive, to exclusive). */
export const isActiveAt = (d: SlaDefinition, atMs: number): boolean =>
  d.activeFromMs <= atMs && (d.activeToMs === null || atMs < d.activeToMs);

/** What applying `incoming` does to the active version of the same id (`current`, or null if none). */
export type Revision =
  | { kind: 'new'; open: SlaDefinition }
  | { kind: 'unchanged'; current: SlaDefinition }
  | { kind: 'revised'; close: SlaDefinition; open: SlaDefinition };

/** JSON with keys sorted at every level and undefined left out: equal terms, equal text (jsonb reorders keys). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The terms a definition is compared (and stored) by: everything but version and validity. */
export const termsOf = (d: SlaTerms): SlaTerms => ({
  id: d.id,
  service: d.service,
  metric: d.metric,
  name: d.name,
  indicator: d.indicator,
  target: d.target,
  windowDays: d.windowDays,
  ...(d.calendar ? { calendar: d.calendar } : {}),
  ...(d.rules ? { rules: d.rules } : {}),
  ...(d.notify ? { notify: d.notify } : {}),
});

const sameTerms = (a: SlaDefinition, b: SlaDefinition): boolean =>
  canonicalJson(termsOf(a)) === canonicalJson(termsOf(b));

/** Never edited in place: a change closes the current version at nowMs and opens version + 1 from nowMs. */
export function reviseDefinition(
  current: SlaDefinition | null,
  incoming: SlaDefinition,
  nowMs: number,
): Revision {
  const open = { ...incoming, activeFromMs: nowMs, activeToMs: null };
  if (current === null) return { kind: 'new', open: { ...open, version: 1 } };
  if (sameTerms(current, incoming)) return { kind: 'unchanged', current };
  return {
    kind: 'revised',
    close: { ...current, activeToMs: nowMs },
    open: { ...open, version: current.version + 1 },
  };
}
