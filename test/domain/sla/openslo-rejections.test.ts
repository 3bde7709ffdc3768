import { describe, expect, it } from 'vitest';
import { type Doc, edit, errorsOf, REQUESTS, service, set, sli, slo, source } from './openslo-fixtures.ts';

const SLO_LABEL = 'docs[2] (SLO checkout-availability)';
const SLI_LABEL = 'docs[1] (SLI checkout-success)';
const SOURCE = 'spec.ratioMetric.good.metricSource.spec';
const KINDS =
  '"SLO", "SLI", "Service", "DataSource", "AlertPolicy", "AlertCondition" or "AlertNotificationTarget"';

const withSlo = (path: string, value: unknown) => [service(), sli(), edit(slo(), path, value)];
const withSli = (path: string, value: unknown) => [service(), edit(sli(), path, value), slo()];
const goodSpec = (spec: Doc) => withSli('spec.ratioMetric.good', source(spec));
const otherService = {
  good: source({ ...REQUESTS, service: 'payments', ok: true }),
  total: source({ ...REQUESTS, service: 'payments' }),
};
const inline = (ratioMetric: Doc) =>
  edit(edit(slo(), 'spec.indicatorRef', undefined), 'spec.indicator', { spec: { ratioMetric } });

/** Each row: the set with one thing wrong, and the errors it must produce (nothing else). */
// biome-ignore format: one rejection per line reads as the table it is
const REJECTIONS: [string, unknown[], ...string[]][] = [
  // the documents themselves
  ['not a mapping', [service(), sli(), 'slo: yes'], 'docs[2]: must be a mapping (an OpenSLO document), got "slo: yes"'],
  ['a list', [service(), sli(), [slo()]], 'docs[2]: must be a mapping (an OpenSLO document), got a list'],
  ['no kind', withSlo('kind', undefined), `docs[2]: kind is missing (expected ${KINDS})`],
  ['another kind', [...set(), { kind: 'Dashboard', metadata: { name: 'p' } }], `docs[3] (Dashboard p): kind must be ${KINDS} (got "Dashboard")`],
  ['another apiVersion', withSlo('apiVersion', 'openslo/v2alpha'), `${SLO_LABEL}: apiVersion must be "openslo/v1" (got "openslo/v2alpha")`],
  ['no apiVersion', withSlo('apiVersion', undefined), `${SLO_LABEL}: apiVersion is missing (expected "openslo/v1")`],
  ['no metadata', withSlo('metadata', undefined), 'docs[2] (SLO): metadata is missing'],
  ['a name that is not a name', withSlo('metadata', { name: 'Checkout Availability' }), 'docs[2] (SLO Checkout Availability): metadata.name must be lowercase letters, digits and "-", starting and ending with a letter or digit (got "Checkout Availability")'],
  ['a name too long', withSlo('metadata', { name: 'a'.repeat(64) }), `docs[2] (SLO ${'a'.repeat(64)}): metadata.name must be at most 63 characters`],
  ['a name used twice', [...set(), sli()], 'docs[3] (SLI checkout-success): metadata.name "checkout-success" is already used by docs[1]'],
  ['no SLO', [service(), sli()], 'docs: no SLO document (kind: SLO) in the set'],
  ['nothing', [], 'docs: no SLO document (kind: SLO) in the set'],
  // SLO references
  ['an unknown service', [sli(), slo()], 'docs[1] (SLO checkout-availability): spec.service "checkout" names no Service document in this set or applied earlier'],
  ['an unknown SLI', withSlo('spec.indicatorRef', 'checkout-ok'), `${SLO_LABEL}: spec.indicatorRef "checkout-ok" names no SLI document in this set or applied earlier`],
  ['no indicator', withSlo('spec.indicatorRef', undefined), `${SLO_LABEL}: spec needs indicator (an inline SLI) or indicatorRef (the name of an SLI)`],
  ['both indicators', withSlo('spec.indicator', sli()), `${SLO_LABEL}: spec must have indicator or indicatorRef, not both`],
  ['an SLI of another service', [service(), edit(sli(), 'spec.ratioMetric', otherService), slo()], `${SLO_LABEL}: spec.indicatorRef "checkout-success" measures service "payments", not the SLO's service "checkout"`],
  ['an inline SLI of another service', [service(), inline(otherService)], `docs[1] (SLO checkout-availability): spec.indicator.spec.ratioMetric.total.metricSource.spec.service "payments" must be the SLO's service "checkout"`],
  ['an inline SLI gone wrong', [service(), inline({ total: source(REQUESTS) })], 'docs[1] (SLO checkout-availability): spec.indicator.spec.ratioMetric needs good (or bad) beside total'],
  // objectives
  ['a target above 1', withSlo('spec.objectives', [{ target: 1.5 }]), `${SLO_LABEL}: spec.objectives[0].target must be between 0 and 1`],
  ['a target of 1 (no budget)', withSlo('spec.objectives', [{ target: 1 }]), `${SLO_LABEL}: spec.objectives[0].target must be between 0 and 1`],
  ['a target of 0', withSlo('spec.objectives', [{ target: 0 }]), `${SLO_LABEL}: spec.objectives[0].target must be between 0 and 1`],
  ['a target as text', withSlo('spec.objectives', [{ target: '99.9' }]), `${SLO_LABEL}: spec.objectives[0].target must be a number (got "99.9")`],
  ['a targetPercent of 100', withSlo('spec.objectives', [{ targetPercent: 100 }]), `${SLO_LABEL}: spec.objectives[0].targetPercent must be between 0 and 100`],
  ['target and targetPercent', withSlo('spec.objectives', [{ target: 0.999, targetPercent: 99.9 }]), `${SLO_LABEL}: spec.objectives[0] must have target or targetPercent, not both`],
  ['no target', withSlo('spec.objectives', [{ displayName: 'x' }]), `${SLO_LABEL}: spec.objectives[0].target is missing (or give targetPercent)`],
  ['two objectives', withSlo('spec.objectives', [{ target: 0.99 }, { target: 0.999 }]), `${SLO_LABEL}: spec.objectives must have exactly one objective (one target per SLO)`],
  ['no objectives', withSlo('spec.objectives', []), `${SLO_LABEL}: spec.objectives must have exactly one objective (one target per SLO)`],
  ['Timeslices', withSlo('spec.budgetingMethod', 'Timeslices'), `${SLO_LABEL}: spec.budgetingMethod must be "Occurrences" (got "Timeslices")`],
  ['no budgetingMethod', withSlo('spec.budgetingMethod', undefined), `${SLO_LABEL}: spec.budgetingMethod is missing (expected "Occurrences")`],
  // time windows
  ['no timeWindow', withSlo('spec.timeWindow', undefined), `${SLO_LABEL}: spec.timeWindow is missing`],
  ['two windows', withSlo('spec.timeWindow', [{ duration: '30d' }, { duration: '7d' }]), `${SLO_LABEL}: spec.timeWindow must have exactly one entry`],
  ['a duration in words', withSlo('spec.timeWindow', [{ duration: '30 days' }]), `${SLO_LABEL}: spec.timeWindow[0].duration must be a duration such as 30d, 4w, 1M or 720h (got "30 days")`],
  ['a zero duration', withSlo('spec.timeWindow', [{ duration: '0d' }]), `${SLO_LABEL}: spec.timeWindow[0].duration must be a duration such as 30d, 4w, 1M or 720h (got "0d")`],
  ['an hour', withSlo('spec.timeWindow', [{ duration: '1h' }]), `${SLO_LABEL}: spec.timeWindow[0].duration must be a whole number of days from 1d to 366d (got "1h")`],
  ['over a year', withSlo('spec.timeWindow', [{ duration: '367d' }]), `${SLO_LABEL}: spec.timeWindow[0].duration must be a whole number of days from 1d to 366d (got "367d")`],
  ['a calendar window of hours', withSlo('spec.timeWindow', [{ duration: '12h', isRolling: false }]), `${SLO_LABEL}: spec.timeWindow[0].duration "12h": a calendar window is whole days or longer (d, w, M, Q or Y)`],
  // SLIs
  ['a thresholdMetric without its threshold', withSli('spec', { thresholdMetric: source({ ...REQUESTS, unit: 'ms' }) }), `${SLO_LABEL}: spec.objectives[0].op is missing: a thresholdMetric SLI needs op: lt and the latency limit in value`, `${SLO_LABEL}: spec.objectives[0].value is missing: the latency threshold, such as "300ms"`],
  ['no ratioMetric', withSli('spec', {}), `${SLI_LABEL}: spec.ratioMetric is missing (or give a thresholdMetric)`],
  ['good and bad', withSli('spec.ratioMetric.bad', source({ ...REQUESTS, ok: false })), `${SLI_LABEL}: spec.ratioMetric must have good or bad, not both`],
  ['neither good nor bad', withSli('spec.ratioMetric.good', undefined), `${SLI_LABEL}: spec.ratioMetric needs good (or bad) beside total`],
  ['no total', withSli('spec.ratioMetric.total', undefined), `${SLI_LABEL}: spec.ratioMetric.total is missing`],
  ['a filtered total', withSli('spec.ratioMetric.total', source({ ...REQUESTS, ok: true })), `${SLI_LABEL}: spec.ratioMetric.total.metricSource.spec must count every event (no ok or latencyBelowMs)`],
  ['another source type', withSli('spec.ratioMetric.total.metricSource.type', 'prometheus'), `${SLI_LABEL}: spec.ratioMetric.total.metricSource.type "prometheus" is a source the bot cannot query: it reads only the telemetry sent to it (metricSource type revenue-leak-sre, spec { service, metric })`],
  ['a query', goodSpec({ ...REQUESTS, ok: true, query: 'sum(rate(x))' }), `${SLI_LABEL}: ${SOURCE}.query: the bot runs no queries; name the events instead: spec { service, metric, filter }`],
  ['an unknown source field', goodSpec({ ...REQUESTS, ok: true, region: 'eu' }), `${SLI_LABEL}: ${SOURCE} has unknown field "region"`],
  ['no metric', goodSpec({ service: 'checkout', ok: true }), `${SLI_LABEL}: ${SOURCE}.metric is missing`],
  ['an empty service', goodSpec({ ...REQUESTS, service: ' ', ok: true }), `${SLI_LABEL}: ${SOURCE}.service must not be empty`],
  ['ok as text', goodSpec({ ...REQUESTS, ok: 'yes' }), `${SLI_LABEL}: ${SOURCE}.ok must be true or false (got "yes")`],
  ['a negative threshold', goodSpec({ ...REQUESTS, latencyBelowMs: -5 }), `${SLI_LABEL}: ${SOURCE}.latencyBelowMs must be greater than 0`],
  ['good of another service', goodSpec({ ...REQUESTS, service: 'payments', ok: true }), `${SLI_LABEL}: ${SOURCE}.service "payments" must match total's "checkout"`],
  ['good of another metric', goodSpec({ ...REQUESTS, metric: 'rpc', ok: true }), `${SLI_LABEL}: ${SOURCE}.metric "rpc" must match total's "http.server.request"`],
  ['good with ok: false', goodSpec({ ...REQUESTS, ok: false }), `${SLI_LABEL}: ${SOURCE}.ok must be true for good events (count failures as bad with ok: false)`],
  ['good unfiltered', goodSpec(REQUESTS), `${SLI_LABEL}: ${SOURCE} must set ok: true (availability), latencyBelowMs (latency) or a filter (which events are good)`],
  ['good with ok and a threshold', goodSpec({ ...REQUESTS, ok: true, latencyBelowMs: 300 }), `${SLI_LABEL}: ${SOURCE} must set ok: true or latencyBelowMs, not both`],
  ['bad with ok: true', withSli('spec.ratioMetric', { bad: source({ ...REQUESTS, ok: true }), total: source(REQUESTS) }), `${SLI_LABEL}: spec.ratioMetric.bad.metricSource.spec.ok must be false for bad events`],
  ['bad by latency', withSli('spec.ratioMetric', { bad: source({ ...REQUESTS, latencyBelowMs: 300 }), total: source(REQUESTS) }), `${SLI_LABEL}: spec.ratioMetric.bad.metricSource.spec.latencyBelowMs is not supported for bad events (count the fast ones as good)`],
];

describe('openSloToDefinitions: every rejection, one readable line each', () => {
  it.each(REJECTIONS)('%s', (_label, docs, ...expected) => {
    expect(errorsOf(docs)).toEqual(expected);
  });

  it('reports every problem of every document at once, never a half-accepted set', () => {
    const errors = errorsOf([
      service(),
      edit(sli(), 'apiVersion', 'v1'),
      edit(edit(slo(), 'spec.objectives', [{ target: 2 }]), 'spec.budgetingMethod', 'Timeslices'),
      // Refers to the broken SLI: that SLI's error is not repeated here.
      edit(slo(), 'metadata', { name: 'second' }),
    ]);
    expect(errors).toEqual([
      'docs[1] (SLI checkout-success): apiVersion must be "openslo/v1" (got "v1")',
      'docs[2] (SLO checkout-availability): spec.budgetingMethod must be "Occurrences" (got "Timeslices")',
      'docs[2] (SLO checkout-availability): spec.objectives[0].target must be between 0 and 1',
    ]);
  });
});
