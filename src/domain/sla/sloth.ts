import { METRIC_SOURCE_TYPE, show } from './openslo.ts';

/**
 * Sloth (sloth.dev) specs are a common neighbour of OpenSLO: `version: prometheus/v1`, a `service` and
 * `slos[]`, each with `objective`, `sli.events.error_query` / `total_query` (PromQL) and `alerting.page_alert`
 * / `ticket_alert`; or the Kubernetes form `apiVersion: sloth.slok.dev/v1`, `kind: PrometheusServiceLevel`
 * with the same `spec`. The bot runs no PromQL, so such a file is refused with what to convert, SLO by SLO.
 */

type Doc = Record<string, unknown>;

/** The Sloth spec (the document or its Kubernetes `spec`) if `doc` is one, else null. */
export function slothSpec(doc: Doc): Doc | null {
  if (typeof doc['version'] === 'string' && doc['version'].startsWith('prometheus/')) return doc;
  const api = doc['apiVersion'];
  if (typeof api === 'string' && api.startsWith('sloth.slok.dev/')) {
    const spec = doc['spec'];
    return spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Doc) : {};
  }
  return null;
}

/** The refusal of a Sloth document, one line per SLO it holds (each to be prefixed with its label). */
export function slothProblems(doc: Doc): string[] {
  const spec = slothSpec(doc) ?? {};
  const inSpec = spec === doc ? '' : 'spec.';
  const service = typeof spec['service'] === 'string' ? spec['service'] : '<service>';
  const slos = Array.isArray(spec['slos']) ? (spec['slos'] as unknown[]) : [];
  const head = `${spec === doc ? `version ${show(doc['version'])}` : `apiVersion ${show(doc['apiVersion'])}`}: this is a Sloth spec, and the bot reads OpenSLO (apiVersion: openslo/v1)`;
  if (slos.length === 0) return [`${head}: write it as OpenSLO Service, SLI and SLO documents`];
  return slos.map((raw, i) => {
    const slo = raw !== null && typeof raw === 'object' ? (raw as Doc) : {};
    const sli = (slo['sli'] ?? {}) as Doc;
    const what = `${inSpec}slos[${i}]${typeof slo['name'] === 'string' ? ` (${slo['name']})` : ''}`;
    const objective = typeof slo['objective'] === 'number' ? slo['objective'] : '<objective>';
    const source = `{ metricSource: { type: ${METRIC_SOURCE_TYPE}, spec: { service: ${service}, metric: <the metric>`;
    const events =
      sli['events'] !== undefined
        ? `convert ${what}.sli.events to an OpenSLO SLI ratioMetric over the bot's telemetry: error_query → bad: ${source}, filter: { <attribute>: <its bad values, e.g. 5xx> } } } }, total_query → total: ${source} } } }`
        : `${what}.sli has no events queries; write an OpenSLO SLI ratioMetric over the bot's telemetry (bad: ${source}, filter: { … } } } }, total: ${source} } } })`;
    return `${head}: ${events}; objective ${objective} → SLO objectives: [{ targetPercent: ${objective} }]; alerting.page_alert / ticket_alert → an AlertPolicy whose burn-rate AlertConditions have severity page / ticket`;
  });
}
