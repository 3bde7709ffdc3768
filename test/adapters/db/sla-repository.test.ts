import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import type { Ctx } from '../../../src/app/context.ts';
import { applySlaDocuments } from '../../../src/app/sla/apply.ts';
import type { SlaDefinitions } from '../../../src/app/telemetry/ports.ts';
import { isAppError } from '../../../src/shared/errors.ts';
import { AVAILABILITY, edit, NOW, set, slo } from '../../domain/sla/openslo-fixtures.ts';
import { backends, silentLog } from '../../support/db.ts';

/**
 * SLA definitions (sla-repository.ts) through `applySlaDocuments`: versioned, never edited in place, each
 * change audited, every write of an apply in one transaction.
 */
const HOUR = 3_600_000;
const ctx: Ctx = { actor: { type: 'cli', user: 'alice' }, requestId: 'r1', log: silentLog };
const withTarget = (target: number) => [set()[0], set()[1], edit(slo(), 'spec.objectives', [{ target }])];

describe.each(backends)('SLA definitions on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let slas: SlaDefinitions;
  let nowMs = NOW;
  const apply = (docs: unknown[]) => applySlaDocuments({ slas, clock: { now: () => nowMs } }, ctx, docs);
  const versions = () =>
    db.query<{ version: number; active_to: unknown }>(
      'SELECT version, active_to FROM sla_definitions WHERE id = $1 ORDER BY version',
      [AVAILABILITY.id],
    );
  const auditActions = async () =>
    (
      await db.query<{ action: string }>("SELECT action FROM audit_log WHERE target_type = 'sla' ORDER BY id")
    ).map((r) => r.action);

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    slas = makeRepositories(db).slas;
  });
  afterAll(async () => dispose());

  it('opens version 1 for a new SLO and audits it', async () => {
    expect(await slas.current(AVAILABILITY.id)).toBeNull();
    expect(await apply(set())).toMatchObject({
      ok: true,
      results: [{ id: AVAILABILITY.id, version: 1, outcome: 'new' }],
    });
    expect(await slas.current(AVAILABILITY.id)).toEqual(AVAILABILITY);
    expect(await slas.listActive(NOW)).toEqual([AVAILABILITY]);
    expect(await slas.listActive(NOW - 1)).toEqual([]);
    expect(await auditActions()).toEqual(['sla.defined']);
  });

  it('applying the same set again changes nothing (no new version, no audit row)', async () => {
    nowMs = NOW + HOUR;
    expect(await apply(set())).toMatchObject({
      ok: true,
      results: [{ id: AVAILABILITY.id, version: 1, outcome: 'unchanged' }],
    });
    expect(await versions()).toHaveLength(1);
    expect(await auditActions()).toEqual(['sla.defined']);
  });

  it('a changed target closes version 1 now and opens version 2; the past still reads version 1', async () => {
    nowMs = NOW + 2 * HOUR;
    expect(await apply(withTarget(0.995))).toMatchObject({
      ok: true,
      results: [{ id: AVAILABILITY.id, version: 2, outcome: 'revised' }],
    });
    const v2 = { ...AVAILABILITY, target: 0.995, version: 2, activeFromMs: nowMs, activeToMs: null };
    expect(await slas.current(AVAILABILITY.id)).toEqual(v2);
    expect(await slas.listActive(nowMs)).toEqual([v2]);
    expect(await slas.listActive(nowMs - 1)).toEqual([{ ...AVAILABILITY, activeToMs: nowMs }]);
    expect(await slas.listActive(NOW - 1)).toEqual([]);
    const rows = await versions();
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    expect(new Date(rows[0]!.active_to as string).getTime()).toBe(nowMs);
    expect(rows[1]!.active_to).toBeNull();
    expect(await auditActions()).toEqual(['sla.defined', 'sla.revised']);
    const [revised] = await db.query<{ actor: string; before: unknown; after: unknown }>(
      "SELECT actor, before, after FROM audit_log WHERE action = 'sla.revised'",
    );
    expect(revised!.actor).toBe('cli:alice');
    expect(JSON.stringify(revised!.before)).toContain('0.999');
    expect(JSON.stringify(revised!.after)).toContain('0.995');
    expect((await makeRepositories(db).audit.verify()).ok).toBe(true);
  });

  it('an invalid set writes nothing and lists its problems', async () => {
    nowMs = NOW + 3 * HOUR;
    const r = await apply([...withTarget(0.9), edit(slo(), 'metadata.name', 'Bad Name')]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/metadata\.name/);
    expect((await versions()).map((v) => v.version)).toEqual([1, 2]);
  });

  it('a stale close is a CONFLICT and rolls back the whole apply', async () => {
    const stale = { ...AVAILABILITY, id: 'other', version: 1 };
    const err = await slas
      .apply([
        { open: stale },
        { close: { id: AVAILABILITY.id, version: 1, activeToMs: NOW + 4 * HOUR } }, // version 1 is closed
      ])
      .catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('CONFLICT');
    expect(await slas.current('other')).toBeNull();
    // A second open version of one id is refused the same way.
    const twice = await slas
      .apply([{ open: { ...AVAILABILITY, version: 3, activeFromMs: NOW + 4 * HOUR } }])
      .catch((e: unknown) => e);
    expect(isAppError(twice) && twice.code).toBe('CONFLICT');
    expect((await versions()).map((v) => v.version)).toEqual([1, 2]);
  });
});
