/**
 * CAC payback benchmarks by segment: the months of a new customer's MRR it may take to earn back what
 * winning them cost. Ours (issue 14): SMB 12, mid-market 18, enterprise 24, the usual SaaS rule of thumb
 * that a longer sales cycle buys a longer payback. Configurable: config parses an override with
 * `paybackBenchmarksSchema` and hands it to the report (app/revops/report.ts RevopsOptions).
 */
import { z } from 'zod';
import type { Segment } from './types.ts';

export type PaybackBenchmarks = Readonly<Record<Segment, number>>;

export const DEFAULT_PAYBACK_BENCHMARKS: PaybackBenchmarks = { SMB: 12, MM: 18, ENT: 24 };

const months = z.number().positive().max(120);

/** A partial override ({ "ENT": 30 }) on top of the defaults; months in (0, 120]. */
export const paybackBenchmarksSchema = z
  .object({ SMB: months.optional(), MM: months.optional(), ENT: months.optional() })
  .strict()
  .transform(
    (o): PaybackBenchmarks => ({
      SMB: o.SMB ?? DEFAULT_PAYBACK_BENCHMARKS.SMB,
      MM: o.MM ?? DEFAULT_PAYBACK_BENCHMARKS.MM,
      ENT: o.ENT ?? DEFAULT_PAYBACK_BENCHMARKS.ENT,
    }),
  );

/** 'within' when the payback is at most the benchmark (exactly on it is within), 'over' above it. */
export function paybackVerdict(paybackMonths: number | null, benchmarkMonths: number) {
  if (paybackMonths === null) return 'no data' as const;
  return paybackMonths <= benchmarkMonths ? ('within' as const) : ('over' as const);
}
