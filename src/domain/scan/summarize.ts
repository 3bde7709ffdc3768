import type { Cents } from '../../shared/money.ts';
import { wholeDays, wholeMinutes } from '../../shared/time.ts';
import {
  type BudgetPolicy,
  budgetRemaining,
  burnRate,
  type IncidentSeverity,
  incidentSeverity,
  type Paging,
  paging,
} from '../budget/budget.ts';
import { evaluateSlos, populationOf, type SloStatus } from '../budget/slos.ts';
import { estimateLossCents } from '../impact/price.ts';
import type { ScannableRecord } from '../records/record.ts';
import type { IssueType, RuleDef, RuleThresholds } from '../rules/catalog.ts';
import { type Detection, detect } from '../rules/evaluate.ts';
import { orderIssues } from './order.ts';

/** A priced detection: what the product calls an issue. */
export interface Issue extends Detection {
  readonly lossCents: Cents;
}

export interface CauseRollup {
  issueType: IssueType;
  count: number;
  lossCents: Cents;
}
export interface SegmentRollup {
  owner: string;
  count: number;
  lossCents: Cents;
}

export interface ScanSummary {
  asOfMs: number;
  records: number;
  /** Every open issue, largest dollars first (then severity, then id, so the order is stable). */
  issues: Issue[];
  /**
   * Positions in `issues` in issue-id order (JavaScript string order), when summarize computed it: a
   * store writes new findings in its primary key's order with it. Absent: the store sorts what it needs.
   */
  byIssueId?: Uint32Array;
  totalAtRiskCents: Cents;
  budgetCents: Cents;
  burn: number;
  budgetRemaining: number;
  paging: Paging;
  incidentSeverity: IncidentSeverity;
  highIssues: number;
  topCauses: CauseRollup[];
  affectedSegments: SegmentRollup[];
  slos: SloStatus[];
}

export const UNASSIGNED_SEGMENT = 'Unassigned';
export const ROLLUP_LIMIT = 5;

export { compareIssues } from './order.ts';

/** Load → evaluate → price → roll up: the pure heart of a scan (DOMAIN.md §2–§4). */
export function summarize(
  records: readonly ScannableRecord[],
  nowMs: number,
  thresholds: RuleThresholds,
  policy: BudgetPolicy,
): ScanSummary {
  // An explicit literal, not a spread: one object shape for every issue (a scan can hold hundreds of
  // thousands, and the sort and roll-ups below read them all).
  const found: Issue[] = detect(records, nowMs, thresholds).map((d) => ({
    issueId: d.issueId,
    rule: d.rule,
    record: d.record,
    lossCents: estimateLossCents(d, nowMs),
  }));
  // compareIssues order, by integer keys (order.ts); the issue-id order comes with it.
  const order = orderIssues(found);
  const issues: Issue[] = new Array(found.length);
  const byScanOrder = order.byScanOrder;
  const position = new Uint32Array(found.length);
  for (let k = 0; k < byScanOrder.length; k++) {
    issues[k] = found[byScanOrder[k]!]!;
    position[byScanOrder[k]!] = k;
  }
  const issuesByIdOrder = order.byIssueId.map((i) => position[i]!);

  // Per rule first, keyed by the rule object (no string hashing per issue), then folded per issue type.
  // Owners are shared strings when the store interns them, so the segment lookup finds its key at once.
  let total = 0;
  const perRule = new Map<RuleDef, { count: number; lossCents: number }>();
  const segments = new Map<string, SegmentRollup>();
  for (const i of issues) {
    const loss = i.lossCents;
    total += loss;
    let r = perRule.get(i.rule);
    if (r === undefined) {
      r = { count: 0, lossCents: 0 };
      perRule.set(i.rule, r);
    }
    r.count++;
    r.lossCents += loss;
    const owner = i.record.owner === '' ? UNASSIGNED_SEGMENT : i.record.owner;
    let s = segments.get(owner);
    if (s === undefined) {
      s = { owner, count: 0, lossCents: 0 };
      segments.set(owner, s);
    }
    s.count++;
    s.lossCents += loss;
  }
  let high = 0;
  const causes = new Map<IssueType, CauseRollup>();
  const countsByType = new Map<IssueType, number>();
  for (const [rule, r] of perRule) {
    if (rule.label === 'high') high += r.count;
    const t = rule.issueType;
    countsByType.set(t, (countsByType.get(t) ?? 0) + r.count);
    const c = causes.get(t) ?? { issueType: t, count: 0, lossCents: 0 };
    c.count += r.count;
    c.lossCents += r.lossCents;
    causes.set(t, c);
  }
  const burn = burnRate(total, policy);
  const byDollars =
    <T extends { lossCents: number; count: number }>(key: (x: T) => string) =>
    (a: T, b: T) =>
      b.lossCents - a.lossCents || b.count - a.count || key(a).localeCompare(key(b));

  return {
    asOfMs: nowMs,
    records: records.length,
    issues,
    byIssueId: issuesByIdOrder,
    totalAtRiskCents: total,
    budgetCents: policy.monthlyBudgetCents,
    burn,
    budgetRemaining: budgetRemaining(burn),
    paging: paging(burn, policy),
    incidentSeverity: incidentSeverity(burn, high, issues.length, policy),
    highIssues: high,
    topCauses: [...causes.values()].sort(byDollars((c) => c.issueType)).slice(0, ROLLUP_LIMIT),
    affectedSegments: [...segments.values()].sort(byDollars((s) => s.owner)).slice(0, ROLLUP_LIMIT),
    slos: evaluateSlos(countsByType, populationOf(records), policy.monthlyBudgetCents),
  };
}

/** Age of an issue's record for display: since the last touch, else since creation. */
export function issueAge(i: Issue, nowMs: number): { days: number; minutes: number } {
  const from = i.record.lastTouchAtMs ?? i.record.createdAtMs;
  return { days: wholeDays(from, nowMs), minutes: wholeMinutes(from, nowMs) };
}

/** One sentence a human can act on, derived from the rule and the record (not stored, so it never drifts). */
export function explain(i: Issue, nowMs: number, t: RuleThresholds): string {
  const r = i.record;
  switch (i.rule.key) {
    case 'SLA_BREACH_UNTOUCHED':
      return `Lead untouched for ${wholeMinutes(r.createdAtMs, nowMs)} minutes (SLA ${t.leadSlaMinutes} minutes).`;
    case 'UNASSIGNED_OWNER':
      return `${r.type === 'lead' ? 'Lead' : 'Opportunity'} has no owner.`;
    case 'NO_NEXT_STEP_LEAD':
      return `Lead is ${wholeDays(r.createdAtMs, nowMs)} days old with no next step.`;
    case 'NO_NEXT_STEP_OPP':
      return `Open opportunity in stage ${r.stage || '(none)'} has no next step.`;
    case 'STALE_OPP':
      return `Open opportunity idle for ${wholeDays(r.lastTouchAtMs ?? r.createdAtMs, nowMs)} days (limit ${t.staleOppDays}).`;
    case 'DUPLICATE_SUSPECT':
      return `Domain ${r.domain} is shared with other records.`;
    case 'ROUTING_MISMATCH':
      return 'Record has no region, so routing cannot place it.';
    default:
      return i.rule.rootCause;
  }
}
