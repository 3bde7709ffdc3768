/**
 * The CSV kinds `leak import` reads (issue 14) and how a header is told apart: the funnel export
 * (DOMAIN.md §1) and the four RevOps files. Header names are compared trimmed and case-insensitively; the
 * RevOps kinds take their columns in any order, the funnel keeps its strict in-order header (parse-row.ts).
 * A header that fits no kind (or not the kind asked for) is refused with what is missing and what is
 * unexpected relative to the closest kind, so the user can fix the file.
 */
import { checkHeader, HEADER as FUNNEL_COLUMNS } from '../records/parse-row.ts';
import { CUSTOMER_COLUMNS } from './parse-customer.ts';
import { DEAL_COLUMNS } from './parse-deal.ts';
import { MRR_COLUMNS } from './parse-mrr.ts';
import { SPEND_COLUMNS } from './parse-spend.ts';

export const REVOPS_KINDS = ['deals', 'customers', 'mrr', 'spend'] as const;
export type RevopsKind = (typeof REVOPS_KINDS)[number];
export const CSV_KINDS = ['funnel', ...REVOPS_KINDS] as const;
export type CsvKind = (typeof CSV_KINDS)[number];

export const isCsvKind = (s: string): s is CsvKind => (CSV_KINDS as readonly string[]).includes(s);

/** Each kind's canonical columns, in the order its parser takes them. */
export const KIND_COLUMNS: Readonly<Record<CsvKind, readonly string[]>> = {
  funnel: FUNNEL_COLUMNS,
  deals: DEAL_COLUMNS,
  customers: CUSTOMER_COLUMNS,
  mrr: MRR_COLUMNS,
  spend: SPEND_COLUMNS,
};

/** Where a file's columns are: `at[i]` is the file's index of the kind's i-th canonical column. */
export interface Layout {
  kind: CsvKind;
  /** Columns in the file's header: a data row with another count is refused. */
  width: number;
  at: readonly number[];
}

export type HeaderVerdict = { ok: true; layout: Layout } | { ok: false; reason: string };

const fold = (f: string): string => f.trim().toLowerCase();
const shown = (c: string): string => (c === '' ? '(empty)' : c);

interface Fit {
  kind: CsvKind;
  missing: string[];
  unexpected: string[];
}

function fitOf(kind: CsvKind, names: readonly string[]): Fit {
  const want = KIND_COLUMNS[kind];
  return {
    kind,
    missing: want.filter((c) => !names.includes(c)),
    unexpected: names.filter((n) => !want.includes(n)).map(shown),
  };
}

const differences = (f: Fit): string =>
  [
    f.missing.length > 0 ? `missing column(s): ${f.missing.join(', ')}` : '',
    f.unexpected.length > 0 ? `unexpected column(s): ${f.unexpected.join(', ')}` : '',
  ]
    .filter((s) => s !== '')
    .join('; ');

/** The kind sharing the most columns with the header; ties go to fewer differences, then to CSV_KINDS order. */
function closest(names: readonly string[]): Fit {
  const fits = CSV_KINDS.map((k) => fitOf(k, names));
  const shared = (f: Fit) => KIND_COLUMNS[f.kind].length - f.missing.length;
  const off = (f: Fit) => f.missing.length + f.unexpected.length;
  return fits.reduce((best, f) =>
    shared(f) > shared(best) || (shared(f) === shared(best) && off(f) < off(best)) ? f : best,
  );
}

/**
 * Reads a header row. With `forced`, the header must be that kind's; without, the kind whose columns the
 * header has exactly (in any order; the funnel's in its order) is chosen.
 */
export function readHeader(fields: readonly string[], forced?: CsvKind): HeaderVerdict {
  const names = fields.map(fold);
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))].map(shown);
  if (repeated.length > 0)
    return { ok: false, reason: `bad header: repeated column(s): ${repeated.join(', ')}` };
  const fit = forced === undefined ? closest(names) : fitOf(forced, names);
  if (fit.missing.length > 0 || fit.unexpected.length > 0) {
    const expected = `expected ${fit.kind} columns ${KIND_COLUMNS[fit.kind].join(',')}`;
    return {
      ok: false,
      reason:
        forced === undefined
          ? `bad header: matches no CSV kind (${CSV_KINDS.join(', ')}); closest is ${fit.kind}: ${differences(fit)}; ${expected}`
          : `bad header: not a ${forced} CSV: ${differences(fit)}; ${expected}`,
    };
  }
  if (fit.kind === 'funnel') {
    // The funnel import keeps its own, stricter header rule (columns in order).
    const funnel = checkHeader(fields);
    if (!funnel.ok) return funnel;
  }
  const at = KIND_COLUMNS[fit.kind].map((c) => names.indexOf(c));
  return { ok: true, layout: { kind: fit.kind, width: fields.length, at } };
}

/** The cells of a data row in the layout's canonical order (into `out`, reused across rows). */
export function pick(fields: readonly string[], layout: Layout, out: string[]): string[] {
  const at = layout.at;
  for (let i = 0; i < at.length; i++) out[i] = fields[at[i]!] ?? '';
  out.length = at.length;
  return out;
}
