import type { FixRunPatch, FixStore, FixTx, NewFixRun, OpenFinding } from '../../app/fixes/ports.ts';
import type { FunnelRecord } from '../../domain/records/record.ts';
import type { Db, Row, Sql } from './client.ts';
import { addCrmBatches, withdrawCrmWrites } from './crm-writes.ts';
import { addEffects, withdrawEffects, writeChanges } from './fix-effects.ts';
import { json, RECORD_SELECT, RUN_COLUMNS, toRecord, toRun } from './fix-rows.ts';
import { incidentTx } from './incidents-repository.ts';
import { iso } from './instants.ts';
import { type PatchColumns, patchSets } from './patch.ts';

type FindingTarget = Parameters<FixStore['openFindings']>[0];

const PATCH: PatchColumns<FixRunPatch> = {
  state: ['state', (v) => v],
  approvedBy: ['approved_by', (v) => v],
  rejectedBy: ['rejected_by', (v) => v],
  appliedAtMs: ['applied_at', iso],
  rolledBackAtMs: ['rolled_back_at', iso],
  inverse: ['inverse', (v) => JSON.stringify(v)],
  guard: ['guard', (v) => JSON.stringify(v)],
  verification: ['verification', (v) => v],
  verifyDueAtMs: ['verify_due_at', iso],
  recoveredCents: ['recovered_cents', (v) => v],
  reason: ['reason', (v) => v],
  skipped: ['skipped', (v) => JSON.stringify(v)],
};

function fixTx(tx: Sql): FixTx {
  const runOne = async (text: string, params: unknown[]) => {
    const [r] = await tx.query(text, params);
    return r ? toRun(r) : null;
  };
  return {
    ...incidentTx(tx),
    async insertRun(n: NewFixRun) {
      const run = await runOne(
        // Bug fix: channel_id is written at insert. It used to stay null until the first post, so a step that
        // re-armed the message job before then (scheduleFixMessage copies run.channelId into the payload)
        // replaced the job's channel with null and the preview was never posted.
        `INSERT INTO fix_runs (incident_id, state, pack, plan, snapshot, requested_by, created_at, expires_at,
           channel_id)
         VALUES ($1, 'planned', $2, $3, $4, $5, $6, $7, $8) RETURNING ${RUN_COLUMNS}`,
        [
          n.incidentId,
          JSON.stringify(n.pack),
          JSON.stringify(n.plan),
          JSON.stringify(n.snapshot),
          n.requestedBy,
          iso(n.createdAtMs),
          iso(n.expiresAtMs),
          n.channelId ?? null,
        ],
      );
      return run!;
    },
    getRun: (id) => runOne(`SELECT ${RUN_COLUMNS} FROM fix_runs WHERE id = $1 FOR UPDATE`, [id]),
    async snapshotOf(id) {
      const [r] = await tx.query('SELECT snapshot FROM fix_runs WHERE id = $1', [id]);
      return r ? json<FunnelRecord[]>(r['snapshot']) : [];
    },
    async updateRun(id, expected, patch) {
      const params: unknown[] = [id, [...expected]];
      const sets = patchSets(PATCH, patch, params);
      return runOne(
        `UPDATE fix_runs SET ${sets} WHERE id = $1 AND state = ANY($2::text[]) RETURNING ${RUN_COLUMNS}`,
        params,
      );
    },
    async lockRecords(ids) {
      const rows = await tx.query(`${RECORD_SELECT} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [
        [...ids],
      ]);
      return rows.map(toRecord);
    },
    writeChanges: (changes) => writeChanges(tx, changes),
    addEffects: (runId, effects) => addEffects(tx, runId, effects),
    withdrawEffects: (runId) => withdrawEffects(tx, runId),
    addCrmBatches: (runId, connector, batches) => addCrmBatches(tx, runId, connector, batches),
    withdrawCrmWrites: (runId) => withdrawCrmWrites(tx, runId),
  };
}

export function fixStore(db: Db): FixStore {
  const runs = async (text: string, params: unknown[] = []) => (await db.query(text, params)).map(toRun);
  return {
    transaction: (fn) => db.transaction((tx) => fn(fixTx(tx))),
    async get(id) {
      const [r] = await db.query(`SELECT ${RUN_COLUMNS} FROM fix_runs WHERE id = $1`, [id]);
      return r ? toRun(r) : null;
    },
    openFindings: (target) => openFindings(db, target),
    loadScope: (recordIds) => loadScope(db, recordIds),
    async nextRoundRobin(count) {
      // Reserves `count` positions; two previews at once may interleave theirs, and owners still rotate.
      const [r] = await db.query<{ start: number }>(
        `SELECT (nextval('fix_round_robin') - 1)::float8 AS start FROM generate_series(1, greatest($1::int, 1))
         ORDER BY 1 LIMIT 1`,
        [count],
      );
      return r?.start ?? 0;
    },
    async openTasks() {
      const rows = await db.query<{ record_id: string; title: string; assignee: string }>(
        `SELECT record_id, title, assignee FROM crm_tasks WHERE status = 'open' ORDER BY id`,
      );
      return rows.map((r) => ({ recordId: r.record_id, title: r.title, assignee: r.assignee }));
    },
    async completeTasks(recordIds) {
      await db.query(
        `UPDATE crm_tasks SET status = 'done' WHERE status = 'open' AND record_id = ANY($1::text[])`,
        [[...recordIds]],
      );
    },
    async peekRoundRobin() {
      const [r] = await db.query<{ next: number }>(
        'SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::float8 AS next FROM fix_round_robin',
      );
      return r?.next ?? 0;
    },
    async setMessage(id, channelId, ts) {
      await db.query('UPDATE fix_runs SET channel_id = $2, message_ts = $3 WHERE id = $1', [
        id,
        channelId,
        ts,
      ]);
    },
    // Bug fix: `fix_runs.id`, not a bare `id` (the text alias of RUN_COLUMNS, which sorts '10' before '9').
    dueVerifications: (nowMs) =>
      runs(
        `SELECT ${RUN_COLUMNS} FROM fix_runs WHERE verification = 'pending' AND verify_due_at <= $1 AND state = 'applied'
         ORDER BY verify_due_at, fix_runs.id`,
        [iso(nowMs)],
      ),
    unguarded: (beforeMs) =>
      runs(
        `SELECT ${RUN_COLUMNS} FROM fix_runs WHERE state = 'applied' AND guard IS NULL AND applied_at < $1
         ORDER BY fix_runs.id`,
        [iso(beforeMs)],
      ),
    expiredPlans: (nowMs) =>
      runs(
        `SELECT ${RUN_COLUMNS} FROM fix_runs WHERE state = 'planned' AND expires_at <= $1 ORDER BY fix_runs.id`,
        [iso(nowMs)],
      ),
    async recovered(fromMs, toMs) {
      const [r] = await db.query<{ cents: number }>(
        `SELECT coalesce(sum(recovered_cents), 0)::float8 AS cents FROM fix_runs
         WHERE state = 'applied' AND applied_at >= $1 AND applied_at < $2`,
        [iso(fromMs), iso(toMs)],
      );
      return r?.cents ?? 0;
    },
  };
}

async function openFindings(db: Db, target: FindingTarget): Promise<OpenFinding[]> {
  const rows = await db.query<Row>(
    `SELECT issue_id, record_id, issue_type, rule_key, estimated_loss_cents::float8 AS loss FROM findings
         WHERE status = 'open' AND ${'issueId' in target ? 'issue_id = $1' : 'issue_type = $1'}
         ORDER BY estimated_loss_cents DESC, issue_id`,
    ['issueId' in target ? target.issueId : target.issueType],
  );
  return rows.map(
    (r): OpenFinding => ({
      issueId: r['issue_id'] as string,
      recordId: r['record_id'] as string,
      issueType: r['issue_type'] as OpenFinding['issueType'],
      ruleKey: r['rule_key'] as string,
      lossCents: r['loss'] as number,
    }),
  );
}

/**
 * The targets, and the records a fix reads beside them: the same duplicate key (merges, routing
 * by domain) or the same company (routing by company).
 */
async function loadScope(db: Db, recordIds: readonly string[]): Promise<FunnelRecord[]> {
  const rows = await db.query(
    `WITH t AS (SELECT lower(btrim(domain)) AS d, lower(btrim(company)) AS c FROM records WHERE id = ANY($1::text[]))
         ${RECORD_SELECT} WHERE id = ANY($1::text[])
           OR (btrim(domain) <> '' AND lower(btrim(domain)) IN (SELECT d FROM t WHERE d <> ''))
           OR (btrim(company) <> '' AND lower(btrim(company)) IN (SELECT c FROM t WHERE c <> ''))
         ORDER BY id`,
    [[...recordIds]],
  );
  return rows.map(toRecord);
}
