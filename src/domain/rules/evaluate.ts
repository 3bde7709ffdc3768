import { wholeDays, wholeMinutes } from '../../shared/time.ts';
import { duplicateKey, isClosedStage, type ScannableRecord } from '../records/record.ts';
import { RULES, type RuleDef, type RuleThresholds } from './catalog.ts';

/** A rule that fired on a record, before pricing. The id is deterministic so a rescan finds it again. */
export interface Detection {
  readonly issueId: string;
  readonly rule: RuleDef;
  readonly record: ScannableRecord;
}

export const issueIdOf = (recordId: string, rule: RuleDef): string => `${recordId}_${rule.issueType}`;

/**
 * Evaluates the default catalog over every record at `nowMs` (DOMAIN.md §2). Pure and single-pass apart
 * from the duplicate grouping, which needs every record's domain first.
 */
export function detect(records: readonly ScannableRecord[], nowMs: number, t: RuleThresholds): Detection[] {
  // Pass 1: the duplicate key of every record that can be a duplicate ('' when it cannot), kept so pass 2
  // does not normalize a million domains twice.
  const keys: string[] = new Array(records.length);
  const byDomain = new Map<string, number>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    // Ours, a deliberate deviation from DOMAIN.md §2, which counts closed records (issue 10 item 1): only
    // OPEN records form duplicate groups. A closed deal (Closed Won, Closed Lost, or Archived by a merge) is
    // history: nothing is at risk on it and nothing should be merged into or out of it. The original priced
    // a $500,000 Closed Won deal sharing a domain with a $0 lead as $100,000 at risk, and merged it away.
    const key = r.domain === '' || isClosedStage(r.stage) ? '' : duplicateKey(r.domain);
    keys[i] = key;
    if (key !== '') byDomain.set(key, (byDomain.get(key) ?? 0) + 1);
  }
  const out: Detection[] = [];
  const hit = (record: ScannableRecord, rule: RuleDef) =>
    out.push({ issueId: issueIdOf(record.id, rule), rule, record });

  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.type === 'lead') {
      if (r.lastTouchAtMs === null && wholeMinutes(r.createdAtMs, nowMs) > t.leadSlaMinutes)
        hit(r, RULES.slaBreach);
      if (r.nextStep === '' && wholeDays(r.createdAtMs, nowMs) > t.leadNextStepDays)
        hit(r, RULES.noNextStepLead);
    } else if (!isClosedStage(r.stage)) {
      if (r.nextStep === '') hit(r, RULES.noNextStepOpp);
      if (r.lastTouchAtMs !== null && wholeDays(r.lastTouchAtMs, nowMs) > t.staleOppDays)
        hit(r, RULES.staleOpp);
    }
    if (r.owner === '') hit(r, RULES.unassigned);
    const key = keys[i]!;
    if (key !== '' && byDomain.get(key)! > 1) hit(r, RULES.duplicate);
    if (r.region === '') hit(r, RULES.routing);
  }
  return out;
}
