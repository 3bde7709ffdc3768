import { bigint, boolean, doublePrecision, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { bytea, tz } from './schema-columns.ts';
import { incidents } from './schema-incidents.ts';

// ---------------------------------------------------------------------------------------------- telemetry
// migrations/0004. Only parents are mirrored: bronze_events' daily partitions (bronze_events_YYYYMMDD)
// are created at run time by ensure_bronze_partition() and are not part of the schema.

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

/**
 * migrations/0008: the cumulative→delta state of each OTLP metric series (series-state-repository.ts), keyed
 * by the SHA-256 of its series key; `state` is the last point's fields as JSON, `version` the compare-and-set.
 */
export const metricSeriesState = pgTable('metric_series_state', {
  seriesHash: bytea('series_hash').primaryKey(),
  seriesKey: text('series_key').notNull(),
  service: text('service').notNull(),
  metric: text('metric').notNull(),
  kind: text('kind').notNull(),
  startTime: tz('start_time'),
  lastTime: tz('last_time').notNull(),
  state: jsonb('state').notNull(),
  version: bigint('version', { mode: 'number' }).notNull(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});
