/**
 * Drizzle mirror of migrations/ (the SQL files are the source of truth; a test compares the two).
 * Typed queries use these tables; bulk paths use COPY through client.ts.
 */
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

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

// ---------------------------------------------------------------------------------------------- telemetry
// migrations/0004. Only parents are mirrored: bronze_events' daily partitions (bronze_events_YYYYMMDD)
// are created at run time by ensure_bronze_partition() and are not part of the schema.

/** bytea as a Buffer (drizzle-orm 0.45 has no built-in bytea column). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Stores the SHA-256 hex of each token, never the token (tokens-repository.ts). */
export const ingestTokens = pgTable('ingest_tokens', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
  revokedAt: tz('revoked_at'),
});

const bronzeColumns = () => ({
  time: tz('time').notNull(),
  service: text('service').notNull(),
  name: text('name').notNull(),
  level: text('level'),
  ok: boolean('ok'),
  durationMs: doublePrecision('duration_ms'),
  message: text('message'),
  traceId: text('trace_id'),
  userHash: text('user_hash'),
  emailHash: text('email_hash'),
  attributes: jsonb('attributes').notNull().default({}),
});

/** Partitioned by range of `time`, one partition per UTC day, no default partition. */
export const bronzeEvents = pgTable('bronze_events', {
  ...bronzeColumns(),
  incidentId: bigint('incident_id', { mode: 'number' }),
});

/** Evidence rows copied out of a Bronze partition before the janitor drops it. */
export const bronzeEvidence = pgTable('bronze_evidence', {
  ...bronzeColumns(),
  incidentId: bigint('incident_id', { mode: 'number' }).references(() => incidents.id),
  keptAt: tz('kept_at').notNull().defaultNow(),
});

const silverColumns = () => ({
  service: text('service').notNull(),
  metric: text('metric').notNull(),
  tags: jsonb('tags').notNull().default({}),
  tagsHash: text('tags_hash').notNull(),
  count: bigint('count', { mode: 'number' }).notNull(),
  errors: bigint('errors', { mode: 'number' }).notNull().default(0),
  sum: doublePrecision('sum').notNull().default(0),
  min: doublePrecision('min'),
  max: doublePrecision('max'),
  p50: doublePrecision('p50'),
  p90: doublePrecision('p90'),
  p99: doublePrecision('p99'),
  sketch: bytea('sketch'),
});

export const silverMinute = pgTable(
  'silver_minute',
  { ...silverColumns(), minute: tz('minute').notNull() },
  (t) => [primaryKey({ columns: [t.service, t.metric, t.tagsHash, t.minute] })],
);

/** Silver minutes written by ingest and not yet merged into silver_minute (the compactor drains it). */
export const silverMinutePending = pgTable('silver_minute_pending', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  service: text('service').notNull(),
  metric: text('metric').notNull(),
  tags: jsonb('tags').notNull().default({}),
  tagsHash: text('tags_hash').notNull(),
  minute: tz('minute').notNull(),
  count: bigint('count', { mode: 'number' }).notNull(),
  errors: bigint('errors', { mode: 'number' }).notNull().default(0),
  sum: doublePrecision('sum').notNull().default(0),
  min: doublePrecision('min'),
  max: doublePrecision('max'),
  sketch: bytea('sketch'),
  receivedAt: tz('received_at').notNull().defaultNow(),
});

export const silverHour = pgTable('silver_hour', { ...silverColumns(), hour: tz('hour').notNull() }, (t) => [
  primaryKey({ columns: [t.service, t.metric, t.tagsHash, t.hour] }),
]);

/** Versioned, never edited in place: a change closes a version (active_to) and inserts the next. */
export const slaDefinitions = pgTable(
  'sla_definitions',
  {
    id: text('id').notNull(),
    version: integer('version').notNull(),
    service: text('service').notNull(),
    metric: text('metric').notNull(),
    name: text('name').notNull(),
    indicator: jsonb('indicator').notNull(),
    target: doublePrecision('target').notNull(),
    windowDays: integer('window_days').notNull(),
    activeFrom: tz('active_from').notNull(),
    activeTo: tz('active_to'),
    definition: jsonb('definition').notNull(),
  },
  (t) => [primaryKey({ columns: [t.id, t.version] })],
);

/** Immutable: triggers reject UPDATE, DELETE and TRUNCATE. */
export const goldSnapshots = pgTable(
  'gold_snapshots',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    slaId: text('sla_id').notNull(),
    slaVersion: integer('sla_version').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    errors: bigint('errors', { mode: 'number' }).notNull(),
    uptimePct: doublePrecision('uptime_pct').notNull(),
    breaches: integer('breaches').notNull().default(0),
    budgetBurn: doublePrecision('budget_burn').notNull(),
    downtimeMinutes: integer('downtime_minutes').notNull().default(0),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [
    unique().on(t.slaId, t.day),
    foreignKey({
      columns: [t.slaId, t.slaVersion],
      foreignColumns: [slaDefinitions.id, slaDefinitions.version],
    }),
  ],
);

/** The burn-rate evaluator's memory of each SLA between runs (tickets, the latest evaluation). */
export const slaAlertState = pgTable('sla_alert_state', {
  slaId: text('sla_id').primaryKey(),
  evaluatedAt: tz('evaluated_at').notNull(),
  action: text('action').notNull(),
  burn: doublePrecision('burn').notNull(),
  lastFiredAt: tz('last_fired_at'),
  lastTicketAt: tz('last_ticket_at'),
});

/** The PII hash key of a database run without PII_HASH_KEY (the demo, the tests): one row at most. */
export const storedPiiKey = pgTable('stored_pii_key', {
  id: smallint('id').primaryKey().default(1),
  key: text('key').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});
