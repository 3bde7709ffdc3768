import { bigint, date, doublePrecision, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';

// ------------------------------------------------------------------------------------------------- revops
// migrations/0011: the RevOps imports (issue 14). Amounts are integer cents; days and months ISO dates.
// Bulk writes go through revops-writes.ts (COPY into staging, then set-based upserts), not drizzle.

export const revopsDeals = pgTable('revops_deals', {
  dealId: text('deal_id').primaryKey(),
  account: text('account').notNull(),
  segment: text('segment', { enum: ['SMB', 'MM', 'ENT'] }).notNull(),
  owner: text('owner').notNull().default(''),
  stage: text('stage', {
    enum: ['Discovery', 'Demo', 'Negotiation', 'Closed_Won', 'Closed_Lost'],
  }).notNull(),
  amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
  createdAt: tz('created_at').notNull(),
  expectedClose: date('expected_close', { mode: 'string' }),
  lastStageChange: tz('last_stage_change').notNull(),
  probability: doublePrecision('probability').notNull(),
  sourceChannel: text('source_channel').notNull().default(''),
  importedAt: tz('imported_at').notNull().defaultNow(),
});

export const revopsCustomers = pgTable('revops_customers', {
  customerId: text('customer_id').primaryKey(),
  account: text('account').notNull(),
  segment: text('segment', { enum: ['SMB', 'MM', 'ENT'] }).notNull(),
  plan: text('plan').notNull().default(''),
  startDate: date('start_date', { mode: 'string' }).notNull(),
  mrrCents: bigint('mrr_cents', { mode: 'number' }).notNull(),
  churnDate: date('churn_date', { mode: 'string' }),
  churnReason: text('churn_reason'),
  importedAt: tz('imported_at').notNull().defaultNow(),
});

export const revopsMrrHistory = pgTable(
  'revops_mrr_history',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => revopsCustomers.customerId, { onDelete: 'cascade' }),
    month: date('month', { mode: 'string' }).notNull(),
    mrrCents: bigint('mrr_cents', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.month] }), index('revops_mrr_history_month').on(t.month)],
);

export const revopsMarketingSpend = pgTable(
  'revops_marketing_spend',
  {
    day: date('day', { mode: 'string' }).notNull(),
    channel: text('channel').notNull(),
    campaign: text('campaign').notNull().default(''),
    segment: text('segment', { enum: ['', 'SMB', 'MM', 'ENT'] })
      .notNull()
      .default(''),
    geo: text('geo').notNull().default(''),
    spendCents: bigint('spend_cents', { mode: 'number' }).notNull(),
    impressions: bigint('impressions', { mode: 'number' }).notNull().default(0),
    clicks: bigint('clicks', { mode: 'number' }).notNull().default(0),
    leads: bigint('leads', { mode: 'number' }).notNull().default(0),
    mqls: bigint('mqls', { mode: 'number' }).notNull().default(0),
    sqls: bigint('sqls', { mode: 'number' }).notNull().default(0),
    opportunities: bigint('opportunities', { mode: 'number' }).notNull().default(0),
    won: bigint('won', { mode: 'number' }).notNull().default(0),
    importedAt: tz('imported_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.day, t.channel, t.campaign, t.segment, t.geo] })],
);
