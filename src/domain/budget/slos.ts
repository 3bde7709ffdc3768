import type { Cents } from '../../shared/money.ts';
import type { ScannableRecord } from '../records/record.ts';
import type { IssueType } from '../rules/catalog.ts';

/** The revenue SLOs (DOMAIN.md §4 table). */
export interface SloDef {
  id: 'SLO_LEAD_RESPONSE' | 'SLO_DEAL_VELOCITY' | 'SLO_DATA_QUALITY';
  name: string;
  target: number;
  budgetShare: number;
  /** Issue types counted against the SLO, and the population they are a share of. */
  counts: readonly IssueType[];
  population: 'leads' | 'opps' | 'records';
}

// biome-ignore format: one SLO per line reads as the DOMAIN.md table it mirrors
export const REVENUE_SLOS: readonly SloDef[] = [
  { id: 'SLO_LEAD_RESPONSE', name: 'Lead Response Time: 95% of leads touched within 30 minutes', target: 0.95, budgetShare: 0.3, counts: ['SLA_BREACH_UNTOUCHED'], population: 'leads' },
  { id: 'SLO_DEAL_VELOCITY', name: 'Deal Velocity: no open deal idle more than 7 days', target: 0.9, budgetShare: 0.4, counts: ['STALE_OPP'], population: 'opps' },
  { id: 'SLO_DATA_QUALITY', name: 'Data Hygiene: region, owner and next step present', target: 0.99, budgetShare: 0.1, counts: ['ROUTING_MISMATCH', 'UNASSIGNED_OWNER', 'NO_NEXT_STEP'], population: 'records' },
];

export interface SloStatus {
  id: SloDef['id'];
  name: string;
  target: number;
  current: number;
  breached: boolean;
  budgetShare: number;
  budgetCents: Cents;
  badCount: number;
  population: number;
}

export interface Population {
  leads: number;
  opps: number;
  records: number;
}

export const populationOf = (records: readonly ScannableRecord[]): Population => {
  let leads = 0;
  for (const r of records) if (r.type === 'lead') leads++;
  return { leads, opps: records.length - leads, records: records.length };
};

/**
 * current = 1 − bad / population; an empty population gives 1.0. Several hygiene issues can fire on one
 * record, so (ours) current is floored at 0 rather than going negative.
 */
export function evaluateSlos(
  countsByType: ReadonlyMap<IssueType, number>,
  pop: Population,
  monthlyBudgetCents: Cents,
  defs: readonly SloDef[] = REVENUE_SLOS,
): SloStatus[] {
  return defs.map((d) => {
    const bad = d.counts.reduce((n, t) => n + (countsByType.get(t) ?? 0), 0);
    const population = pop[d.population];
    const current = population === 0 ? 1 : Math.max(0, 1 - bad / population);
    return {
      id: d.id,
      name: d.name,
      target: d.target,
      current,
      breached: current < d.target,
      budgetShare: d.budgetShare,
      budgetCents: Math.round(monthlyBudgetCents * d.budgetShare),
      badCount: bad,
      population,
    };
  });
}
