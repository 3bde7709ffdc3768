/**
 * One row of customers.csv → a Customer (issue 14). Canonical columns: customer_id, account, segment,
 * plan, start_date, mrr, churn_date, churn_reason. `mrr` is what the customer pays now, or paid last when
 * it churned. A churn date may not precede the start; a churn reason needs a churn date.
 */
import { Bad, date, dollars, optionalDate, required, segment } from './cells.ts';
import type { Customer } from './types.ts';

export const CUSTOMER_COLUMNS = [
  'customer_id',
  'account',
  'segment',
  'plan',
  'start_date',
  'mrr',
  'churn_date',
  'churn_reason',
] as const;

export function parseCustomer(cells: readonly string[]): Customer | Bad {
  const [id = '', acct = '', seg = '', plan = '', start = '', mrr = '', churn = '', reason = ''] = cells;
  const customerId = required('customer_id', id);
  if (customerId instanceof Bad) return customerId;
  const account = required('account', acct);
  if (account instanceof Bad) return account;
  const sgm = segment('segment', seg);
  if (sgm instanceof Bad) return sgm;
  const startDate = date('start_date', start);
  if (startDate instanceof Bad) return startDate;
  const mrrCents = dollars('mrr', mrr);
  if (mrrCents instanceof Bad) return mrrCents;
  const churnDate = optionalDate('churn_date', churn);
  if (churnDate instanceof Bad) return churnDate;
  // ISO dates compare as strings. The same day is allowed: a customer can leave the day it starts.
  if (churnDate !== null && churnDate < startDate)
    return new Bad(`churn_date ${churnDate} is before start_date ${startDate}`);
  const churnReason = reason.trim();
  if (churnReason !== '' && churnDate === null) return new Bad('churn_reason given without a churn_date');
  return {
    customerId,
    account,
    segment: sgm,
    plan: plan.trim(),
    startDate,
    mrrCents,
    churnDate,
    churnReason: churnDate === null ? null : churnReason === '' ? null : churnReason,
  };
}
