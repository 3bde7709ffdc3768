import type { ChangedField } from '../../domain/fixpacks/dsl.ts';
import type { FieldChange, SideEffect } from '../../domain/fixpacks/types.ts';
import type { Sql } from './client.ts';
import { iso } from './instants.ts';

/**
 * What applying and rolling back a fix run writes inside its transaction: record fields, CRM tasks and
 * email drafts, and the withdrawal of notifications not yet sent (fix-repository.ts composes these into
 * its FixTx).
 */

/** Plan field → records column. Only these can be written by a fix (the DSL's closed list). */
const COLUMN: Record<ChangedField, string> = {
  owner: 'owner',
  stage: 'stage',
  next_step: 'next_step',
  region: 'region',
  notes: 'notes',
};

/** One UPDATE per field over unnest arrays; the last change to a (record, field) wins, as planned. */
export async function writeChanges(tx: Sql, changes: readonly FieldChange[]): Promise<void> {
  const byField = new Map<ChangedField, Map<string, string>>();
  for (const c of changes) {
    const m = byField.get(c.field) ?? new Map<string, string>();
    m.set(c.recordId, c.new);
    byField.set(c.field, m);
  }
  for (const [field, values] of byField)
    await tx.query(
      `UPDATE records r SET ${COLUMN[field]} = c.v, updated_at = now()
           FROM unnest($1::text[], $2::text[]) AS c(id, v) WHERE r.id = c.id`,
      [[...values.keys()], [...values.values()]],
    );
}

export async function addEffects(tx: Sql, runId: string, effects: readonly SideEffect[]): Promise<void> {
  const tasks = effects.filter((e) => e.kind === 'task');
  if (tasks.length > 0)
    // Bug fix: due times travel as text[] and are cast per row. A `$5::timestamptz[]` parameter failed on
    // postgres.js ("The "string" argument must be of type string … Received an instance of Array"):
    // drizzle's postgres-js driver swaps the serializer of timestamptz[] (oid 1185) for a pass-through,
    // so the JS array reached the wire unserialized. PGlite was unaffected.
    await tx.query(
      `INSERT INTO crm_tasks (fix_run_id, record_id, assignee, title, due_at, priority)
           SELECT $1, t.record_id, t.assignee, t.title, t.due_at::timestamptz, t.priority
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             AS t(record_id, assignee, title, due_at, priority)`,
      [
        runId,
        tasks.map((t) => t.recordId),
        tasks.map((t) => t.assignee),
        tasks.map((t) => t.title),
        tasks.map((t) => iso(t.dueAtMs)),
        tasks.map((t) => t.priority),
      ],
    );
  const drafts = effects.filter((e) => e.kind === 'email_draft');
  if (drafts.length > 0)
    await tx.query(
      `INSERT INTO email_drafts (fix_run_id, record_id, recipient, subject, body)
           SELECT $1, d.record_id, d.recipient, d.subject, d.body
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS d(record_id, recipient, subject, body)`,
      [
        runId,
        drafts.map((d) => d.recordId),
        drafts.map((d) => d.to),
        drafts.map((d) => d.subject),
        drafts.map((d) => d.body),
      ],
    );
}

/** Cancels the run's open tasks and drafts; answers the keys of notifications that (may have) reached owners. */
export async function withdrawEffects(tx: Sql, runId: string): Promise<string[]> {
  const notifications = `fix:${runId}:notify:%`;
  // Notifications not yet sent would tell owners about tasks that no longer exist. One tried before
  // (attempts > 0) may have reached Slack with its answer lost, so it still counts as told.
  const dropped = await tx.query<{ key: string; attempts: number }>(
    `DELETE FROM jobs WHERE key LIKE $1 AND state = 'pending' AND locked_until IS NULL
         RETURNING key, attempts`,
    [notifications],
  );
  // Sent, or being sent (held by a worker, or its lease lapsed mid-send); a failed one told nobody.
  const kept = await tx.query<{ key: string }>(
    `SELECT key FROM jobs WHERE key LIKE $1 AND state <> 'failed'`,
    [notifications],
  );
  await tx.query(`UPDATE crm_tasks SET status = 'cancelled' WHERE fix_run_id = $1 AND status = 'open'`, [
    runId,
  ]);
  await tx.query(`UPDATE email_drafts SET status = 'discarded' WHERE fix_run_id = $1 AND status = 'draft'`, [
    runId,
  ]);
  return [...kept.map((j) => j.key), ...dropped.filter((j) => Number(j.attempts) > 0).map((j) => j.key)];
}
