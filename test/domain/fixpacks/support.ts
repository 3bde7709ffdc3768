import { defaultPack } from '../../../src/domain/fixpacks/catalog.ts';
import type { FixPack } from '../../../src/domain/fixpacks/dsl.ts';
import { planFix } from '../../../src/domain/fixpacks/plan.ts';
import type { AddressedIssue, Plan, PlanEnv } from '../../../src/domain/fixpacks/types.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { type FixPackId, type IssueType, RULES } from '../../../src/domain/rules/catalog.ts';
import { NOW } from '../build.ts';

export const env = (overrides: Partial<PlanEnv> = {}): PlanEnv => ({
  nowMs: NOW,
  ownerPool: ['amy', 'ben', 'cat'],
  regionPools: {},
  roundRobinStart: 0,
  ownerSlack: { alice: 'UALICE', amy: 'UAMY', ben: 'UBEN', cat: 'UCAT' },
  managerChannel: 'CMGR',
  ...overrides,
});

const TEAMS = Object.fromEntries(Object.values(RULES).map((r) => [r.issueType, r.blastRadius])) as Record<
  IssueType,
  readonly string[]
>;

export const addressed = (recordId: string, issueType: IssueType, lossCents = 0): AddressedIssue => ({
  issueId: `${recordId}_${issueType}`,
  recordId,
  issueType,
  lossCents,
  teams: TEAMS[issueType],
});

const PACK_TYPES: Record<FixPackId, IssueType> = {
  fix_sla_breach: 'SLA_BREACH_UNTOUCHED',
  fix_assign_owner: 'UNASSIGNED_OWNER',
  fix_next_step: 'NO_NEXT_STEP',
  fix_stale_opp: 'STALE_OPP',
  fix_merge_dupes: 'DUPLICATE_SUSPECT',
  fix_routing: 'ROUTING_MISMATCH',
};

/** Plans a pack (a default one by id, or any pack for `issueType`) against `targets` among `records`. */
export function planOf(
  pack: FixPackId | FixPack,
  records: readonly FunnelRecord[],
  targets: readonly string[],
  e: Partial<PlanEnv> = {},
  issueType?: IssueType,
): Plan {
  const p = typeof pack === 'string' ? defaultPack(pack) : pack;
  const type = issueType ?? (typeof pack === 'string' ? PACK_TYPES[pack] : 'UNASSIGNED_OWNER');
  return planFix({ pack: p, issues: targets.map((id) => addressed(id, type)), records }, env(e));
}

export const customPack = (steps: FixPack['steps']): FixPack => ({
  version: 1,
  id: 'custom',
  title: 'Custom',
  steps,
  verify: { kind: 'one_active_per_domain' },
});
