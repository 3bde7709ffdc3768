import { bigint, integer, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';

// ----------------------------------------------------------------------------------------------- commerce
// migrations/0007: raw webhook deliveries and the ledger they write (issue 12).

/** Every authenticated delivery, stored before it is parsed; emails in `body` are keyed hashes. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    source: text('source').notNull(),
    topic: text('topic').notNull().default(''),
    deliveryId: text('delivery_id').notNull(),
    receivedAt: tz('received_at').notNull(),
    contentType: text('content_type'),
    body: text('body').notNull(),
    status: text('status').notNull().default('received'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    parsedAt: tz('parsed_at'),
  },
  (t) => [unique().on(t.source, t.deliveryId)],
);

/** Sales, refunds, disputes and payouts in positive minor units; the kind gives the sign. */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    source: text('source').notNull(),
    kind: text('kind').notNull(),
    externalId: text('external_id').notNull(),
    saleExternalId: text('sale_external_id'),
    status: text('status').notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    customerHash: text('customer_hash'),
    stream: text('stream').notNull().default(''),
    items: integer('items').notNull().default(0),
    occurredAt: tz('occurred_at').notNull(),
    settledAt: tz('settled_at'),
    deliveryId: bigint('delivery_id', { mode: 'number' }).references(() => webhookDeliveries.id),
    recordedAt: tz('recorded_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [unique().on(t.source, t.kind, t.externalId)],
);
