import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS, type IssueType, type RuleThresholds } from '../../src/domain/rules/catalog.ts';
import { detect } from '../../src/domain/rules/evaluate.ts';
import { DAY_MS, MINUTE_MS } from '../../src/shared/time.ts';
import { buildRecord, T0 } from '../support/builders.ts';

/**
 * Shorthands for the domain suites over the shared record builder (test/support/builders.ts): its
 * default record (an owned, touched, next-stepped, regioned, open lead) fires no rule at NOW.
 */
export { buildRecord };

/** The instant every domain test evaluates at (habit 1: time is an argument, tests pin it). */
export const NOW = T0;

export const minutesAgo = (m: number): number => NOW - m * MINUTE_MS;
export const daysAgo = (d: number): number => NOW - d * DAY_MS;
export const secondsAgo = (s: number): number => NOW - s * 1000;

/** A clean open opportunity (touched ten minutes ago, with a next step). */
export const buildOpp = (overrides: Partial<FunnelRecord> = {}): FunnelRecord =>
  buildRecord({
    type: 'opp',
    stage: 'Proposal',
    nextStep: 'Send proposal',
    createdAtMs: daysAgo(20),
    ...overrides,
  });

/** The issue types that fire on one record evaluated alone at NOW (so no duplicate group can form). */
export const typesOf = (r: FunnelRecord, t: RuleThresholds = DEFAULT_THRESHOLDS): IssueType[] =>
  detect([r], NOW, t).map((d) => d.rule.issueType);

export const fires = (r: FunnelRecord, type: IssueType, t?: RuleThresholds): boolean =>
  typesOf(r, t).includes(type);
