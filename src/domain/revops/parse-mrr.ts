/**
 * One row of mrr.csv → a MrrMonth (issue 14): what one customer paid in one calendar month. Canonical
 * columns: customer_id, month (YYYY-MM or YYYY-MM-01, stored as the first day), mrr. Whether the customer
 * exists is the database's to say (RevopsWrites.upsertMrrHistory): a row for an unknown one is rejected
 * by the import with its line number.
 */
import { Bad, dollars, month, required } from './cells.ts';
import type { MrrMonth } from './types.ts';

export const MRR_COLUMNS = ['customer_id', 'month', 'mrr'] as const;

export function parseMrr(cells: readonly string[]): MrrMonth | Bad {
  const [id = '', mon = '', mrr = ''] = cells;
  const customerId = required('customer_id', id);
  if (customerId instanceof Bad) return customerId;
  const m = month('month', mon);
  if (m instanceof Bad) return m;
  const mrrCents = dollars('mrr', mrr);
  if (mrrCents instanceof Bad) return mrrCents;
  return { customerId, month: m, mrrCents };
}
