import { estimateLossCents } from '../impact/price.ts';
import type { ScannableRecord } from '../records/record.ts';
import type { RuleThresholds } from '../rules/catalog.ts';
import { detect } from '../rules/evaluate.ts';
import type { GuardResult } from './run.ts';
import type { AddressedIssue } from './types.ts';

const priced = (records: readonly ScannableRecord[], nowMs: number, t: RuleThresholds) =>
  new Map(detect(records, nowMs, t).map((d) => [d.issueId, estimateLossCents(d, nowMs)]));

/**
 * The regression guard (DOMAIN.md §5): the same rules over the affected records and their duplicate groups,
 * before and after the fix, at the same instant. Issues gone are cleared (their dollars recovered), issues
 * the fix addressed that are still open await their verification window, and issues that were not there
 * before were caused by the fix, which fails the guard.
 */
export function regressionGuard(
  before: readonly ScannableRecord[],
  after: readonly ScannableRecord[],
  addressed: readonly AddressedIssue[],
  nowMs: number,
  t: RuleThresholds,
): GuardResult {
  const was = priced(before, nowMs, t);
  const is = priced(after, nowMs, t);
  const cleared = [...was]
    .filter(([id]) => !is.has(id))
    .map(([issueId, lossCents]) => ({ issueId, lossCents }));
  const introduced = [...is]
    .filter(([id]) => !was.has(id))
    .map(([issueId, lossCents]) => ({ issueId, lossCents }));
  const awaiting = addressed
    .filter((a) => is.has(a.issueId))
    .map((a) => ({ issueId: a.issueId, lossCents: is.get(a.issueId) ?? a.lossCents }));
  return {
    cleared,
    awaiting,
    introduced,
    clearedCents: cleared.reduce((sum, c) => sum + c.lossCents, 0),
    passed: introduced.length === 0,
  };
}
