/**
 * The RevOps data generator (issue 14): a realistic, seeded year of deals, customers with their monthly
 * MRR history, and daily marketing spend, for the demo, the tests and the benchmark. Pure: no clock (the
 * year ends at `endMs`), no I/O, and every stream is a generator of rows, so a million deals are written
 * as they are made. The same seed and sizes give the same rows. The assumptions, with their numbers, are
 * in generate-assumptions.ts; csv-out.ts writes the rows as the CSVs `leak import` reads.
 */
export {
  CHANNELS,
  CHURN_REASONS,
  type GenerateOptions,
  WIN_RATE,
  YEAR_DAYS,
  yearStartMs,
} from './generate-assumptions.ts';
export { type GeneratedCustomer, generateCustomers } from './generate-customers.ts';
export { generateDeals } from './generate-deals.ts';
export { generateSpend } from './generate-spend.ts';
