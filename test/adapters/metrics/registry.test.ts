import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OUTBOX_READ_TIMEOUT_MS } from '../../../src/adapters/metrics/outbox-gauges.ts';
import { createMetrics, type OutboxFigures } from '../../../src/adapters/metrics/registry.ts';
import { silentLog } from '../../support/db.ts';
import { parseExposition } from './exposition.ts';

const scrape = async (m: ReturnType<typeof createMetrics>) => parseExposition((await m.expose()).body);
const figures = (o: Partial<OutboxFigures> = {}): OutboxFigures => ({
  pending: 3,
  done: 10,
  failed: 1,
  oldestPendingAgeSeconds: 42.5,
  ...o,
});

describe('createMetrics: one registry per process', () => {
  it('keeps its own registry: two apps in one process do not share counts, the global one stays empty', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.scan(1_500, 'ok');
    expect((await scrape(a)).value('leak_scans_total', { outcome: 'ok' })).toBe(1);
    expect((await scrape(b)).value('leak_scans_total', { outcome: 'ok' })).toBe(0);
    expect(await globalRegistry.getSingleMetric('leak_scans_total')).toBeUndefined();
  });

  it("exposes Node's process metrics and the text format's content type", async () => {
    const m = createMetrics();
    const { contentType, body } = await m.expose();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const e = parseExposition(body);
    expect(e.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(e.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('declares every leak_* family, with its type', async () => {
    const e = await scrape(createMetrics({ defaultMetrics: false }));
    expect(Object.fromEntries([...e.types].filter(([n]) => n.startsWith('leak_')))).toEqual({
      leak_http_requests_total: 'counter',
      leak_http_request_duration_seconds: 'histogram',
      leak_slack_ack_seconds: 'histogram',
      leak_outbox_deliveries_total: 'counter',
      leak_ingest_items_total: 'counter',
      leak_ingest_requests_total: 'counter',
      leak_scan_duration_seconds: 'histogram',
      leak_scans_total: 'counter',
      leak_job_runs_total: 'counter',
      leak_job_last_success_timestamp_seconds: 'gauge',
      leak_outbox_jobs: 'gauge',
      leak_outbox_oldest_pending_age_seconds: 'gauge',
    });
  });
});

describe('the events it counts', () => {
  it('requests by route, method and status; their duration by route and method', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.request({ route: '/slack/events', method: 'POST', status: 200, seconds: 0.12 });
    m.request({ route: '/slack/events', method: 'post', status: 200, seconds: 0.3 });
    m.request({ route: '/healthz', method: 'BREW', status: 405, seconds: 0.001 });
    m.request({ route: '/v1/logs', method: 'POST', status: 'aborted', seconds: 2 });
    const e = await scrape(m);
    const slack = { route: '/slack/events', method: 'POST' };
    expect(e.value('leak_http_requests_total', { ...slack, status: '200' })).toBe(2);
    expect(e.value('leak_http_requests_total', { route: '/healthz', method: 'other', status: '405' })).toBe(
      1,
    );
    expect(
      e.value('leak_http_requests_total', { route: '/v1/logs', method: 'POST', status: 'aborted' }),
    ).toBe(1);
    expect(e.value('leak_http_request_duration_seconds_count', slack)).toBe(2);
    expect(e.value('leak_http_request_duration_seconds_sum', slack)).toBeCloseTo(0.42);
    expect(e.value('leak_http_request_duration_seconds_bucket', { ...slack, le: '0.25' })).toBe(1);
  });

  it('Slack acks by kind, with buckets around the 3 s Slack allows', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.slackAck('command', 0.2);
    m.slackAck('command', 3.4);
    const e = await scrape(m);
    expect(e.value('leak_slack_ack_seconds_bucket', { kind: 'command', le: '3' })).toBe(1);
    expect(e.value('leak_slack_ack_seconds_bucket', { kind: 'command', le: '+Inf' })).toBe(2);
  });

  it('deliveries, ingest, scans and job runs', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.expectJobs(['scheduled-scan', 'pager']);
    m.delivery('incident.page', 'delivered');
    m.delivery('incident.page', 'retried');
    m.delivery('fix.notify', 'failed');
    m.ingested('logs', { accepted: 5, rejected: { malformed: 1, too_old: 1 } });
    m.ingested('webhooks', { accepted: 0, duplicate: 1 });
    m.ingestRequest('logs', 'accepted');
    m.ingestRequest('logs', 'partial');
    m.ingestRequest('metrics', { rejected: 'content_type' });
    m.scan(2_500, 'ok');
    m.scan(100, 'failed');
    m.jobRun('scheduled-scan', 'ok', 1_700_000_000_000);
    m.jobRun('pager', 'failed', 1_700_000_060_000);
    const e = await scrape(m);
    expect(e.value('leak_outbox_deliveries_total', { kind: 'incident.page', outcome: 'delivered' })).toBe(1);
    expect(e.value('leak_outbox_deliveries_total', { kind: 'incident.page', outcome: 'retried' })).toBe(1);
    expect(e.value('leak_outbox_deliveries_total', { kind: 'fix.notify', outcome: 'failed' })).toBe(1);
    expect(e.value('leak_ingest_items_total', { signal: 'logs', outcome: 'accepted' })).toBe(5);
    expect(
      e.value('leak_ingest_items_total', { signal: 'logs', outcome: 'rejected', reason: 'malformed' }),
    ).toBe(1);
    expect(
      e.value('leak_ingest_items_total', { signal: 'logs', outcome: 'rejected', reason: 'too_old' }),
    ).toBe(1);
    expect(e.find('leak_ingest_items_total', { signal: 'logs', reason: 'in_future' })).toEqual([]);
    expect(e.value('leak_ingest_requests_total', { signal: 'logs', outcome: 'accepted' })).toBe(1);
    expect(e.value('leak_ingest_requests_total', { signal: 'logs', outcome: 'partial' })).toBe(1);
    expect(
      e.value('leak_ingest_requests_total', {
        signal: 'metrics',
        outcome: 'rejected',
        reason: 'content_type',
      }),
    ).toBe(1);
    expect(e.value('leak_ingest_requests_total', { signal: 'traces', outcome: 'accepted' })).toBe(0);
    expect(e.value('leak_ingest_items_total', { signal: 'webhooks', outcome: 'duplicate' })).toBe(1);
    // Signals start at 0 (rate() sees their first items); an outcome with nothing to count adds no series.
    expect(e.value('leak_ingest_items_total', { signal: 'traces', outcome: 'accepted' })).toBe(0);
    expect(e.find('leak_ingest_items_total', { signal: 'webhooks', outcome: 'rejected' })).toEqual([]);
    expect(e.value('leak_scans_total', { outcome: 'ok' })).toBe(1);
    expect(e.value('leak_scans_total', { outcome: 'backfill' })).toBe(0);
    expect(e.value('leak_scan_duration_seconds_sum', { outcome: 'ok' })).toBe(2.5);
    expect(e.value('leak_job_runs_total', { job: 'scheduled-scan', outcome: 'ok' })).toBe(1);
    expect(e.value('leak_job_runs_total', { job: 'scheduled-scan', outcome: 'failed' })).toBe(0);
    expect(e.value('leak_job_runs_total', { job: 'pager', outcome: 'failed' })).toBe(1);
    expect(e.value('leak_job_last_success_timestamp_seconds', { job: 'scheduled-scan' })).toBe(1_700_000_000);
    // A job that never succeeded has no last success (not a success at 1970).
    expect(e.find('leak_job_last_success_timestamp_seconds', { job: 'pager' })).toEqual([]);
  });
});

describe('label bounds', () => {
  it('a route, job or kind label takes at most 64 distinct values; later ones and odd ones read other', async () => {
    const m = createMetrics({ defaultMetrics: false });
    for (let i = 0; i < 100; i++) m.request({ route: `/r${i}`, method: 'GET', status: 404, seconds: 0.001 });
    m.request({ route: '/r1', method: 'GET', status: 404, seconds: 0.001 });
    m.request({ route: '/x?token=xoxb-secret value', method: 'GET', status: 404, seconds: 0.001 });
    m.request({ route: '/y', method: 'GET', status: 99_999, seconds: 0.001 });
    const e = await scrape(m);
    const routes = new Set(e.find('leak_http_requests_total').map((s) => s.labels['route']));
    expect(routes.size).toBe(65);
    expect(routes.has('other')).toBe(true);
    expect(e.value('leak_http_requests_total', { route: '/r1', method: 'GET', status: '404' })).toBe(2);
    expect(e.value('leak_http_requests_total', { route: 'other', method: 'GET', status: '404' })).toBe(37);
    expect(e.value('leak_http_requests_total', { route: 'other', method: 'GET', status: 'other' })).toBe(1);
    expect((await m.expose()).body).not.toContain('xoxb');
  });
});

describe('the outbox gauges, read at scrape time', () => {
  it('reads the figures once per scrape for both gauges, and again at the next scrape', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let reads = 0;
    let pending = 3;
    m.watchOutbox(async () => {
      reads++;
      return figures({ pending });
    }, silentLog);
    const e = await scrape(m);
    expect(reads).toBe(1);
    expect(e.value('leak_outbox_jobs', { state: 'pending' })).toBe(3);
    expect(e.value('leak_outbox_jobs', { state: 'done' })).toBe(10);
    expect(e.value('leak_outbox_jobs', { state: 'failed' })).toBe(1);
    expect(e.value('leak_outbox_oldest_pending_age_seconds')).toBe(42.5);
    pending = 0;
    await new Promise((r) => setTimeout(r, 1_050));
    expect((await scrape(m)).value('leak_outbox_jobs', { state: 'pending' })).toBe(0);
    expect(reads).toBe(2);
  });

  it('a read that fails leaves the figures unknown (no series), and the scrape still answers', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const warned: string[] = [];
    m.watchOutbox(
      async () => {
        throw new Error('database away');
      },
      { ...silentLog, warn: (_o, msg) => void warned.push(msg) },
    );
    m.scan(10, 'ok');
    const e = await scrape(m);
    expect(e.find('leak_outbox_jobs')).toEqual([]);
    expect(e.find('leak_outbox_oldest_pending_age_seconds')).toEqual([]);
    expect(e.value('leak_scans_total', { outcome: 'ok' })).toBe(1);
    expect(warned).toEqual(['metrics: outbox figures could not be read']);
  });

  it(`a read that hangs is given up after ${OUTBOX_READ_TIMEOUT_MS} ms`, async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.watchOutbox(() => new Promise<OutboxFigures>(() => {}), silentLog);
    const t0 = Date.now();
    const e = await scrape(m);
    expect(Date.now() - t0).toBeLessThan(OUTBOX_READ_TIMEOUT_MS + 1_000);
    expect(e.find('leak_outbox_oldest_pending_age_seconds')).toEqual([]);
  });

  it('before anything is watched, the figures are unknown too', async () => {
    const e = await scrape(createMetrics({ defaultMetrics: false }));
    expect(e.find('leak_outbox_jobs')).toEqual([]);
    expect(e.find('leak_outbox_oldest_pending_age_seconds')).toEqual([]);
  });
});
