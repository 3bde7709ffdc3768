/** What ordering reads of an issue (summarize.ts Issue; structural, so this file imports nothing back). */
export interface OrderedIssue {
  readonly issueId: string;
  readonly lossCents: number;
  readonly rule: { readonly issueType: string; readonly severity: number };
  readonly record: { readonly id: string };
}
type Issue = OrderedIssue;

/**
 * The scan's issue order (summarize.ts compareIssues: dollars, then severity, both descending, then issue
 * id) computed with integer keys instead of a comparator over objects. At 442k issues the comparator sort
 * was 0.8–1.3 s of a 200,000-record scan (8M calls, each reading two objects and often comparing two issue
 * ids); this is two linear passes and a handful of counting-sort passes.
 *
 * 1. Issue-id order (`byIssueId`). detect() emits each record's issues together, and an issue id is
 *    `<record id>_<issue type>`, so issue ids order as their records' `<record id>_` keys do, then as
 *    their types do, unless one key is a prefix of another (ids "a" and "a_b": "a_X" against "a_b_X"
 *    depends on the type). Sorting 200k such keys (a native string sort) replaces comparing 442k issue
 *    ids; when a key is a prefix of another, or the issues are not shaped that way, the issue ids are
 *    compared directly. ("D1" and "D10" are fine: "D1_" and "D10_" differ at their third character.)
 *    The persistence adapter sends new findings in this order (a primary key filled in key order).
 * 2. A stable LSD radix sort of that order by severity, then by dollars (16 bits per pass, descending):
 *    ties keep issue-id order, which is exactly compareIssues. Losses that are not whole, non-negative
 *    safe integers (never produced by pricing, which rounds to whole cents) fall back to compareIssues.
 */
export interface IssueOrder {
  /** Positions in the input, in compareIssues order. */
  readonly byScanOrder: Uint32Array;
  /** Positions in the input, in issue-id order (JavaScript string order). */
  readonly byIssueId: Uint32Array;
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Largest dollars first, then severity, then issue id, so the order is stable. */
export const compareIssues = (a: OrderedIssue, b: OrderedIssue): number =>
  b.lossCents - a.lossCents || b.rule.severity - a.rule.severity || compareIds(a.issueId, b.issueId);

export function orderIssues(issues: readonly OrderedIssue[]): IssueOrder {
  const byIssueId = issueIdOrder(issues) ?? slowIssueIdOrder(issues);
  return { byScanOrder: byDollarsThenSeverity(issues, byIssueId), byIssueId };
}

/** Issue-id order through the record ids, or null when that shortcut does not hold (see above). */
function issueIdOrder(issues: readonly Issue[]): Uint32Array | null {
  const n = issues.length;
  // Runs of consecutive issues on the same record.
  const runStart: number[] = [];
  const runIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const is = issues[i]!;
    const id = is.record.id;
    if (i === 0 || is.record !== issues[i - 1]!.record) {
      runStart.push(i);
      runIds.push(`${id}_`);
    }
    const type = is.rule.issueType;
    const iid = is.issueId;
    if (
      iid.length !== id.length + 1 + type.length ||
      iid.charCodeAt(id.length) !== 95 /* _ */ ||
      !iid.startsWith(id) ||
      !iid.endsWith(type)
    )
      return null;
  }
  runStart.push(n);
  // Default sort compares UTF-16 code units, as `<` does.
  const sorted = runIds.slice().sort();
  // A key that is a prefix of another sorts right before it, or before keys sharing that prefix.
  for (let k = 1; k < sorted.length; k++) if (sorted[k]!.startsWith(sorted[k - 1]!)) return null; // also catches a record id seen twice
  const rank = new Map<string, number>();
  for (let k = 0; k < sorted.length; k++) rank.set(sorted[k]!, k);
  const runByRank = new Uint32Array(sorted.length);
  for (let r = 0; r < runIds.length; r++) runByRank[rank.get(runIds[r]!)!] = r;
  const out = new Uint32Array(n);
  let w = 0;
  for (let k = 0; k < runByRank.length; k++) {
    const r = runByRank[k]!;
    const from = w;
    for (let i = runStart[r]!; i < runStart[r + 1]!; i++) {
      // Insertion by issue type: a record has at most a handful of issues.
      let j = w++;
      const t = issues[i]!.rule.issueType;
      while (j > from && issues[out[j - 1]!]!.rule.issueType > t) {
        out[j] = out[j - 1]!;
        j--;
      }
      out[j] = i;
    }
  }
  return out;
}

function slowIssueIdOrder(issues: readonly Issue[]): Uint32Array {
  const idx = Array.from({ length: issues.length }, (_, i) => i);
  idx.sort((a, b) => compareIds(issues[a]!.issueId, issues[b]!.issueId) || a - b);
  return Uint32Array.from(idx);
}

const DIGIT = 65_536;

/** Stable LSD radix sort of `byIssueId` by severity, then dollars, both descending. */
function byDollarsThenSeverity(issues: readonly Issue[], byIssueId: Uint32Array): Uint32Array {
  const n = issues.length;
  const loss = new Float64Array(n);
  const sevDigit = new Uint16Array(n);
  let maxLoss = 0;
  for (let i = 0; i < n; i++) {
    const is = issues[i]!;
    const l = is.lossCents;
    const s = is.rule.severity;
    if (!(Number.isSafeInteger(l) && l >= 0 && Number.isInteger(s) && s >= 0 && s < DIGIT))
      return comparatorOrder(issues);
    loss[i] = l;
    sevDigit[i] = DIGIT - 1 - s;
    if (l > maxLoss) maxLoss = l;
  }
  let src = byIssueId.slice();
  let dst = new Uint32Array(n);
  const count = new Uint32Array(DIGIT + 1);
  const digit = new Uint16Array(n);
  const pass = (d: Uint16Array) => {
    count.fill(0);
    for (let k = 0; k < n; k++) count[d[src[k]!]! + 1]!++;
    // One bucket holds everything: this digit orders nothing.
    for (let b = 1; b <= DIGIT; b++) if (count[b] === n) return;
    for (let b = 1; b <= DIGIT; b++) count[b]! += count[b - 1]!;
    for (let k = 0; k < n; k++) {
      const i = src[k]!;
      dst[count[d[i]!]!++] = i;
    }
    [src, dst] = [dst, src];
  };
  pass(sevDigit);
  for (let scale = 1; scale <= maxLoss; scale *= DIGIT) {
    for (let i = 0; i < n; i++) digit[i] = DIGIT - 1 - (Math.floor(loss[i]! / scale) % DIGIT);
    pass(digit);
  }
  return src;
}

/** compareIssues itself, over the input order, as the scan sorted before (whatever odd values hold). */
function comparatorOrder(issues: readonly Issue[]): Uint32Array {
  const idx = Array.from({ length: issues.length }, (_, i) => i);
  idx.sort((a, b) => compareIssues(issues[a]!, issues[b]!));
  return Uint32Array.from(idx);
}
