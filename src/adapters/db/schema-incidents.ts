import { bigint, boolean, integer, jsonb, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';

// Schema mirror (schema.ts): incidents and their events, the audit log, the jobs outbox, scheduled runs.
export const incidents = pgTable('incidents', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  dedupeKey: text('dedupe_key').notNull(),
  title: text('title').notNull(),
  state: text('state', { enum: ['detected', 'acknowledged', 'resolved'] }).notNull(),
  severity: smallint('severity').notNull(),
  paging: text('paging', { enum: ['PAGE', 'WARN', 'OK'] }).notNull(),
  openedAt: tz('opened_at').notNull(),
  acknowledgedAt: tz('acknowledged_at'),
  acknowledgedBy: text('acknowledged_by'),
  resolvedAt: tz('resolved_at'),
  resolvedBy: text('resolved_by'),
  commander: text('commander'),
  figures: jsonb('figures').notNull(),
  pagesSent: integer('pages_sent').notNull().default(0),
  nextPageAt: tz('next_page_at'),
  channelId: text('channel_id'),
  channelName: text('channel_name'),
  topic: text('topic'),
  invited: boolean('invited').notNull().default(false),
  warRoomTs: text('war_room_ts'),
  pinned: boolean('pinned').notNull().default(false),
  announcedTs: text('announced_ts'),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const incidentEvents = pgTable('incident_events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  incidentId: bigint('incident_id', { mode: 'number' })
    .notNull()
    .references(() => incidents.id),
  kind: text('kind').notNull(),
  actor: text('actor').notNull(),
  at: tz('at').notNull(),
  data: jsonb('data').notNull().default({}),
  sourceKey: text('source_key').unique(),
});

/** Append-only; ids, prev_hash and hash are set by the chaining trigger (migrations/0002). */
export const auditLog = pgTable('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  at: tz('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  targetType: text('target_type').notNull(),
  targetId: text('target_id').notNull(),
  before: jsonb('before'),
  after: jsonb('after'),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

export const jobs = pgTable('jobs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  kind: text('kind').notNull(),
  key: text('key').notNull().unique(),
  incidentId: bigint('incident_id', { mode: 'number' }).references(() => incidents.id),
  payload: jsonb('payload').notNull().default({}),
  state: text('state', { enum: ['pending', 'done', 'failed'] })
    .notNull()
    .default('pending'),
  runAfter: tz('run_after').notNull().defaultNow(),
  lockedUntil: tz('locked_until'),
  attempts: integer('attempts').notNull().default(0),
  generation: integer('generation').notNull().default(0),
  progress: jsonb('progress').notNull().default({}),
  lastError: text('last_error'),
  createdAt: tz('created_at').notNull().defaultNow(),
  doneAt: tz('done_at'),
});

export const scheduledRuns = pgTable(
  'scheduled_runs',
  {
    job: text('job').notNull(),
    slot: tz('slot').notNull(),
    runner: text('runner').notNull(),
    startedAt: tz('started_at').notNull().defaultNow(),
    finishedAt: tz('finished_at'),
    outcome: text('outcome', { enum: ['ok', 'failed'] }),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.job, t.slot] })],
);
