import type { Issue } from '../../domain/scan/summarize.ts';
import type { Sql } from './client.ts';
import { copyText } from './copy.ts';
import { readStoredDiff, type StoredDiff } from './findings-diff.ts';

/**
 * Reconciling a scan's issues with the stored findings (scans-repository.ts recordScan), writing only what
 * changed. Its cost is proportional to the findings, so every step here is bulk and allocation-light:
 * each issue becomes one COPY text line encoded straight into ~1 MiB buffers (no giant string to convert),
 * and the part of a line that depends only on its rule is built once per rule.
 *
 * Two ways, chosen by what is stored:
 *
 * - No finding stored yet (a database's first scan): every issue is new, and its row is COPYed straight into
 *   `findings`, already open. COPY inserts rows in batches (one WAL record per page of rows) where
 *   INSERT … SELECT writes one per row: measured on PostgreSQL 15 with 442k findings, staging + diff +
 *   INSERT took 9.8 s against 3.3–3.5 s for the direct COPY. The lines go in issue-id order, which
 *   summarize.ts computes along with the scan's order (so it costs nothing here): the primary key then
 *   fills in key order, 1.55–1.89 s in psql against 2.61–3.12 s in the scan's order (bare table 0.74 s).
 * - Otherwise the stored findings are read (COPY out: id, status and the priced columns) and compared here
 *   with the scan's issues, and only the changes are written: new findings COPYed into `findings` in
 *   issue-id order; re-priced, reopened and cleared ones staged in a temporary table that one UPDATE per
 *   kind joins. A rescan that changes nothing writes no finding. (Before, every issue was COPYed into a
 *   staging table fully joined with `findings`: 2.0 s of a steady 442k-finding scan, 1.2 s of it the
 *   staging COPY.) The scan persist lock (scans-repository.ts) keeps what was read true until the
 *   commit: only scans write findings.
 */

export interface FindingsChanges {
  newIssues: number;
  reopened: number;
  cleared: number;
}
export interface ReconcileAt {
  /** The scan's as-of (ISO text) and id. */
  asOf: string;
  scanId: string;
  /** The previous reconciled scan (the last one that saw a finding this scan clears); null: none. */
  prev: { asOf: string; scanId: string } | null;
}

/** Bytes per chunk handed to COPY. */
const CHUNK_BYTES = 1 << 20;

const LINE_COLUMNS = [
  'issue_id',
  'record_id',
  'issue_type',
  'rule_key',
  'severity',
  'severity_label',
  'estimated_loss_cents',
] as const;
const NEW_COLUMNS = [...LINE_COLUMNS, 'status', 'first_seen_at', 'first_scan_id', 'changed_scan_id'] as const;
const CHANGE_COLUMNS = [
  'issue_id',
  'rule_key',
  'severity',
  'severity_label',
  'estimated_loss_cents',
  'action',
] as const;

/** `\t<issue_type>\t<rule_key>\t<severity>\t<severity_label>\t`: what a line holds from its rule, by rule. */
const ruleParts = new WeakMap<Issue['rule'], string>();
const rulePart = (rule: Issue['rule']): string => {
  let p = ruleParts.get(rule);
  if (p === undefined) {
    p = `\t${copyText(rule.issueType)}\t${copyText(rule.key)}\t${rule.severity}\t${copyText(rule.label)}\t`;
    ruleParts.set(rule, p);
  }
  return p;
};

/**
 * One COPY text line per issue (the LINE_COLUMNS, then `tail`, which ends the line), for the issues at
 * `positions` (default: all, in array order), UTF-8 encoded into chunks of about CHUNK_BYTES that end
 * on whole lines. Each line is written into its buffer as it is made: appending 442k lines to strings
 * instead cost ~1.7 s of CPU, most of it converting those deep strings to bytes for the socket.
 */
export function* findingLines(
  issues: readonly Issue[],
  tail: string,
  positions?: ArrayLike<number>,
): Generator<Uint8Array> {
  let buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const n = positions ? positions.length : issues.length;
  for (let k = 0; k < n; k++) {
    const i = issues[positions ? positions[k]! : k]!;
    const line = `${copyText(i.issueId)}\t${copyText(i.record.id)}${rulePart(i.rule)}${i.lossCents}${tail}`;
    // At most 3 UTF-8 bytes per UTF-16 unit. A chunk handed out is never written again (a stream may hold it).
    if (used + line.length * 3 > buf.length) {
      if (used > 0) yield buf.subarray(0, used);
      buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, line.length * 3));
      used = 0;
    }
    used += buf.write(line, used);
  }
  if (used > 0) yield buf.subarray(0, used);
}

/** Positions of `issues` in issue-id order, when summarize did not provide them. */
function issueIdOrder(issues: readonly Issue[]): number[] {
  const idx = Array.from({ length: issues.length }, (_, k) => k);
  return idx.sort((a, b) => {
    const x = issues[a]!.issueId;
    const y = issues[b]!.issueId;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

const newTail = (at: ReconcileAt) => `\topen\t${at.asOf}\t${at.scanId}\t${at.scanId}\n`;

/** `byIssueId`: positions of `issues` in issue-id order (ScanSummary.byIssueId); sorted here if absent. */
export async function reconcileFindings(
  tx: Sql,
  issues: readonly Issue[],
  at: ReconcileAt,
  byIssueId?: ArrayLike<number>,
): Promise<FindingsChanges> {
  const order = byIssueId ?? issueIdOrder(issues);
  const [stored] = await tx.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM findings) AS any');
  if (!stored?.any) {
    if (issues.length > 0) await tx.copyIn('findings', NEW_COLUMNS, findingLines(issues, newTail(at), order));
    return { newIssues: issues.length, reopened: 0, cleared: 0 };
  }
  const d = await readStoredDiff(tx, issues, order);
  const fresh: number[] = [];
  for (let k = 0; k < order.length; k++) if (d.seen[order[k]!] === 0) fresh.push(order[k]!);
  if (fresh.length > 0) await tx.copyIn('findings', NEW_COLUMNS, findingLines(issues, newTail(at), fresh));
  await writeChanges(tx, issues, d, at);
  return { newIssues: fresh.length, reopened: d.reopen.length, cleared: d.clear.length };
}

function* changeLines(issues: readonly Issue[], d: StoredDiff): Generator<string> {
  for (const [action, positions] of [
    ['reopen', d.reopen],
    ['reprice', d.reprice],
  ] as const)
    for (const k of positions) {
      const i = issues[k]!;
      yield `${copyText(i.issueId)}\t${copyText(i.rule.key)}\t${i.rule.severity}\t${copyText(i.rule.label)}\t${i.lossCents}\t${action}\n`;
    }
  for (const id of d.clear) yield `${copyText(id)}\t\\N\t\\N\t\\N\t\\N\tclear\n`;
}

/** Re-priced, reopened and cleared findings: staged, then one UPDATE each way. */
async function writeChanges(tx: Sql, issues: readonly Issue[], d: StoredDiff, at: ReconcileAt) {
  if (d.reopen.length + d.reprice.length + d.clear.length === 0) return;
  await tx.query(
    `CREATE TEMP TABLE findings_changes (issue_id text, rule_key text, severity smallint, severity_label text,
       estimated_loss_cents bigint, action text) ON COMMIT DROP`,
  );
  await tx.copyIn('findings_changes', CHANGE_COLUMNS, changeLines(issues, d));
  if (d.reopen.length + d.reprice.length > 0)
    await tx.query(
      `UPDATE findings f SET status = 'open', severity = d.severity, severity_label = d.severity_label,
         rule_key = d.rule_key, estimated_loss_cents = d.estimated_loss_cents, changed_scan_id = $1,
         last_seen_at = NULL, last_seen_scan_id = NULL, cleared_at = NULL, cleared_scan_id = NULL
       FROM findings_changes d WHERE f.issue_id = d.issue_id AND d.action IN ('reopen', 'reprice')`,
      [at.scanId],
    );
  // Cleared by this scan; the last scan that saw it is the previous reconciled one.
  if (d.clear.length > 0)
    await tx.query(
      `UPDATE findings f SET status = 'cleared', cleared_at = $1, cleared_scan_id = $2, changed_scan_id = $2,
         last_seen_at = $3, last_seen_scan_id = $4
       FROM findings_changes d WHERE f.issue_id = d.issue_id AND d.action = 'clear'`,
      [at.asOf, at.scanId, at.prev?.asOf ?? at.asOf, at.prev?.scanId ?? at.scanId],
    );
}
