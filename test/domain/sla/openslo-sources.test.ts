import { describe, expect, it } from 'vitest';
import { openSloToDefinitions } from '../../../src/domain/sla/definition.ts';
import {
  AVAILABILITY,
  type Doc,
  definitionsOf,
  edit,
  errorsOf,
  NOW,
  REQUESTS,
  service,
  set,
  sli,
  slo,
  source,
} from './openslo-fixtures.ts';

/** SLI sources as people write them: DataSources, filters, thresholds with units; Sloth files refused. */

const SLI = 'docs[1] (SLI checkout-success)';
const SLO = 'docs[2] (SLO checkout-availability)';
const DURATION = { service: 'checkout', metric: 'http.server.request.duration' };
const ratio = (ratioMetric: Doc) => [service(), edit(sli(), 'spec.ratioMetric', ratioMetric), slo()];
const dataSource = (name: string, type: string): Doc => ({
  apiVersion: 'openslo/v1',
  kind: 'DataSource',
  metadata: { name },
  spec: { type, description: 'where the numbers live', connectionDetails: { apiKey: 'secret' } },
});
const measured = (docs: unknown[]) => definitionsOf(docs)[0]!;

describe('DataSource documents', () => {
  it('are accepted as descriptions and kept without their connectionDetails', () => {
    const viaRef = { metricSource: { metricSourceRef: 'ours', spec: REQUESTS } };
    const docs = [
      dataSource('ours', 'revenue-leak-sre'),
      dataSource('prom', 'Prometheus'), // described, used by nothing: fine
      service(),
      edit(sli(), 'spec.ratioMetric.total', viaRef),
      slo(),
    ];
    const r = openSloToDefinitions(docs, NOW);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.definitions).toEqual([AVAILABILITY]);
    expect(r.objects.find((o) => o.name === 'prom')).toEqual({
      kind: 'DataSource',
      name: 'prom',
      document: {
        apiVersion: 'openslo/v1',
        kind: 'DataSource',
        metadata: { name: 'prom' },
        spec: { type: 'Prometheus', description: 'where the numbers live' },
      },
    });
  });

  it('an SLI whose source the bot cannot query is refused with that reason', () => {
    const prom = {
      metricSource: { metricSourceRef: 'prom', spec: { query: 'sum(rate(http_requests_total[5m]))' } },
    };
    expect(
      errorsOf([
        dataSource('prom', 'Prometheus'),
        service(),
        edit(sli(), 'spec.ratioMetric.total', prom),
        slo(),
      ]),
    ).toEqual([
      'docs[2] (SLI checkout-success): spec.ratioMetric.total.metricSource.metricSourceRef "prom" is DataSource prom of type "Prometheus", a source the bot cannot query: it reads only the telemetry sent to it (metricSource type revenue-leak-sre, spec { service, metric })',
    ]);
    expect(
      errorsOf([
        service(),
        edit(sli(), 'spec.ratioMetric.total', { metricSource: { metricSourceRef: 'nope', spec: REQUESTS } }),
        slo(),
      ]),
    ).toEqual([
      `${SLI}: spec.ratioMetric.total.metricSource.metricSourceRef "nope" names no DataSource in this set or applied earlier`,
    ]);
  });

  it("a source without a type is this bot's telemetry", () => {
    expect(
      measured([
        service(),
        edit(sli(), 'spec.ratioMetric.total', { metricSource: { spec: REQUESTS } }),
        slo(),
      ]),
    ).toEqual(AVAILABILITY);
  });
});

describe('objects applied earlier', () => {
  it('a Service (or SLI) applied in an earlier file can be referenced later', () => {
    const first = openSloToDefinitions(set(), NOW);
    if (!first.ok) throw new Error(first.errors.join('\n'));
    expect(first.objects.map((o) => `${o.kind} ${o.name}`)).toEqual([
      'Service checkout',
      'SLI checkout-success',
    ]);
    const later = openSloToDefinitions([slo()], NOW, first.objects);
    if (!later.ok) throw new Error(later.errors.join('\n'));
    expect(later.definitions).toEqual([AVAILABILITY]);
    // This file's document wins over the one applied earlier.
    const shadow = openSloToDefinitions(
      [edit(sli(), 'spec.ratioMetric.good', source({ ...REQUESTS, latencyBelowMs: 250 })), slo()],
      NOW,
      first.objects,
    );
    expect(shadow.ok && shadow.definitions[0]!.indicator).toEqual({ kind: 'latency', thresholdMs: 250 });
  });

  it('one applied earlier that no longer reads is reported where it is referred to', () => {
    const stale = [
      { kind: 'DataSource', name: 'ours', document: { kind: 'DataSource' } },
      { kind: 'SLI', name: 'checkout-success', document: { kind: 'SLI' } },
    ];
    const viaRef = { metricSource: { metricSourceRef: 'ours', spec: REQUESTS } };
    const r1 = openSloToDefinitions(
      [service(), edit(sli(), 'spec.ratioMetric.total', viaRef), slo()],
      NOW,
      stale,
    );
    expect(r1.ok ? [] : r1.errors).toEqual([
      `${SLI}: spec.ratioMetric.total.metricSource.metricSourceRef "ours" names a DataSource applied earlier that no longer reads: apply it again`,
    ]);
    const r2 = openSloToDefinitions([service(), edit(slo(), 'metadata.name', 'x')], NOW, stale);
    expect(r2.ok ? [] : r2.errors).toEqual([
      'docs[1] (SLO x): spec.indicatorRef "checkout-success" names SLI checkout-success (applied earlier), which no longer reads: apply it again',
    ]);
  });
});

describe('latency thresholds are normalized to ms', () => {
  const latency = (good: Doc) =>
    measured(ratio({ good: source({ ...DURATION, ...good }), total: source(DURATION) })).indicator;
  it.each([
    [{ latencyBelowMs: 300 }, 300],
    [{ latencyBelowMs: '300' }, 300],
    [{ latencyBelowMs: '300ms' }, 300],
    [{ latencyBelow: '300ms' }, 300],
    [{ latencyBelow: '0.3s' }, 300],
    [{ latencyBelow: '0.3 s' }, 300],
    [{ latencyBelow: '250us' }, 0.25],
    [{ latencyBelow: '1.5min' }, 90_000],
  ])('%j → %s ms', (good, ms) => {
    expect(latency(good)).toEqual({ kind: 'latency', thresholdMs: ms });
  });

  it.each([
    [{ latencyBelow: '300' }, 'latencyBelow has no unit (got "300"): write it as "300ms" or "300s"'],
    [{ latencyBelow: 300 }, 'latencyBelow has no unit (got 300): write it as "300ms" or "300s"'],
    [
      { latencyBelow: '300 parsecs' },
      'latencyBelow has a unit the bot cannot convert to ms: "parsecs" (use ns, us, ms, s, min or h)',
    ],
    [{ latencyBelowMs: 'fast' }, 'latencyBelowMs must be a duration such as "300ms" or "0.3s" (got "fast")'],
    [{ latencyBelowMs: '0s' }, 'latencyBelowMs must be greater than 0'],
  ])('%j is refused', (good, problem) => {
    expect(errorsOf(ratio({ good: source({ ...DURATION, ...good }), total: source(DURATION) }))).toEqual([
      `${SLI}: spec.ratioMetric.good.metricSource.spec.${problem}`,
    ]);
  });

  const threshold = (spec: Doc, objective: Doc) => [
    service(),
    edit(sli(), 'spec', { thresholdMetric: source({ ...DURATION, ...spec }) }),
    edit(slo(), 'spec.objectives', [{ target: 0.99, ...objective }]),
  ];
  it('a thresholdMetric takes its threshold from the objective, in the source unit or its own', () => {
    expect(measured(threshold({ unit: 's' }, { op: 'lt', value: 0.3 })).indicator).toEqual({
      kind: 'latency',
      thresholdMs: 300,
    });
    expect(measured(threshold({}, { op: 'lte', value: '300ms' })).indicator).toEqual({
      kind: 'latency',
      thresholdMs: 300,
    });
    expect(
      measured(threshold({ unit: 'ms', filter: { 'http.route': '/pay' } }, { op: 'lt', value: 250 }))
        .indicator,
    ).toEqual({
      kind: 'latency',
      thresholdMs: 250,
      where: { 'http.route': [{ op: 'eq', value: '/pay' }] },
    });
  });

  it('refuses a threshold whose unit it cannot tell, or an objective that is not below it', () => {
    expect(errorsOf(threshold({}, { op: 'lt', value: 300 }))).toEqual([
      `${SLO}: spec.objectives[0].value has no unit (got 300): write it as "300ms" or "300s", or give the thresholdMetric source its unit (unit: ms)`,
    ]);
    expect(errorsOf(threshold({ unit: 'furlongs' }, { op: 'lt', value: 3 }))).toEqual([
      `${SLI}: spec.thresholdMetric.metricSource.spec.unit "furlongs" cannot be converted to ms (use ns, us, ms, s, min or h)`,
    ]);
    expect(errorsOf(threshold({ unit: 'ms' }, { op: 'gt', value: 300 }))).toEqual([
      `${SLO}: spec.objectives[0].op must be "lt" or "lte": events faster than the threshold are the good ones (got "gt")`,
    ]);
    expect(
      errorsOf([service(), sli(), edit(slo(), 'spec.objectives', [{ target: 0.99, op: 'lt', value: 300 }])]),
    ).toEqual([
      `${SLO}: spec.objectives[0].op and value are for a thresholdMetric SLI (this SLI is a ratioMetric: put the threshold on its good source, latencyBelowMs)`,
    ]);
  });
});

describe('good and bad events by attribute filters', () => {
  const S5XX = { 'http.response.status_code': [{ op: 'range', min: 500, max: 600, maxExclusive: true }] };
  it('bad events by a filter over the same metric', () => {
    const bad = source({ ...DURATION, filter: { 'http.response.status_code': '5xx' } });
    expect(measured(ratio({ bad, total: source(DURATION) })).indicator).toEqual({
      kind: 'availability',
      bad: S5XX,
    });
  });

  it('good events by a filter, total narrowed by its own', () => {
    const total = source({ ...DURATION, filter: { 'http.route': '/pay' } });
    const good = source({
      ...DURATION,
      filter: { 'http.route': '/pay', 'http.response.status_code': ['2xx', '3xx'] },
    });
    expect(measured(ratio({ good, total })).indicator).toEqual({
      kind: 'availability',
      where: { 'http.route': [{ op: 'eq', value: '/pay' }] },
      good: {
        'http.route': [{ op: 'eq', value: '/pay' }],
        'http.response.status_code': [
          { op: 'range', min: 200, max: 300, maxExclusive: true },
          { op: 'range', min: 300, max: 400, maxExclusive: true },
        ],
      },
    });
  });

  it('latency counts only the fast events the good filter keeps', () => {
    const good = source({
      ...DURATION,
      latencyBelow: '300ms',
      filter: { 'http.response.status_code': '<500' },
    });
    expect(measured(ratio({ good, total: source(DURATION) })).indicator).toEqual({
      kind: 'latency',
      thresholdMs: 300,
      good: { 'http.response.status_code': [{ op: 'range', max: 500, maxExclusive: true }] },
    });
  });

  it('an SLO that could never see a bad event is refused with the reason', () => {
    const total = source({ ...DURATION, filter: { 'http.response.status_code': 200 } });
    expect(
      errorsOf(
        ratio({ bad: source({ ...DURATION, filter: { 'http.response.status_code': '5xx' } }), total }),
      ),
    ).toEqual([
      `${SLI}: spec.ratioMetric.bad.metricSource.spec.filter.http.response.status_code can never match an event total counts (total has http.response.status_code=200): no event could ever be bad`,
    ]);
    expect(
      errorsOf(
        ratio({ good: source({ ...DURATION, filter: { 'http.response.status_code': '2xx' } }), total }),
      ),
    ).toEqual([
      `${SLI}: spec.ratioMetric.good.metricSource.spec.filter matches every event total counts: no event could ever be bad (filter the good events more narrowly, or count the bad ones)`,
    ]);
    // A plain availability SLO over an HTTP duration metric is fine: ingest derives failures from its status.
    expect(
      measured(ratio({ good: source({ ...DURATION, ok: true }), total: source(DURATION) })).indicator,
    ).toEqual({ kind: 'availability' });
  });

  it('refuses a filter beside ok, and a bad source that says nothing', () => {
    expect(
      errorsOf(ratio({ good: source({ ...DURATION, ok: true, filter: { a: 1 } }), total: source(DURATION) })),
    ).toEqual([
      `${SLI}: spec.ratioMetric.good.metricSource.spec must set ok or filter, not both (to count only some events, filter total)`,
    ]);
    expect(errorsOf(ratio({ bad: source(DURATION), total: source(DURATION) }))).toEqual([
      `${SLI}: spec.ratioMetric.bad.metricSource.spec must set ok: false or a filter (which events are bad)`,
    ]);
    expect(
      errorsOf(ratio({ bad: source({ ...DURATION, filter: { s: '' } }), total: source(DURATION) })),
    ).toEqual([`${SLI}: spec.ratioMetric.bad.metricSource.spec.filter.s must not be empty`]);
  });
});

describe('Sloth specs', () => {
  const sloth = {
    version: 'prometheus/v1',
    service: 'checkout',
    slos: [
      {
        name: 'requests-availability',
        objective: 99.9,
        sli: {
          events: {
            error_query: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
            total_query: 'sum(rate(http_requests_total[{{.window}}]))',
          },
        },
        alerting: {
          page_alert: { labels: { severity: 'critical' } },
          ticket_alert: { labels: { severity: 'warning' } },
        },
      },
    ],
  };
  const convert =
    "this is a Sloth spec, and the bot reads OpenSLO (apiVersion: openslo/v1): convert slos[0] (requests-availability).sli.events to an OpenSLO SLI ratioMetric over the bot's telemetry: error_query → bad: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: <the metric>, filter: { <attribute>: <its bad values, e.g. 5xx> } } } }, total_query → total: { metricSource: { type: revenue-leak-sre, spec: { service: checkout, metric: <the metric> } } }; objective 99.9 → SLO objectives: [{ targetPercent: 99.9 }]; alerting.page_alert / ticket_alert → an AlertPolicy whose burn-rate AlertConditions have severity page / ticket";

  it('a Sloth file is refused with what to convert, SLO by SLO', () => {
    expect(errorsOf([sloth])).toEqual([`docs[0] (Sloth spec checkout): version "prometheus/v1": ${convert}`]);
  });

  it('so is its Kubernetes form', () => {
    const crd = {
      apiVersion: 'sloth.slok.dev/v1',
      kind: 'PrometheusServiceLevel',
      metadata: { name: 'x' },
      spec: sloth,
    };
    expect(errorsOf([crd])).toEqual([
      `docs[0] (Sloth spec checkout): apiVersion "sloth.slok.dev/v1": ${convert.replace('slos[0]', 'spec.slos[0]')}`,
    ]);
  });
});
