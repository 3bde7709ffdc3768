import { bigint, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';

// Schema mirror (schema.ts) of migrations/0014_crm.sql: CRM sync state, cursors, runs and rejections.
export const crmSyncState = pgTable('crm_sync_state', {
  connector: text('connector').primaryKey(),
  state: text('state', { enum: ['idle', 'running'] })
    .notNull()
    .default('idle'),
  runId: bigint('run_id', { mode: 'number' }),
  leaseUntil: tz('lease_until'),
  lastSuccessAt: tz('last_success_at'),
  lastErrorAt: tz('last_error_at'),
  lastErrorKind: text('last_error_kind'),
  lastError: text('last_error'),
  alertedKind: text('alerted_kind'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const crmSyncStreams = pgTable(
  'crm_sync_streams',
  {
    connector: text('connector').notNull(),
    stream: text('stream').notNull(),
    cursorAt: tz('cursor_at'),
    resume: text('resume'),
    fullStartedAt: tz('full_started_at'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.connector, t.stream] })],
);

export const crmSyncRuns = pgTable('crm_sync_runs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  connector: text('connector').notNull(),
  mode: text('mode', { enum: ['full', 'incremental'] }).notNull(),
  actor: text('actor').notNull(),
  status: text('status', { enum: ['running', 'succeeded', 'partial', 'failed'] })
    .notNull()
    .default('running'),
  startedAt: tz('started_at').notNull(),
  finishedAt: tz('finished_at'),
  seen: integer('seen').notNull().default(0),
  written: integer('written').notNull().default(0),
  rejected: integer('rejected').notNull().default(0),
  calls: integer('calls').notNull().default(0),
  dailyMax: integer('daily_max'),
  dailyRemaining: integer('daily_remaining'),
  rateLimited: integer('rate_limited').notNull().default(0),
  waitedMs: bigint('waited_ms', { mode: 'number' }).notNull().default(0),
  reason: text('reason'),
  failureKind: text('failure_kind'),
});

export const crmSyncRejections = pgTable(
  'crm_sync_rejections',
  {
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => crmSyncRuns.id, { onDelete: 'cascade' }),
    stream: text('stream').notNull(),
    crmId: text('crm_id').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stream, t.crmId] })],
);

// migrations/0015_crm_writeback.sql: what became of each batch a fix wrote back to the CRM.
export const crmWriteBatches = pgTable(
  'crm_write_batches',
  {
    fixRunId: bigint('fix_run_id', { mode: 'number' }).notNull(),
    purpose: text('purpose', { enum: ['apply', 'revert'] }).notNull(),
    batchNo: integer('batch_no').notNull(),
    connector: text('connector').notNull(),
    op: text('op', { enum: ['update', 'task', 'note'] }).notNull(),
    object: text('object').notNull(),
    status: text('status', { enum: ['pending', 'written', 'partial', 'failed'] })
      .notNull()
      .default('pending'),
    items: jsonb('items').notNull(),
    refused: jsonb('refused').notNull().default([]),
    skipped: jsonb('skipped').notNull().default([]),
    error: text('error'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.fixRunId, t.purpose, t.batchNo] })],
);
