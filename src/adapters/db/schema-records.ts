import {
  bigint,
  boolean,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
} from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';

// Schema mirror (schema.ts): migrations, records and their imports, scans and findings, the stored PII key.
export const schemaMigrations = pgTable('schema_migrations', {
  version: text('version').primaryKey(),
  name: text('name').notNull(),
  checksum: text('checksum').notNull(),
  appliedAt: tz('applied_at').notNull().defaultNow(),
});

export const records = pgTable('records', {
  id: text('id').primaryKey(),
  type: text('type', { enum: ['lead', 'opp'] }).notNull(),
  name: text('name').notNull().default(''),
  emailHash: text('email_hash'),
  domain: text('domain').notNull().default(''),
  company: text('company').notNull().default(''),
  source: text('source').notNull().default(''),
  region: text('region').notNull().default(''),
  owner: text('owner').notNull().default(''),
  stage: text('stage').notNull().default(''),
  createdAt: tz('created_at').notNull(),
  lastTouchAt: tz('last_touch_at'),
  nextStep: text('next_step').notNull().default(''),
  valueCents: bigint('value_cents', { mode: 'number' }).notNull(),
  notes: text('notes').notNull().default(''),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const importRuns = pgTable('import_runs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  file: text('file').notNull(),
  dryRun: boolean('dry_run').notNull(),
  actor: text('actor').notNull(),
  status: text('status', { enum: ['running', 'succeeded', 'partial', 'failed'] })
    .notNull()
    .default('running'),
  startedAt: tz('started_at').notNull(),
  finishedAt: tz('finished_at'),
  totalRows: integer('total_rows'),
  importedRows: integer('imported_rows'),
  rejectedRows: integer('rejected_rows'),
  error: text('error'),
});

export const importRejections = pgTable(
  'import_rejections',
  {
    importRunId: bigint('import_run_id', { mode: 'number' })
      .notNull()
      .references(() => importRuns.id),
    line: integer('line').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importRunId, t.line] })],
);

export const scans = pgTable('scans', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  asOf: tz('as_of').notNull(),
  startedAt: tz('started_at').notNull(),
  finishedAt: tz('finished_at').notNull().defaultNow(),
  actor: text('actor').notNull(),
  recordsCount: integer('records_count').notNull(),
  issuesCount: integer('issues_count').notNull(),
  highIssues: integer('high_issues').notNull(),
  totalAtRiskCents: bigint('total_at_risk_cents', { mode: 'number' }).notNull(),
  budgetCents: bigint('budget_cents', { mode: 'number' }).notNull(),
  burnRate: doublePrecision('burn_rate').notNull(),
  budgetRemaining: doublePrecision('budget_remaining').notNull(),
  paging: text('paging', { enum: ['OK', 'WARN', 'PAGE'] }).notNull(),
  incidentSeverity: smallint('incident_severity').notNull(),
  reconciled: boolean('reconciled').notNull(),
  newIssues: integer('new_issues').notNull().default(0),
  reopenedIssues: integer('reopened_issues').notNull().default(0),
  clearedIssues: integer('cleared_issues').notNull().default(0),
  topCauses: jsonb('top_causes').notNull(),
  affectedSegments: jsonb('affected_segments').notNull(),
  slos: jsonb('slos').notNull(),
});

export const findings = pgTable('findings', {
  issueId: text('issue_id').primaryKey(),
  recordId: text('record_id').notNull(),
  issueType: text('issue_type').notNull(),
  ruleKey: text('rule_key').notNull(),
  severity: smallint('severity').notNull(),
  severityLabel: text('severity_label').notNull(),
  estimatedLossCents: bigint('estimated_loss_cents', { mode: 'number' }).notNull(),
  status: text('status', { enum: ['open', 'cleared'] }).notNull(),
  firstSeenAt: tz('first_seen_at').notNull(),
  firstScanId: bigint('first_scan_id', { mode: 'number' }).notNull(),
  changedScanId: bigint('changed_scan_id', { mode: 'number' }).notNull(),
  /** NULL while open: an open finding was seen by the newest reconciled scan (view findings_seen). */
  lastSeenAt: tz('last_seen_at'),
  lastSeenScanId: bigint('last_seen_scan_id', { mode: 'number' }),
  clearedAt: tz('cleared_at'),
  clearedScanId: bigint('cleared_scan_id', { mode: 'number' }),
});

/** The PII hash key of a database run without PII_HASH_KEY (the demo, the tests): one row at most. */
export const storedPiiKey = pgTable('stored_pii_key', {
  id: smallint('id').primaryKey().default(1),
  key: text('key').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});
