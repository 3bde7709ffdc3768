import { duplicateKey, type FunnelRecord, isArchived } from '../records/record.ts';

/**
 * Duplicate resolution (DOMAIN.md §5, fix_merge_dupes): which record of a duplicate group survives, and
 * what the merge writes.
 */

const DIGITS = /^\d+$/;
const stripZeros = (s: string): string => s.replace(/^0+(?=\d)/, '');

/**
 * "Lowest id", as a total order: ids are strings, but numeric ones (a CSV's 1, 2, 10) compare as numbers
 * (any length: "9" < "10"); numeric ids come before the others, which compare by UTF-16 code units.
 */
export function compareIds(a: string, b: string): number {
  const an = DIGITS.test(a);
  const bn = DIGITS.test(b);
  if (an !== bn) return an ? -1 : 1;
  if (an) {
    const sa = stripZeros(a);
    const sb = stripZeros(b);
    if (sa.length !== sb.length) return sa.length - sb.length;
    if (sa !== sb) return sa < sb ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Latest activity: the last touch, else creation. */
export const activityOf = (r: FunnelRecord): number => r.lastTouchAtMs ?? r.createdAtMs;

/** How many of name, domain, company, source, region, owner, stage, next_step, notes are non-empty. */
export function filledFields(r: FunnelRecord): number {
  const fields = [r.name, r.domain, r.company, r.source, r.region, r.owner, r.stage, r.nextStep, r.notes];
  return fields.reduce((n, v) => (v.trim() === '' ? n : n + 1), 0);
}

/** Survivor first: latest activity, then most fields filled, then lowest id. */
export const compareForPrimary = (a: FunnelRecord, b: FunnelRecord): number =>
  activityOf(b) - activityOf(a) || filledFields(b) - filledFields(a) || compareIds(a.id, b.id);

/**
 * The active (not archived) records sharing `target`'s duplicate key, ranked survivor first; empty when
 * the target has no domain. The target itself is in it unless it is archived.
 */
export function duplicateGroup(target: FunnelRecord, records: Iterable<FunnelRecord>): FunnelRecord[] {
  const key = duplicateKey(target.domain);
  if (key === '') return [];
  const group: FunnelRecord[] = [];
  for (const r of records) if (!isArchived(r.stage) && duplicateKey(r.domain) === key) group.push(r);
  return group.sort(compareForPrimary);
}

/** The line a merged record's notes leave on the survivor. */
export const mergedNoteLine = (from: FunnelRecord): string => `[merged ${from.id}] ${from.notes}`;

/** `old` with `line` appended on a new line (no leading newline on empty notes). */
export const appendLine = (old: string, line: string): string => old + (old ? '\n' : '') + line;

export const ARCHIVED_STAGE = 'Archived';
