import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { goldRepository } from '../../../src/adapters/db/gold-repository.ts';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import { add, newSketch, toBytes } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchOps } from '../../../src/adapters/telemetry/sketch-ops.ts';
import type { Ctx } from '../../../src/app/context.ts';
import { runSlaEngine, type SlaEngineDeps } from '../../../src/app/sla/engine.ts';
import { availabilityFrom, checkoutLatency } from '../../domain/sla/openslo-fixtures.ts';
import { backends, silentLog } from '../../support/db.ts';

/**
 * The SLA engine (app/sla/engine.ts) on gold-repository.ts: Gold snapshots from Silver, backfilled,
 * written once with their audit row, immutable.
 */
const ctx: Ctx = { actor: { type: 'system', job: 'sla-engine' }, requestId: 'r1', log: silentLog };
const at = (iso: string) => Date.parse(iso);
const DAY1 = at('2026-11-17T00:00:00Z');
const DAY2 = at('2026-11-18T00:00:00Z');
const NOW = at('2026-11-19T00:00:30Z');

const AVAIL = availabilityFrom(at('2026-11-17T10:00:00Z'));
const LATENCY = checkoutLatency(availabilityFrom(at('2026-11-18T08:00:00Z')));

describe.each(backends)('SLA engine and Gold snapshots on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let deps: SlaEngineDeps;
  const minute = (
    metric: string,
    iso: string,
    count: number,
    errors: number,
    tag = 'a',
    sketch?: Uint8Array,
  ) =>
    db.query(
      `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors, sketch)
       VALUES ('checkout', $1, $2, $3, $4, $5, $6, decode($7, 'base64'))`,
      [
        metric,
        JSON.stringify({ tag }),
        tag,
        iso,
        count,
        errors,
        sketch ? Buffer.from(sketch).toString('base64') : null,
      ],
    );
  const snapshots = () =>
    db.query<Record<string, unknown>>(
      `SELECT sla_id, sla_version, to_char(day, 'YYYY-MM-DD') AS day, total::float8 AS total,
              errors::float8 AS errors, uptime_pct, breaches, budget_burn, downtime_minutes
       FROM gold_snapshots ORDER BY sla_id, day`,
    );
  const audits = () =>
    db.query<{ actor: string; target_id: string; after: unknown }>(
      "SELECT actor, target_id, after FROM audit_log WHERE action = 'sla.snapshot_created' ORDER BY id",
    );

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    const repos = makeRepositories(db);
    await repos.slas.apply([{ open: AVAIL }, { open: LATENCY }]);
    deps = { slas: repos.slas, gold: goldRepository(db, sketchOps), sketches: sketchOps };

    const M = AVAIL.metric;
    // Day 1: a clean minute, a breach minute (1% errors > 0.1% budget), a minute split over two tag sets.
    await minute(M, '2026-11-17T12:00:00Z', 1000, 0);
    await minute(M, '2026-11-17T12:01:00Z', 100, 1);
    await minute(M, '2026-11-17T12:02:00Z', 500, 0, 'a');
    await minute(M, '2026-11-17T12:02:00Z', 500, 0, 'b');
    // Not the day's: the day before and the day after yesterday.
    await minute(M, '2026-11-16T23:59:00Z', 50, 50);
    await minute(M, '2026-11-19T00:00:00Z', 50, 50);
    // Day 2: under the budget per minute; one hour only in silver_hour (its minutes purged); a stale
    // hour row that holds fewer events than its minutes is ignored.
    await minute(M, '2026-11-18T10:00:00Z', 2000, 1);
    await db.query(
      `INSERT INTO silver_hour (service, metric, tags, tags_hash, hour, count, errors) VALUES
       ('checkout', $1, '{"tag":"a"}', 'a', '2026-11-18T14:00:00Z', 600, 6),
       ('checkout', $1, '{"tag":"a"}', 'a', '2026-11-18T10:00:00Z', 1000, 0)`,
      [M],
    );
    // Latency, day 2: 90 fast (100 ms) and 10 slow (500 ms) in one minute: 10% slow > 1% budget.
    const s = newSketch();
    add(s, 100, 90);
    add(s, 500, 10);
    await minute(LATENCY.metric, '2026-11-18T09:00:00Z', 100, 0, 'a', toBytes(s));
    // An SLA incident from 23:30 on day 1 to 00:45 on day 2: 30 + 45 downtime minutes.
    await db.query(
      `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, resolved_at, figures)
       VALUES ('sla:checkout-availability', 'Checkout SLA burning', 'resolved', 2, 'PAGE',
               '2026-11-17T23:30:00Z', '2026-11-18T00:45:00Z', '{}')`,
    );
  });
  afterAll(async () => dispose());

  it('backfills one snapshot per definition and complete day since active_from, with its audit row', async () => {
    const results = await runSlaEngine(deps, ctx, { nowMs: NOW });
    expect(results).toEqual([
      { slaId: AVAIL.id, day: DAY1, uptimePct: 99.9524, inserted: true },
      { slaId: AVAIL.id, day: DAY2, uptimePct: 99.7308, inserted: true },
      { slaId: LATENCY.id, day: DAY2, uptimePct: 90, inserted: true },
    ]);
    const rows = await snapshots();
    expect(rows.map((r) => ({ ...r, budget_burn: Number(Number(r['budget_burn']).toFixed(6)) }))).toEqual([
      {
        sla_id: AVAIL.id,
        sla_version: 1,
        day: '2026-11-17',
        total: 2100,
        errors: 1,
        uptime_pct: 99.9524,
        breaches: 1,
        budget_burn: 0.47619,
        downtime_minutes: 30,
      },
      {
        sla_id: AVAIL.id,
        sla_version: 1,
        day: '2026-11-18',
        total: 2600,
        errors: 7,
        uptime_pct: 99.7308,
        breaches: 0,
        budget_burn: 2.692308,
        downtime_minutes: 45,
      },
      {
        sla_id: LATENCY.id,
        sla_version: 1,
        day: '2026-11-18',
        total: 100,
        errors: 10,
        uptime_pct: 90,
        breaches: 1,
        budget_burn: 10,
        downtime_minutes: 0,
      },
    ]);
    const audit = await audits();
    expect(audit.map((a) => a.target_id)).toEqual([AVAIL.id, AVAIL.id, LATENCY.id]);
    expect(audit.every((a) => a.actor === 'system:sla-engine')).toBe(true);
    const messages = audit.map((a) => (typeof a.after === 'string' ? JSON.parse(a.after) : a.after).message);
    expect(messages).toEqual([
      'Snapshot created for checkout - 99.95%',
      'Snapshot created for checkout - 99.73%',
      'Snapshot created for checkout - 90.00%',
    ]);
  });

  it('a rerun changes nothing and writes no audit row (backfill or one day)', async () => {
    const before = await snapshots();
    expect(await runSlaEngine(deps, ctx, { nowMs: NOW })).toEqual([]);
    expect(await runSlaEngine(deps, ctx, { nowMs: NOW, day: DAY2 })).toEqual([
      { slaId: AVAIL.id, day: DAY2, uptimePct: 99.7308, inserted: false },
      { slaId: LATENCY.id, day: DAY2, uptimePct: 90, inserted: false },
    ]);
    expect(await snapshots()).toEqual(before);
    expect(await audits()).toHaveLength(3);
  });

  it('the next night writes only the new day; today is refused as incomplete', async () => {
    const next = NOW + 86_400_000;
    const results = await runSlaEngine(deps, ctx, { nowMs: next });
    expect(results.map((r) => [r.slaId, new Date(r.day).toISOString().slice(0, 10), r.inserted])).toEqual([
      [AVAIL.id, '2026-11-19', true],
      [LATENCY.id, '2026-11-19', true],
    ]);
    expect(results[0]!.uptimePct).toBe(0); // 50 of 50 failed at 00:00 on the 19th
    await expect(runSlaEngine(deps, ctx, { nowMs: next, day: next })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('gold rows are immutable: UPDATE and DELETE are rejected', async () => {
    await expect(db.query('UPDATE gold_snapshots SET total = 0')).rejects.toThrow(/immutable/);
    await expect(db.query('DELETE FROM gold_snapshots')).rejects.toThrow(/immutable/);
    expect(await snapshots()).toHaveLength(5);
  });
});
