import type { AuditEntry } from '../../../src/app/incidents/ports.ts';
import { openSloToDefinitions, type SlaDefinition } from '../../../src/domain/sla/definition.ts';
import { type SlaFigures, slaFactsOf } from '../../../src/domain/sla/figures.ts';

/** OpenSLO documents as `leak sla apply -f` would hand them over once parsed from YAML. */
export const NOW = Date.UTC(2026, 10, 20, 12, 0);

export type Doc = Record<string, unknown>;
export const source = (spec: Doc) => ({ metricSource: { type: 'revenue-leak-sre', spec } });
export const REQUESTS = { service: 'checkout', metric: 'http.server.request' };

export const service = (): Doc => ({
  apiVersion: 'openslo/v1',
  kind: 'Service',
  metadata: { name: 'checkout', displayName: 'Checkout' },
  spec: { description: 'Takes the orders' },
});
export const sli = (): Doc => ({
  apiVersion: 'openslo/v1',
  kind: 'SLI',
  metadata: { name: 'checkout-success' },
  spec: { ratioMetric: { counter: true, good: source({ ...REQUESTS, ok: true }), total: source(REQUESTS) } },
});
export const slo = (): Doc => ({
  apiVersion: 'openslo/v1',
  kind: 'SLO',
  metadata: { name: 'checkout-availability', displayName: 'Checkout availability' },
  spec: {
    service: 'checkout',
    indicatorRef: 'checkout-success',
    timeWindow: [{ duration: '30d', isRolling: true }],
    budgetingMethod: 'Occurrences',
    objectives: [{ displayName: 'Orders go through', target: 0.999 }],
    alertPolicies: [], // OpenSLO fields we do not use are ignored
  },
});
/** The set as `leak sla apply -f` would parse it: Service, SLI, SLO. */
export const set = (): Doc[] => [service(), sli(), slo()];

/** A copy of `doc` with the value at a dotted path replaced (undefined deletes it). */
export function edit(doc: Doc, path: string, value: unknown): Doc {
  const copy = structuredClone(doc);
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  if (value === undefined) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return copy;
}

export const definitionsOf = (docs: unknown[]): SlaDefinition[] => {
  const r = openSloToDefinitions(docs, NOW);
  if (!r.ok) throw new Error(`expected the set to be accepted:\n${r.errors.join('\n')}`);
  return r.definitions;
};
export const errorsOf = (docs: unknown[]): string[] => {
  const r = openSloToDefinitions(docs, NOW);
  if (r.ok) throw new Error('expected the set to be rejected');
  return r.errors;
};

export const AVAILABILITY: SlaDefinition = {
  id: 'checkout-availability',
  service: 'checkout',
  metric: 'http.server.request',
  name: 'Checkout availability',
  indicator: { kind: 'availability' },
  target: 0.999,
  windowDays: 30,
  version: 1,
  activeFromMs: NOW,
  activeToMs: null,
};

/** AVAILABILITY (checkout, http.server.request, 99.9 %), active from `activeFromMs`. */
export const availabilityFrom = (activeFromMs: number): SlaDefinition => ({ ...AVAILABILITY, activeFromMs });

/** The terms of a latency objective: under 300 ms on http.server.duration, 99 % of the time. */
const LATENCY_300MS = {
  metric: 'http.server.duration',
  indicator: { kind: 'latency', thresholdMs: 300 },
  target: 0.99,
} as const satisfies Partial<SlaDefinition>;

/** Checkout's latency objective, built on `base` (an AVAILABILITY with its own activeFromMs). */
export const checkoutLatency = (base: SlaDefinition): SlaDefinition => ({
  ...base,
  id: 'checkout-latency',
  name: 'Checkout latency',
  ...LATENCY_300MS,
});

/** Search's latency objective, built on `base` (an AVAILABILITY with its own activeFromMs). */
export const searchLatency = (base: SlaDefinition): SlaDefinition => ({
  ...base,
  id: 'search-latency',
  service: 'search',
  name: 'Search latency',
  ...LATENCY_300MS,
});

/** The audit entry a Gold snapshot of `slaId` is written with, by the `test` actor at `atMs`. */
export const snapshotAudit = (slaId: string, atMs: number): AuditEntry => ({
  actor: 'test',
  action: 'sla.snapshot_created',
  targetType: 'sla',
  targetId: slaId,
  before: null,
  after: null,
  atMs,
});

/** An SLA incident's figures for `def` as an evaluation at `atMs` paging on 1h/5m would make them. */
export const slaFiguresFor = (
  def: SlaDefinition,
  atMs: number,
  over: Partial<SlaFigures> = {},
): SlaFigures => ({
  kind: 'sla',
  ...slaFactsOf(def),
  evaluatedAtMs: atMs,
  action: 'page',
  rule: '1h/5m',
  burn: 20,
  rates: [],
  lastPageAtMs: atMs,
  budgetRemaining: 0.9,
  trend: null,
  evidence: [],
  ...over,
});
