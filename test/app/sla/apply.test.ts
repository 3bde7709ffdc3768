import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import { applySlaDocuments } from '../../../src/app/sla/apply.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { edit, NOW, service, set, sli, slo, source } from '../../domain/sla/openslo-fixtures.ts';
import { backends } from '../../support/db.ts';
import { systemCtx } from '../incidents/setup.ts';

/** `leak sla apply` over the database: objects kept between applies, and the never-bad warning. */
describe.each(backends)('applying OpenSLO files on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let nowMs = NOW;
  const apply = (docs: unknown[]) =>
    applySlaDocuments({ slas: makeRepositories(db).slas, clock: { now: () => nowMs } }, systemCtx, docs);
  const minutes = (metric: string, tags: Record<string, string>, errors: number) =>
    db.query(
      `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors)
       SELECT 'checkout', $1, $2::jsonb, $3, $4::timestamptz - make_interval(mins => g), 10, $5
       FROM generate_series(1, 30) g`,
      [metric, JSON.stringify(tags), JSON.stringify(tags), new Date(nowMs).toISOString(), errors],
    );

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
  });
  afterAll(async () => dispose());

  it('keeps the other documents, reports them stored, then unchanged, then updated (audited)', async () => {
    const first = await apply(set());
    expect(first).toMatchObject({
      ok: true,
      objects: [
        { kind: 'Service', name: 'checkout', outcome: 'stored' },
        { kind: 'SLI', name: 'checkout-success', outcome: 'stored' },
      ],
      warnings: [],
    });
    nowMs += MINUTE_MS;
    expect((await apply(set())) as { objects: unknown[] }).toMatchObject({
      objects: [{ outcome: 'unchanged' }, { outcome: 'unchanged' }],
    });
    nowMs += MINUTE_MS;
    const renamed = edit(service(), 'metadata.displayName', 'Checkout (EU)');
    expect(await apply([renamed, sli(), slo()])).toMatchObject({
      objects: [{ outcome: 'updated' }, { outcome: 'unchanged' }],
    });
    const audits = await db.query<{ target_id: string }>(
      "SELECT target_id FROM audit_log WHERE action = 'openslo.stored' ORDER BY id",
    );
    expect(audits.map((a) => a.target_id)).toEqual([
      'Service/checkout',
      'SLI/checkout-success',
      'Service/checkout',
    ]);
    // An SLO alone, later, finds them.
    nowMs += MINUTE_MS;
    expect(await apply([edit(slo(), 'metadata.name', 'checkout-two')])).toMatchObject({
      ok: true,
      results: [{ id: 'checkout-two', version: 1, outcome: 'new' }],
    });
  });

  it('re-applying an SLO with filters, a calendar window and alert policies changes nothing', async () => {
    const rich = edit(
      edit(edit(slo(), 'metadata.name', 'rich'), 'spec.timeWindow', [
        { duration: '1Q', isRolling: false, calendar: { startTime: '2026-01-01', timeZone: 'Europe/Paris' } },
      ]),
      'spec.alertPolicies',
      [
        {
          kind: 'AlertPolicy',
          metadata: { name: 'p' },
          spec: {
            conditions: [
              {
                kind: 'AlertCondition',
                metadata: { name: 'c' },
                spec: { severity: 'page', condition: { threshold: 6, lookbackWindow: '6h' } },
              },
            ],
            notificationTargets: [
              { kind: 'AlertNotificationTarget', metadata: { name: 't' }, spec: { target: 'C0RICH00001' } },
            ],
          },
        },
      ],
    );
    const filtered = edit(sli(), 'spec.ratioMetric', {
      bad: source({
        service: 'checkout',
        metric: 'http.server.request',
        filter: { 'http.response.status_code': ['5xx', 429] },
      }),
      total: source({
        service: 'checkout',
        metric: 'http.server.request',
        filter: { 'http.route': '!=/health' },
      }),
    });
    nowMs += MINUTE_MS;
    expect(await apply([service(), filtered, rich])).toMatchObject({
      results: [{ id: 'rich', outcome: 'new' }],
    });
    nowMs += MINUTE_MS;
    expect(await apply([service(), filtered, rich])).toMatchObject({
      results: [{ id: 'rich', outcome: 'unchanged' }],
    });
  });

  it('warns when an availability SLO counts failures of a series that never fails nor carries a failure attribute', async () => {
    nowMs += MINUTE_MS;
    await minutes('orders.placed', { region: 'eu' }, 0);
    const orders = { service: 'checkout', metric: 'orders.placed' };
    const sliOf = (name: string, metric: string) =>
      edit(edit(sli(), 'metadata.name', name), 'spec.ratioMetric', {
        good: source({ ...orders, metric, ok: true }),
        total: source({ ...orders, metric }),
      });
    const sloOf = (name: string, sliName: string) =>
      edit(edit(slo(), 'metadata.name', name), 'spec.indicatorRef', sliName);
    const r = await apply([service(), sliOf('orders-ok', 'orders.placed'), sloOf('orders', 'orders-ok')]);
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.warnings).toEqual([
      `docs[2] (SLO orders): availability counts failed events, but checkout's "orders.placed" has had 300 events in the last 7 days, none failed, and none carries http.response.status_code, error.type, rpc.grpc.status_code: this SLO may never see a bad event; give its SLI a bad (or good) filter over the metric's attributes`,
    ]);
    // A series whose rows carry an HTTP status (failures are derived from it), or that failed: no warning.
    await minutes('http.server.request.duration', { 'http.response.status_code': '200' }, 0);
    await minutes('jobs.run', {}, 3);
    nowMs += MINUTE_MS;
    const quiet = await apply([
      service(),
      sliOf('http-ok', 'http.server.request.duration'),
      sloOf('http', 'http-ok'),
      sliOf('jobs-ok', 'jobs.run'),
      sloOf('jobs', 'jobs-ok'),
      sliOf('fresh-ok', 'not.seen.yet'),
      sloOf('fresh', 'fresh-ok'),
    ]);
    expect(quiet.ok && quiet.warnings).toEqual([]);
  });
});
