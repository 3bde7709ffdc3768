/**
 * The four RevOps row kinds as one table the import walks (app/revops/import.ts): how a row is parsed and
 * what its natural key is (the key the table is upserted by, and that may not repeat within a file).
 */
import type { Bad } from './cells.ts';
import type { RevopsKind } from './csv-kinds.ts';
import { parseCustomer } from './parse-customer.ts';
import { parseDeal } from './parse-deal.ts';
import { parseMrr } from './parse-mrr.ts';
import { parseSpend } from './parse-spend.ts';
import type { Customer, Deal, MrrMonth, SpendRow } from './types.ts';

export interface RowKind<T> {
  /** Cells in the kind's canonical order (csv-kinds.ts pick) → the row, or why not. */
  parse(cells: readonly string[]): T | Bad;
  /** The natural key as one string (two rows with equal keys are the same table row). */
  key(row: T): string;
  /** The key as a reason names it: `deal_id 'D-1'`. */
  describeKey(row: T): string;
}

export interface RevopsRows {
  deals: Deal;
  customers: Customer;
  mrr: MrrMonth;
  spend: SpendRow;
}

const q = (s: string): string => `'${s}'`;

export const ROW_KINDS: { readonly [K in RevopsKind]: RowKind<RevopsRows[K]> } = {
  deals: {
    parse: parseDeal,
    key: (d) => d.dealId,
    describeKey: (d) => `deal_id ${q(d.dealId)}`,
  },
  customers: {
    parse: parseCustomer,
    key: (c) => c.customerId,
    describeKey: (c) => `customer_id ${q(c.customerId)}`,
  },
  mrr: {
    parse: parseMrr,
    // The month is always 10 characters, so month + id cannot collide with another pair.
    key: (m) => `${m.month}${m.customerId}`,
    describeKey: (m) => `customer_id ${q(m.customerId)} month ${m.month}`,
  },
  spend: {
    parse: parseSpend,
    // JSON of the parts: unambiguous whatever characters campaign or geo hold. ~20k rows a year: cheap.
    key: (s) => JSON.stringify([s.day, s.channel, s.campaign, s.segment, s.geo]),
    describeKey: (s) =>
      `date ${s.day} channel ${q(s.channel)} campaign ${q(s.campaign)} segment ${q(s.segment)} geo ${q(s.geo)}`,
  },
};
