/** Builders for funnel CSV text in the original format (DOMAIN.md §1), shared by import tests. */
import { HEADER } from '../../src/domain/records/parse-row.ts';

export type CsvRow = Record<(typeof HEADER)[number], string>;

/** A valid lead row; override only the columns a test is about. */
export const GOOD_ROW: CsvRow = {
  id: '1',
  type: 'lead',
  name: 'Ann',
  email: 'Ann@Example.com',
  domain: 'example.com',
  company: 'Example',
  source: 'web',
  region: 'NA',
  owner: 'Alice',
  stage: 'New',
  created_at: '2023-10-25T08:00:00Z',
  last_touch_at: '',
  next_step: '',
  value_usd: '100',
  notes: '',
};

/** RFC 4180 quoting, only where a value needs it. */
export const quoteCsv = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** One CSV line: `base` with `overrides`, in header order. */
export const csvLine = (overrides: Partial<CsvRow> = {}, base: CsvRow = GOOD_ROW): string =>
  HEADER.map((c) => quoteCsv({ ...base, ...overrides }[c])).join(',');

/** A whole file: the header, then the lines. */
export const csvFile = (...lines: string[]): string => `${[HEADER.join(','), ...lines].join('\n')}\n`;
