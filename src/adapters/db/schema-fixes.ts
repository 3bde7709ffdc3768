import { bigint, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';
import { incidents } from './schema-incidents.ts';

// Schema mirror (schema.ts): fix runs and what they produce (CRM tasks, email drafts).
export const fixRuns = pgTable('fix_runs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  incidentId: bigint('incident_id', { mode: 'number' }).references(() => incidents.id),
  state: text('state', {
    enum: ['planned', 'approved', 'applying', 'applied', 'failed', 'rolled_back', 'rejected', 'expired'],
  }).notNull(),
  pack: jsonb('pack').notNull(),
  plan: jsonb('plan').notNull(),
  snapshot: jsonb('snapshot').notNull(),
  requestedBy: text('requested_by').notNull(),
  approvedBy: text('approved_by'),
  rejectedBy: text('rejected_by'),
  createdAt: tz('created_at').notNull(),
  expiresAt: tz('expires_at').notNull(),
  appliedAt: tz('applied_at'),
  rolledBackAt: tz('rolled_back_at'),
  inverse: jsonb('inverse'),
  guard: jsonb('guard'),
  verification: text('verification', { enum: ['pending', 'verified', 'failed'] }),
  verifyDueAt: tz('verify_due_at'),
  recoveredCents: bigint('recovered_cents', { mode: 'number' }).notNull().default(0),
  reason: text('reason'),
  skipped: jsonb('skipped').notNull().default([]),
  channelId: text('channel_id'),
  messageTs: text('message_ts'),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const crmTasks = pgTable('crm_tasks', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  fixRunId: bigint('fix_run_id', { mode: 'number' })
    .notNull()
    .references(() => fixRuns.id),
  recordId: text('record_id').notNull(),
  assignee: text('assignee').notNull(),
  title: text('title').notNull(),
  dueAt: tz('due_at').notNull(),
  priority: text('priority', { enum: ['high', 'normal'] }).notNull(),
  status: text('status', { enum: ['open', 'done', 'cancelled'] })
    .notNull()
    .default('open'),
  createdAt: tz('created_at').notNull().defaultNow(),
});

export const emailDrafts = pgTable('email_drafts', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  fixRunId: bigint('fix_run_id', { mode: 'number' })
    .notNull()
    .references(() => fixRuns.id),
  recordId: text('record_id').notNull(),
  recipient: text('recipient', { enum: ['contact', 'owner'] }).notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  status: text('status', { enum: ['draft', 'discarded'] })
    .notNull()
    .default('draft'),
  createdAt: tz('created_at').notNull().defaultNow(),
});
