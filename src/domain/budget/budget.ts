import type { Cents } from '../../shared/money.ts';

/** Revenue error budget, paging and severity thresholds (DOMAIN.md §4 defaults). */
export interface BudgetPolicy {
  monthlyBudgetCents: Cents;
  /** burn > page → PAGE; burn > warn → WARN (strict). */
  pageBurn: number;
  warnBurn: number;
  /** burn > sev1Burn or more than sev1HighIssues high issues → SEV-1; > sev2Burn → 2; > sev3Burn → 3. */
  sev1Burn: number;
  sev1HighIssues: number;
  sev2Burn: number;
  sev3Burn: number;
}

export const DEFAULT_BUDGET_POLICY: BudgetPolicy = {
  monthlyBudgetCents: 5_000_000,
  pageBurn: 0.5,
  warnBurn: 0.25,
  sev1Burn: 2.0,
  sev1HighIssues: 50,
  sev2Burn: 1.0,
  sev3Burn: 0.5,
};

export type Paging = 'PAGE' | 'WARN' | 'OK';
/** SEV 1 is worst; 5 means nothing is open. */
export type IncidentSeverity = 1 | 2 | 3 | 4 | 5;

export const burnRate = (atRiskCents: Cents, p: BudgetPolicy): number => atRiskCents / p.monthlyBudgetCents;
export const budgetRemaining = (burn: number): number => Math.max(0, 1 - burn);

export function paging(burn: number, p: BudgetPolicy): Paging {
  if (burn > p.pageBurn) return 'PAGE';
  if (burn > p.warnBurn) return 'WARN';
  return 'OK';
}

export function incidentSeverity(
  burn: number,
  highIssues: number,
  openIssues: number,
  p: BudgetPolicy,
): IncidentSeverity {
  if (burn > p.sev1Burn || highIssues > p.sev1HighIssues) return 1;
  if (burn > p.sev2Burn) return 2;
  if (burn > p.sev3Burn) return 3;
  return openIssues > 0 ? 4 : 5;
}
