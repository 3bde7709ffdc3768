import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeliveryDeps } from '../../src/app/delivery/handlers.ts';
import type { Job, JobQueue } from '../../src/app/outbox/ports.ts';
import { observability } from '../../src/composition/observability.ts';
import type { Services } from '../../src/composition/services.ts';
import type { UseCases } from '../../src/composition/use-cases.ts';
import { loadConfig } from '../../src/config/config.ts';
import { parseExposition } from '../adapters/metrics/exposition.ts';
import { testCtx } from '../support/db.ts';

/**
 * The boundary wrappers of composition/observability.ts over fakes: each counts what passed through it and
 * changes nothing else (results and errors come back as they were).
 */
const log = pino({ level: 'silent' });
const services = {
  db: { query: async () => [{ pending: 2, done: 5, failed: 0, oldest: 12 }] },
} as unknown as Services;
const make = () => observability(loadConfig({}, { storedPiiKey: true }), services, log);
const scrape = async (o: ReturnType<typeof make>) => parseExposition((await o.metrics.expose()).body);

describe('observability wrappers', () => {
  it('a scheduled job run: ok with its success time, or failed with the error passed on', async () => {
    const o = make();
    const [good, bad] = o.jobs([
      { name: 'pager', cron: '* * * * *', timezone: 'UTC', run: async () => {} },
      {
        name: 'sla-burn',
        cron: '* * * * *',
        timezone: 'UTC',
        run: async () => {
          throw new Error('boom');
        },
      },
    ]);
    const before = Date.now() / 1000;
    await good!.run();
    await expect(bad!.run()).rejects.toThrow('boom');
    const e = await scrape(o);
    expect(e.value('leak_job_runs_total', { job: 'pager', outcome: 'ok' })).toBe(1);
    expect(e.value('leak_job_runs_total', { job: 'sla-burn', outcome: 'failed' })).toBe(1);
    expect(e.value('leak_job_runs_total', { job: 'sla-burn', outcome: 'ok' })).toBe(0);
    expect(e.value('leak_job_last_success_timestamp_seconds', { job: 'pager' })).toBeGreaterThanOrEqual(
      Math.floor(before),
    );
  });

  it('deliveries: the queue settling a job counts it by kind and outcome', async () => {
    const o = make();
    const settled: string[] = [];
    const queue = {
      complete: async (j: Job) => void settled.push(`complete ${j.id}`),
      retry: async (j: Job) => void settled.push(`retry ${j.id}`),
      fail: async (j: Job) => void settled.push(`fail ${j.id}`),
    } as unknown as JobQueue;
    const deps = o.delivery({ jobs: queue } as unknown as DeliveryDeps);
    const job = (id: string, kind: Job['kind']) => ({ id, kind }) as Job;
    await deps.jobs.complete(job('1', 'incident.page'));
    await deps.jobs.retry(job('2', 'incident.page'), 1000, 'rate_limited');
    await deps.jobs.fail(job('3', 'fix.notify'), 'channel_not_found');
    expect(settled).toEqual(['complete 1', 'retry 2', 'fail 3']);
    const e = await scrape(o);
    expect(e.value('leak_outbox_deliveries_total', { kind: 'incident.page', outcome: 'delivered' })).toBe(1);
    expect(e.value('leak_outbox_deliveries_total', { kind: 'incident.page', outcome: 'retried' })).toBe(1);
    expect(e.value('leak_outbox_deliveries_total', { kind: 'fix.notify', outcome: 'failed' })).toBe(1);
    expect(e.value('leak_outbox_jobs', { state: 'pending' })).toBe(2);
    expect(e.value('leak_outbox_oldest_pending_age_seconds')).toBe(12);
  });

  it('scans and webhook deliveries through the use cases; telemetry ingest left to its routes', async () => {
    const o = make();
    let reconciled = true;
    const ingest = { events: async () => {}, metrics: async () => {} };
    const uc = o.useCases({
      scan: async () => ({ delta: { reconciled } }),
      ingest,
      commerce: { receive: async (_ctx: unknown, d: { id: string }) => ({ duplicate: d.id === 'again' }) },
    } as unknown as UseCases);
    await uc.scan(testCtx(), {});
    reconciled = false;
    await uc.scan(testCtx(), { asOfMs: 0 });
    // Not wrapped: the ingest routes count what they take and refuse (test/e2e/metrics.test.ts).
    expect(uc.ingest).toBe(ingest);
    await uc.commerce.receive(testCtx(), { id: 'first' } as never);
    await uc.commerce.receive(testCtx(), { id: 'again' } as never);
    const e = await scrape(o);
    expect(e.value('leak_scans_total', { outcome: 'ok' })).toBe(1);
    expect(e.value('leak_scans_total', { outcome: 'backfill' })).toBe(1);
    expect(e.value('leak_scan_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(e.value('leak_ingest_items_total', { signal: 'events', outcome: 'accepted' })).toBe(0);
    expect(e.value('leak_ingest_items_total', { signal: 'webhooks', outcome: 'accepted' })).toBe(1);
    expect(e.value('leak_ingest_items_total', { signal: 'webhooks', outcome: 'duplicate' })).toBe(1);
  });

  it('a scan that throws is counted failed and its error passed on', async () => {
    const o = make();
    const uc = o.useCases({
      scan: async () => {
        throw new Error('records unreadable');
      },
    } as unknown as UseCases);
    await expect(uc.scan(testCtx(), {})).rejects.toThrow('records unreadable');
    expect((await scrape(o)).value('leak_scans_total', { outcome: 'failed' })).toBe(1);
  });
});
