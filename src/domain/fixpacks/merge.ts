import { formatUsd } from '../../shared/money.ts';
import { duplicateKey, type FunnelRecord, isArchived, isClosedStage } from '../records/record.ts';
import { isEmpty, type Planning, plural, set } from './planning.ts';

/**
 * Duplicate resolution (DOMAIN.md §5, fix_merge_dupes): which record of a duplicate group survives, and
 * what the merge writes. Ours (issue 10 item 1): only OPEN records take part. A closed record (Closed Won,
 * Closed Lost) is never archived; when one shares the domain it is at most linked, with a note on the
 * survivor naming it, and the plan warns. Seen before: a $500,000 Closed Won deal archived into a $0 lead.
 */

export const ARCHIVED_STAGE = 'Archived';

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

const minute = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const activity = (r: FunnelRecord): string =>
  r.lastTouchAtMs === null
    ? `created ${minute(r.createdAtMs)}, never touched`
    : `touched ${minute(r.lastTouchAtMs)}`;
const ids = (rs: readonly FunnelRecord[]): string => rs.map((r) => r.id).join(', ');
const each = (rs: readonly FunnelRecord[], what: (r: FunnelRecord) => string): string =>
  rs.map((r) => `${r.id} (${what(r)})`).join(', ');

/**
 * The survivor rule, one criterion after the other: `compare` < 0 when `a` should survive over `b`, and
 * `says` how the survivor beat the records that criterion decided against.
 */
interface Criterion {
  compare(a: FunnelRecord, b: FunnelRecord): number;
  says(survivor: FunnelRecord, beaten: readonly FunnelRecord[]): string;
}
const isOpp = (r: FunnelRecord): number => (r.type === 'opp' ? 1 : 0);
const SURVIVOR_RULE: readonly Criterion[] = [
  {
    // An open opportunity carries a deal; a lead of the same company is the likelier stray.
    compare: (a, b) => isOpp(b) - isOpp(a),
    says: (_s, l) => `open opportunity over ${l.length === 1 ? 'lead' : 'leads'} ${ids(l)}`,
  },
  {
    compare: (a, b) => activityOf(b) - activityOf(a),
    says: (s, l) => `most recent touch (${activity(s)}) over ${each(l, activity)}`,
  },
  {
    compare: (a, b) => filledFields(b) - filledFields(a),
    says: (s, l) => `most fields filled (${filledFields(s)}) over ${each(l, (r) => String(filledFields(r)))}`,
  },
  {
    compare: (a, b) => b.valueCents - a.valueCents,
    says: (s, l) =>
      `highest value (${formatUsd(s.valueCents)}) over ${each(l, (r) => formatUsd(r.valueCents))}`,
  },
  {
    compare: (a, b) => compareIds(a.id, b.id),
    says: (_s, l) => `lowest id over ${each(l, () => 'a tie on everything else')}`,
  },
];

/** Survivor first: open opportunity over lead, most recent touch, most fields filled, highest value, lowest id. */
export function compareForSurvivor(a: FunnelRecord, b: FunnelRecord): number {
  for (const c of SURVIVOR_RULE) {
    const d = c.compare(a, b);
    if (d !== 0) return d;
  }
  return 0;
}

/** "kept 112: open opportunity over lead 110; most recent touch (…) over 113 (…)": per criterion that decided. */
export function survivorReason(survivor: FunnelRecord, others: readonly FunnelRecord[]): string {
  const beaten = SURVIVOR_RULE.map((): FunnelRecord[] => []);
  for (const o of others) {
    const i = SURVIVOR_RULE.findIndex((c) => c.compare(survivor, o) !== 0);
    beaten[i === -1 ? SURVIVOR_RULE.length - 1 : i]!.push(o);
  }
  const parts = SURVIVOR_RULE.flatMap((c, i) =>
    beaten[i]!.length > 0 ? [c.says(survivor, beaten[i]!)] : [],
  );
  return `kept ${survivor.id}: ${parts.join('; ')}`;
}

/**
 * The records sharing `target`'s duplicate key: the open ones ranked survivor first, and the closed (won or
 * lost) ones, which are never merged. Archived records were merged already and are neither.
 */
export function duplicateGroup(
  target: FunnelRecord,
  records: Iterable<FunnelRecord>,
): { open: FunnelRecord[]; closed: FunnelRecord[] } {
  const key = duplicateKey(target.domain);
  const open: FunnelRecord[] = [];
  const closed: FunnelRecord[] = [];
  if (key === '') return { open, closed };
  for (const r of records) {
    if (duplicateKey(r.domain) !== key || isArchived(r.stage)) continue;
    (isClosedStage(r.stage) ? closed : open).push(r);
  }
  return { open: open.sort(compareForSurvivor), closed };
}

/** The line a merged record's notes leave on the survivor. */
export const mergedNoteLine = (from: FunnelRecord): string => `[merged ${from.id}] ${from.notes}`;
const linkTag = (r: FunnelRecord): string => `[linked ${r.id}]`;
/** The note that links a closed record of the same domain to the survivor, instead of archiving it. */
export const linkedNoteLine = (closed: FunnelRecord): string =>
  `${linkTag(closed)} ${closed.stage} record of the same domain, kept as it is`;

/** `old` with `line` appended on a new line (no leading newline on empty notes). */
export const appendLine = (old: string, line: string): string => old + (old ? '\n' : '') + line;

/** The merge_duplicates step on one target: merges its open group once, links its closed records. */
export function mergeDuplicates(p: Planning, target: FunnelRecord): void {
  const key = duplicateKey(target.domain);
  if (key !== '' && p.mergedKeys.has(key)) return;
  const { open, closed } = duplicateGroup(target, p.working.values());
  if (open.length < 2) {
    p.warnings.add(
      'no_duplicates',
      target.id,
      (_n, list) => `No open duplicates to merge, so left alone: ${list}`,
    );
    return;
  }
  p.mergedKeys.add(key);
  for (const r of [...open, ...closed]) p.read.add(r.id);
  const [survivor, ...others] = open as [FunnelRecord, ...FunnelRecord[]];
  // The reason is judged on the records as they were, before the notes below change the survivor.
  const reason = survivorReason(survivor, others);
  for (const other of others) {
    if (!isEmpty(other.notes)) set(p, survivor, 'notes', appendLine(survivor.notes, mergedNoteLine(other)));
    set(p, other, 'stage', ARCHIVED_STAGE);
  }
  for (const c of closed) {
    // Linked once: a later merge of the same domain does not repeat the note.
    if (!survivor.notes.includes(linkTag(c)))
      set(p, survivor, 'notes', appendLine(survivor.notes, linkedNoteLine(c)));
    p.warnings.add(
      'closed_linked',
      c.id,
      (n, list) =>
        `${plural(n, 'closed record', 'closed records')} of a duplicate domain ${n === 1 ? 'is' : 'are'} never archived, only linked on the survivor: ${list}`,
    );
  }
  p.merges.push({
    domain: key,
    survivorId: survivor.id,
    archivedIds: others.map((o) => o.id),
    linkedIds: closed.map((c) => c.id),
    reason,
  });
}

/**
 * Whether a step may set `stage` to `value` on `r`: never Archived on a closed (won or lost) record, whatever
 * the pack (a user's own `--pack` included). A refusal leaves the record alone and warns.
 */
export function mayArchive(p: Planning, r: FunnelRecord, value: string): boolean {
  if (!isArchived(value) || !isClosedStage(r.stage) || isArchived(r.stage)) return true;
  p.warnings.add(
    'closed_not_archived',
    r.id,
    (_n, list) => `A closed (won or lost) record is never archived, so left alone: ${list}`,
  );
  return false;
}
