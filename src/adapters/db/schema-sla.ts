import {
  bigint,
  date,
  doublePrecision,
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
} from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';

// Schema mirror (schema.ts): SLA definitions, Gold snapshots and the burn-rate alert state.
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

/** OpenSLO objects other than SLOs, as last applied (migration 0009): later files refer to them by name. */
export const opensloObjects = pgTable(
  'openslo_objects',
  {
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    document: jsonb('document').notNull(),
    appliedAt: tz('applied_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.name] })],
);
