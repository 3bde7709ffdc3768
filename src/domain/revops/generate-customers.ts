/**
 * Generated customers and their monthly MRR history (generate-assumptions.ts has the numbers). Each
 * customer comes with its months, so customers.csv and mrr.csv are written in one pass, and a history row
 * never names a customer the customers file lacks.
 */
import { DAY_MS } from '../../shared/time.ts';
import {
  CHURN_REASONS,
  CONTRACTION_RANGE,
  CUSTOMER_HISTORY_DAYS,
  CUSTOMER_SEGMENT_SHARE,
  EXPANSION_RANGE,
  type GenerateOptions,
  MONTHLY_CHURN,
  MONTHLY_CONTRACTION,
  MONTHLY_EXPANSION,
  START_MRR_USD,
  yearStartMs,
} from './generate-assumptions.ts';
import { accountName } from './generate-names.ts';
import { Rng } from './prng.ts';
import { type Customer, type MrrMonth, SEGMENTS, type Segment } from './types.ts';

export interface GeneratedCustomer {
  customer: Customer;
  /** What it paid each month from its start month up to (not including) its churn month, in order. */
  months: MrrMonth[];
}

const SEGMENT_WEIGHTS = SEGMENTS.map((s) => CUSTOMER_SEGMENT_SHARE[s]);
const REASON_WEIGHTS = CHURN_REASONS.map(([, w]) => w);

/** Months as one number (year × 12 + month − 1), so stepping a month is + 1. */
const monthOf = (ms: number): number => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
const pad = (n: number): string => String(n).padStart(2, '0');
const monthIso = (m: number): string => `${Math.floor(m / 12)}-${pad((m % 12) + 1)}-01`;
const daysIn = (m: number): number => new Date(Date.UTC(Math.floor(m / 12), (m % 12) + 1, 0)).getUTCDate();

function planOf(seg: Segment, mrrUsd: number): string {
  if (seg === 'ENT') return 'Enterprise';
  if (seg === 'MM') return mrrUsd < 6_000 ? 'Growth' : 'Business';
  return mrrUsd < 1_200 ? 'Starter' : 'Growth';
}

/** One customer's life month by month: churn, else maybe an expansion or a contraction. */
function live(rng: Rng, id: string, seg: Segment, startMs: number, o: GenerateOptions) {
  const first = monthOf(startMs);
  const last = monthOf(o.endMs - 1);
  let mrrUsd = Math.round(rng.logUniform(...START_MRR_USD[seg]));
  const plan = planOf(seg, mrrUsd);
  const months: MrrMonth[] = [];
  let churnDate: string | null = null;
  for (let m = first; m <= last; m++) {
    if (m > first) {
      if (rng.chance(MONTHLY_CHURN[seg])) {
        // A day of the churn month, and before the end when that month is the last one.
        const lastDay = m === last ? new Date(o.endMs - 1).getUTCDate() : daysIn(m);
        churnDate = `${monthIso(m).slice(0, 8)}${pad(1 + rng.int(lastDay))}`;
        break;
      }
      if (rng.chance(MONTHLY_EXPANSION[seg]))
        mrrUsd = Math.round(mrrUsd * (1 + rng.between(...EXPANSION_RANGE)));
      else if (rng.chance(MONTHLY_CONTRACTION[seg]))
        mrrUsd = Math.max(1, Math.round(mrrUsd * (1 - rng.between(...CONTRACTION_RANGE))));
    }
    months.push({ customerId: id, month: monthIso(m), mrrCents: mrrUsd * 100 });
  }
  return { plan, mrrCents: mrrUsd * 100, churnDate, months };
}

/**
 * `o.customers` customers (ids C-0000001 …) who started between two years before the year and its end,
 * each with its MRR history up to `o.endMs`. Churned customers keep the MRR they paid last.
 */
export function* generateCustomers(o: GenerateOptions): Generator<GeneratedCustomer> {
  const rng = new Rng(o.seed, 2);
  const firstDay = Math.floor((yearStartMs(o) - CUSTOMER_HISTORY_DAYS * DAY_MS) / DAY_MS);
  const lastDay = Math.floor((o.endMs - 1) / DAY_MS);
  const width = Math.max(7, String(o.customers).length);
  for (let i = 0; i < o.customers; i++) {
    const customerId = `C-${String(i + 1).padStart(width, '0')}`;
    const segment = SEGMENTS[rng.weighted(SEGMENT_WEIGHTS)]!;
    const startMs = (firstDay + rng.int(lastDay - firstDay + 1)) * DAY_MS;
    const life = live(rng, customerId, segment, startMs, o);
    const customer: Customer = {
      customerId,
      account: accountName(i),
      segment,
      plan: life.plan,
      startDate: new Date(startMs).toISOString().slice(0, 10),
      mrrCents: life.mrrCents,
      churnDate: life.churnDate,
      churnReason: life.churnDate === null ? null : CHURN_REASONS[rng.weighted(REASON_WEIGHTS)]![0],
    };
    yield { customer, months: life.months };
  }
}
