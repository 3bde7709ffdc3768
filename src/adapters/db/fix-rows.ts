import type { FixRun } from '../../domain/fixpacks/run.ts';
import type { FunnelRecord } from '../../domain/records/record.ts';
import type { Row } from './client.ts';
import { epochMs } from './instants.ts';

/** How fix runs, and the records a fix reads, come out of their rows (fix-repository.ts writes them). */

export const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/**
 * The run's CRM write-back batches (migrations/0015, adapters/db/crm-writes.ts) as FixRun.crm, in a
 * correlated subquery: the preview shows what became of the write-back whichever query loaded the run.
 */
const CRM_BATCHES = `(SELECT coalesce(jsonb_agg(jsonb_build_object('connector', b.connector,
  'purpose', b.purpose, 'batchNo', b.batch_no, 'op', b.op, 'count', jsonb_array_length(b.items),
  'status', b.status, 'refused', b.refused, 'skipped', b.skipped, 'error', b.error)
  ORDER BY b.purpose, b.batch_no), '[]'::jsonb) FROM crm_write_batches b WHERE b.fix_run_id = fix_runs.id) AS crm`;

export const RUN_COLUMNS = `id::text AS id, incident_id::text AS incident_id, state, plan, requested_by, approved_by,
  rejected_by, ${epochMs('created_at')} AS created_ms, ${epochMs('expires_at')} AS expires_ms, ${epochMs('applied_at')} AS applied_ms,
  ${epochMs('rolled_back_at')} AS rolled_back_ms, inverse, guard, verification, ${epochMs('verify_due_at')} AS verify_due_ms,
  recovered_cents::float8 AS recovered_cents, reason, skipped, channel_id, message_ts, ${CRM_BATCHES}`;

export function toRun(r: Row): FixRun {
  return {
    id: r['id'] as string,
    incidentId: (r['incident_id'] as string | null) ?? null,
    state: r['state'] as FixRun['state'],
    plan: json(r['plan']),
    requestedBy: r['requested_by'] as string,
    approvedBy: (r['approved_by'] as string | null) ?? null,
    rejectedBy: (r['rejected_by'] as string | null) ?? null,
    createdAtMs: r['created_ms'] as number,
    expiresAtMs: r['expires_ms'] as number,
    appliedAtMs: (r['applied_ms'] as number | null) ?? null,
    rolledBackAtMs: (r['rolled_back_ms'] as number | null) ?? null,
    inverse: r['inverse'] == null ? null : json(r['inverse']),
    guard: r['guard'] == null ? null : json(r['guard']),
    verification: (r['verification'] as FixRun['verification']) ?? null,
    verifyDueAtMs: (r['verify_due_ms'] as number | null) ?? null,
    recoveredCents: r['recovered_cents'] as number,
    reason: (r['reason'] as string | null) ?? null,
    skipped: json(r['skipped'] ?? []),
    channelId: (r['channel_id'] as string | null) ?? null,
    messageTs: (r['message_ts'] as string | null) ?? null,
    crm: json(r['crm'] ?? []),
  };
}

export const RECORD_SELECT = `SELECT id, type, name, email_hash, domain, company, source, region, owner, stage,
  ${epochMs('created_at')} AS created_ms, ${epochMs('last_touch_at')} AS touched_ms, next_step, value_cents::float8 AS value,
  notes FROM records`;

export const toRecord = (r: Row): FunnelRecord => ({
  id: r['id'] as string,
  type: r['type'] as FunnelRecord['type'],
  name: r['name'] as string,
  emailHash: (r['email_hash'] as string | null) ?? null,
  domain: r['domain'] as string,
  company: r['company'] as string,
  source: r['source'] as string,
  region: r['region'] as string,
  owner: r['owner'] as string,
  stage: r['stage'] as string,
  createdAtMs: r['created_ms'] as number,
  lastTouchAtMs: (r['touched_ms'] as number | null) ?? null,
  nextStep: r['next_step'] as string,
  valueCents: r['value'] as number,
  notes: r['notes'] as string,
});
