import type { SlaIndicator } from './indicator.ts';
import {
  DOC_SCHEMAS,
  type DocKind,
  describeIssue,
  durationDays,
  isDocKind,
  type Measured,
  measure,
  type SloDoc,
  show,
} from './openslo.ts';

/**
 * A service SLA (DOMAIN.md §6): versioned, never edited in place. A change closes the active version
 * (activeToMs) and opens the next one (reviseDefinition). What counts as good: indicator.ts.
 */
export interface SlaDefinition {
  /** The SLO's metadata.name, stable across versions. */
  id: string;
  service: string;
  /** The telemetry metric (Silver series) the indicator counts. */
  metric: string;
  /** The SLO's displayName, else its name. */
  name: string;
  indicator: SlaIndicator;
  /** A fraction strictly between 0 and 1 (0.999). */
  target: number;
  /** The rolling window (and budget period), whole days. */
  windowDays: number;
  version: number;
  activeFromMs: number;
  /** Null while active. */
  activeToMs: number | null;
}

export type OpenSloResult = { ok: true; definitions: SlaDefinition[] } | { ok: false; errors: string[] };

/**
 * OpenSLO `openslo/v1` documents (already parsed from YAML; an empty document, null, is skipped) to SLA
 * definitions, version 1, active from nowMs. All or nothing: any problem rejects the set, and every
 * problem is reported, prefixed with its document (`docs[1] (SLO checkout-availability): …`).
 *
 * The subset supported:
 * - kinds SLO, SLI and Service (no other kind); every SLO's spec.service names a Service in the set;
 * - an SLO has its SLI inline (spec.indicator) or by name (spec.indicatorRef, an SLI in the set);
 * - an SLI is a spec.ratioMetric (no thresholdMetric): `total` plus `good` (or `bad`), each a metricSource
 *   of type `revenue-leak-sre` whose spec is { service, metric } with, for good, `ok: true`
 *   (availability) or `latencyBelowMs: N` (latency), and for bad, `ok: false` (availability); total has
 *   neither; all three name the same service (the SLO's) and metric;
 * - exactly one objective, with target (0 < t < 1) or targetPercent (0 < p < 100), not both;
 * - exactly one rolling timeWindow whose duration (`30d`, `4w`, `720h`, `43200m`) is a whole number of
 *   days from 1 to 366; budgetingMethod Occurrences.
 */
export function openSloToDefinitions(docs: readonly unknown[], nowMs: number): OpenSloResult {
  const errors: string[] = [];
  /** Per kind, every name seen (valid or not) → its document, so a duplicate or a reference is judged once. */
  const names: Record<DocKind, Map<string, number>> = { SLO: new Map(), SLI: new Map(), Service: new Map() };
  const slis = new Map<string, Measured | null>();
  const slos: { index: number; doc: SloDoc }[] = [];

  docs.forEach((raw, i) => {
    if (raw === null || raw === undefined) return;
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      errors.push(`docs[${i}]: must be a mapping (an OpenSLO document), got ${show(raw)}`);
      return;
    }
    const doc = raw as { kind?: unknown; metadata?: { name?: unknown } };
    const docName = typeof doc.metadata?.name === 'string' ? doc.metadata.name : undefined;
    const label = `docs[${i}]${typeof doc.kind === 'string' ? ` (${doc.kind}${docName ? ` ${docName}` : ''})` : ''}`;
    if (!isDocKind(doc.kind)) {
      errors.push(
        doc.kind === undefined
          ? `${label}: kind is missing (expected "SLO", "SLI" or "Service")`
          : `${label}: kind must be "SLO", "SLI" or "Service" (got ${show(doc.kind)})`,
      );
      return;
    }
    const kind = doc.kind;
    if (docName !== undefined) {
      const earlier = names[kind].get(docName);
      if (earlier !== undefined) {
        errors.push(`${label}: metadata.name ${show(docName)} is already used by docs[${earlier}]`);
        return;
      }
      names[kind].set(docName, i);
    }
    const parsed = DOC_SCHEMAS[kind].safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(`${label}: ${describeIssue(issue, raw)}`);
      return;
    }
    const data = parsed.data;
    if (data.kind === 'SLI') {
      const m = measure(data.spec, 'spec');
      if (typeof m === 'string') errors.push(`${label}: ${m}`);
      slis.set(data.metadata.name, typeof m === 'string' ? null : m);
    } else if (data.kind === 'SLO') slos.push({ index: i, doc: data });
  });

  if (errors.length === 0 && slos.length === 0) errors.push('docs: no SLO document (kind: SLO) in the set');

  const definitions: SlaDefinition[] = [];
  for (const { index, doc } of slos) {
    const label = `docs[${index}] (SLO ${doc.metadata.name})`;
    const problems = sloProblems(doc, names, slis);
    const d = problems.definition;
    if (d === undefined) for (const p of problems.errors) errors.push(`${label}: ${p}`);
    else definitions.push({ ...d, version: 1, activeFromMs: nowMs, activeToMs: null });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, definitions };
}

type Terms = Omit<SlaDefinition, 'version' | 'activeFromMs' | 'activeToMs'>;

function sloProblems(
  doc: SloDoc,
  names: Record<DocKind, ReadonlyMap<string, number>>,
  slis: ReadonlyMap<string, Measured | null>,
): { definition?: Terms; errors: string[] } {
  const errors: string[] = [];
  const { spec } = doc;
  if (!names.Service.has(spec.service))
    errors.push(`spec.service ${show(spec.service)} names no Service document in this set`);

  // null: the SLI is known but already reported wrong (no second error here).
  let measured: Measured | null = null;
  if (spec.indicator !== undefined && spec.indicatorRef !== undefined)
    errors.push('spec must have indicator or indicatorRef, not both');
  else if (spec.indicator !== undefined) {
    const m = measure(spec.indicator.spec, 'spec.indicator.spec');
    if (typeof m === 'string') errors.push(m);
    else if (m.service !== spec.service)
      errors.push(
        `spec.indicator.spec.ratioMetric.total.metricSource.spec.service ${show(m.service)} must be the SLO's service ${show(spec.service)}`,
      );
    else measured = m;
  } else if (spec.indicatorRef !== undefined) {
    const ref = spec.indicatorRef;
    const m = slis.get(ref) ?? null;
    if (!names.SLI.has(ref)) errors.push(`spec.indicatorRef ${show(ref)} names no SLI document in this set`);
    else if (m !== null && m.service !== spec.service)
      errors.push(
        `spec.indicatorRef ${show(ref)} measures service ${show(m.service)}, not the SLO's service ${show(spec.service)}`,
      );
    else measured = m;
  } else errors.push('spec needs indicator (an inline SLI) or indicatorRef (the name of an SLI)');

  const objective = spec.objectives[0]!;
  let target: number | undefined;
  if (objective.target !== undefined && objective.targetPercent !== undefined)
    errors.push('spec.objectives[0] must have target or targetPercent, not both');
  else if (objective.target !== undefined) target = objective.target;
  else if (objective.targetPercent !== undefined)
    target = Math.round(objective.targetPercent * 1e9) / 1e11; // 99.9 → 0.999, not 0.9990000000000001
  else errors.push('spec.objectives[0].target is missing (or give targetPercent)');

  const window = spec.timeWindow[0]!;
  if (window.isRolling === false)
    errors.push('spec.timeWindow[0].isRolling must be true (calendar windows are not supported)');
  const windowDays = durationDays(window.duration);
  if (typeof windowDays === 'string') errors.push(`spec.timeWindow[0].duration ${windowDays}`);

  if (errors.length > 0 || measured === null || target === undefined || typeof windowDays === 'string')
    return { errors };
  return {
    errors,
    definition: {
      id: doc.metadata.name,
      service: spec.service,
      metric: measured.metric,
      name: doc.metadata.displayName ?? doc.metadata.name,
      indicator: measured.indicator,
      target,
      windowDays,
    },
  };
}

/** Whether `d` is the version in force at `atMs` (from inclusive, to exclusive). */
export const isActiveAt = (d: SlaDefinition, atMs: number): boolean =>
  d.activeFromMs <= atMs && (d.activeToMs === null || atMs < d.activeToMs);

/** What applying `incoming` does to the active version of the same id (`current`, or null if none). */
export type Revision =
  | { kind: 'new'; open: SlaDefinition }
  | { kind: 'unchanged'; current: SlaDefinition }
  | { kind: 'revised'; close: SlaDefinition; open: SlaDefinition };

const sameTerms = (a: SlaDefinition, b: SlaDefinition): boolean =>
  a.service === b.service &&
  a.metric === b.metric &&
  a.name === b.name &&
  a.target === b.target &&
  a.windowDays === b.windowDays &&
  a.indicator.kind === b.indicator.kind &&
  (a.indicator.kind !== 'latency' ||
    b.indicator.kind !== 'latency' ||
    a.indicator.thresholdMs === b.indicator.thresholdMs);

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
