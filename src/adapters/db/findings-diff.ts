import type { Issue } from '../../domain/scan/summarize.ts';
import type { Sql } from './client.ts';
import { copyText } from './copy.ts';
import { copyValue, forEachCopyRow } from './copy-out.ts';

/**
 * What a scan changes in the stored findings (findings-reconcile.ts), decided by reading them: the same
 * decisions the staged FULL JOIN made before (new, reopened, re-priced, cleared, unchanged).
 *
 * The stored findings are read in primary-key order and merged with the scan's issues in issue-id order.
 * An unchanged finding, the common case, costs one comparison of its COPY line with the text the scan's
 * issue would have been stored as (no field parsed, nothing allocated); only lines that differ are parsed.
 * The merge needs the server's order to be JavaScript's string order (true of a C or C.UTF-8 collation
 * for ids without characters beyond U+FFFF); where it is not, that is noticed and the findings are read
 * again into a map keyed by issue id, which is slower (~2× the client CPU) but order-free.
 */
export interface StoredDiff {
  /** 1 at the position of every issue already stored (open or cleared). */
  seen: Uint8Array;
  /** Positions of issues stored as cleared: reopened. */
  reopen: number[];
  /** Positions of issues stored open with another rule, severity or price: re-priced. */
  reprice: number[];
  /** Ids of open findings this scan did not see: cleared. */
  clear: string[];
}

const STORED =
  'SELECT issue_id, status, severity, severity_label, rule_key, estimated_loss_cents FROM findings';

/** `\topen\t<severity>\t<severity_label>\t<rule_key>\t`: the stored line of an open finding, by rule. */
const openParts = new WeakMap<Issue['rule'], string>();
const openPart = (rule: Issue['rule']): string => {
  let p = openParts.get(rule);
  if (p === undefined) {
    p = `\topen\t${rule.severity}\t${copyText(rule.label)}\t${copyText(rule.key)}\t`;
    openParts.set(rule, p);
  }
  return p;
};

/** Whether text[at, eol) is exactly the stored line of `i`, open and priced as this scan prices it. */
function storedAsIs(text: string, at: number, eol: number, i: Issue): boolean {
  const id = copyText(i.issueId);
  if (!text.startsWith(id, at)) return false;
  at += id.length;
  const part = openPart(i.rule);
  if (!text.startsWith(part, at)) return false;
  at += part.length;
  const loss = String(i.lossCents);
  return eol - at === loss.length && text.startsWith(loss, at);
}

/** A stored finding that is in the scan: reopened, re-priced, or unchanged. */
function compare(d: StoredDiff, issues: readonly Issue[], k: number, f: (string | null)[]): void {
  d.seen[k] = 1;
  const i = issues[k]!;
  if (f[1] === 'cleared') d.reopen.push(k);
  else if (
    f[2] !== String(i.rule.severity) ||
    f[3] !== i.rule.label ||
    f[4] !== i.rule.key ||
    f[5] !== String(i.lossCents)
  )
    d.reprice.push(k);
}

const newDiff = (n: number): StoredDiff => ({ seen: new Uint8Array(n), reopen: [], reprice: [], clear: [] });

/** `order`: positions of `issues` in issue-id order. */
export async function readStoredDiff(
  tx: Sql,
  issues: readonly Issue[],
  order: ArrayLike<number>,
): Promise<StoredDiff> {
  return (await mergeStored(tx, issues, order)) ?? (await mapStored(tx, issues));
}

/** The merge (see above); null if the server's order turned out not to be JavaScript's. */
async function mergeStored(tx: Sql, issues: readonly Issue[], order: ArrayLike<number>) {
  const d = newDiff(issues.length);
  const n = order.length;
  let p = 0;
  let last = '';
  let first = true;
  let outOfOrder = false;
  const row: (string | null)[] = [];
  const onText = (text: string) => {
    for (let at = 0; at < text.length && !outOfOrder; ) {
      const eol = text.indexOf('\n', at);
      if (p < n && storedAsIs(text, at, eol, issues[order[p]!]!)) {
        d.seen[order[p]!] = 1;
        last = issues[order[p++]!]!.issueId;
        first = false;
        at = eol + 1;
        continue;
      }
      row.length = 0;
      for (const raw of text.slice(at, eol).split('\t')) row.push(copyValue(raw));
      const id = row[0]!;
      if (!first && !(last < id)) outOfOrder = true;
      else {
        last = id;
        first = false;
        // Issues before this id are not stored: new.
        while (p < n && issues[order[p]!]!.issueId < id) p++;
        if (p < n && issues[order[p]!]!.issueId === id) compare(d, issues, order[p++]!, row);
        else if (row[1] === 'open') d.clear.push(id);
      }
      at = eol + 1;
    }
  };
  await tx.copyOut(`${STORED} ORDER BY issue_id`, onText);
  return outOfOrder ? null : d;
}

/** Order-free: the scan's issues in a map by id, every stored finding looked up. */
async function mapStored(tx: Sql, issues: readonly Issue[]): Promise<StoredDiff> {
  const index = new Map<string, number>();
  for (let k = 0; k < issues.length; k++) index.set(issues[k]!.issueId, k);
  const d = newDiff(issues.length);
  const onRow = (f: (string | null)[]) => {
    const k = index.get(f[0]!);
    if (k !== undefined) compare(d, issues, k, f);
    else if (f[1] === 'open') d.clear.push(f[0]!);
  };
  await tx.copyOut(STORED, (text) => forEachCopyRow(text, onRow));
  return d;
}
