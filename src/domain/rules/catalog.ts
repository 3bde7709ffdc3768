/** The default leak rule catalog (DOMAIN.md §2) as data. */
export const ISSUE_TYPES = [
  'SLA_BREACH_UNTOUCHED',
  'UNASSIGNED_OWNER',
  'NO_NEXT_STEP',
  'STALE_OPP',
  'DUPLICATE_SUSPECT',
  'ROUTING_MISMATCH',
] as const;
export type IssueType = (typeof ISSUE_TYPES)[number];

export type SeverityLabel = 'high' | 'medium' | 'low';

export type SloId =
  | 'SLO_LEAD_RESPONSE'
  | 'SLO_UNOWNED_RECORDS'
  | 'SLO_NEXT_STEP_HYGIENE'
  | 'SLO_DEAL_VELOCITY'
  | 'SLO_DUPLICATION'
  | 'SLO_DATA_QUALITY';

export type FixPackId =
  | 'fix_sla_breach'
  | 'fix_assign_owner'
  | 'fix_next_step'
  | 'fix_stale_opp'
  | 'fix_merge_dupes'
  | 'fix_routing';

/** Everything about an issue that depends only on which rule fired; shared by reference across issues. */
export interface RuleDef {
  readonly key: string;
  readonly issueType: IssueType;
  readonly severity: number;
  readonly label: SeverityLabel;
  readonly slo: SloId;
  readonly rootCause: string;
  readonly blastRadius: readonly string[];
  readonly fixPack: FixPackId;
}

const def = (
  key: string,
  issueType: IssueType,
  severity: number,
  label: SeverityLabel,
  slo: SloId,
  rootCause: string,
  blastRadius: string[],
  fixPack: FixPackId,
): RuleDef => Object.freeze({ key, issueType, severity, label, slo, rootCause, blastRadius, fixPack });

// biome-ignore format: one rule per line reads as the DOMAIN.md table it mirrors
export const RULES = {
  slaBreach: def('SLA_BREACH_UNTOUCHED', 'SLA_BREACH_UNTOUCHED', 8, 'high', 'SLO_LEAD_RESPONSE', 'Capacity Bottleneck', ['SDR_Team', 'Marketing'], 'fix_sla_breach'),
  unassigned: def('UNASSIGNED_OWNER', 'UNASSIGNED_OWNER', 9, 'high', 'SLO_UNOWNED_RECORDS', 'Routing Rule Failure', ['RevOps', 'Sales_Mgmt'], 'fix_assign_owner'),
  noNextStepLead: def('NO_NEXT_STEP_LEAD', 'NO_NEXT_STEP', 6, 'medium', 'SLO_NEXT_STEP_HYGIENE', 'Rep Process Gap', ['SDR_Team'], 'fix_next_step'),
  noNextStepOpp: def('NO_NEXT_STEP_OPP', 'NO_NEXT_STEP', 7, 'high', 'SLO_NEXT_STEP_HYGIENE', 'AE Process Gap', ['Sales_Team'], 'fix_next_step'),
  staleOpp: def('STALE_OPP', 'STALE_OPP', 8, 'high', 'SLO_DEAL_VELOCITY', 'Stalled Deal / Ghosting', ['Sales_Team', 'Sales_Mgmt'], 'fix_stale_opp'),
  duplicate: def('DUPLICATE_SUSPECT', 'DUPLICATE_SUSPECT', 5, 'medium', 'SLO_DUPLICATION', 'Integration Error', ['RevOps'], 'fix_merge_dupes'),
  routing: def('ROUTING_MISMATCH', 'ROUTING_MISMATCH', 5, 'medium', 'SLO_DATA_QUALITY', 'Enrichment Failure', ['RevOps', 'Data_Team'], 'fix_routing'),
} as const satisfies Record<string, RuleDef>;

/** Configurable thresholds (DOMAIN.md §2 defaults). */
export interface RuleThresholds {
  leadSlaMinutes: number;
  leadNextStepDays: number;
  staleOppDays: number;
}
export const DEFAULT_THRESHOLDS: RuleThresholds = {
  leadSlaMinutes: 30,
  leadNextStepDays: 1,
  staleOppDays: 7,
};
