import { describe, expect, it } from 'vitest';
import {
  addressedIssue,
  bulkPackFor,
  bulkTitle,
  defaultPack,
  FIX_PACK_IDS,
  fixPackFor,
  packForIssue,
} from '../../../src/domain/fixpacks/catalog.ts';
import { fixPackSchema } from '../../../src/domain/fixpacks/dsl.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import {
  DEFAULT_THRESHOLDS,
  type FixPackId,
  ISSUE_TYPES,
  type IssueType,
  RULES,
} from '../../../src/domain/rules/catalog.ts';
import { detect } from '../../../src/domain/rules/evaluate.ts';
import type { Issue } from '../../../src/domain/scan/summarize.ts';
import { buildOpp, buildRecord, NOW } from '../build.ts';

/** Issues as a scan would price them (the price here is arbitrary but distinct per issue). */
const issuesOf = (records: FunnelRecord[]): Issue[] =>
  detect(records, NOW, DEFAULT_THRESHOLDS).map((d, i) => ({ ...d, lossCents: (i + 1) * 100 }));

const unowned = (n: number) => Array.from({ length: n }, (_, i) => buildRecord({ id: `u${i}`, owner: '' }));

describe('defaultPack', () => {
  it.each([
    ['fix_sla_breach', 'SLA Breach Rapid Response'],
    ['fix_assign_owner', 'Auto-Routing'],
    ['fix_next_step', 'Enforce Hygiene'],
    ['fix_stale_opp', 'Opportunity Rescue'],
    ['fix_merge_dupes', 'Duplicate Resolution'],
    ['fix_routing', 'Routing Repair'],
  ] as [FixPackId, string][])('%s is "%s", version 1', (id, title) => {
    const p = defaultPack(id);
    expect(p).toMatchObject({ version: 1, id, title });
    expect(fixPackSchema.safeParse(p).success).toBe(true);
  });

  it('has a pack for every fix pack a rule points at', () => {
    const used = new Set(Object.values(RULES).map((r) => r.fixPack));
    expect([...used].sort()).toEqual([...FIX_PACK_IDS].sort());
  });

  it('returns a fresh object each time', () => {
    const a = defaultPack('fix_stale_opp');
    a.steps.pop();
    expect(defaultPack('fix_stale_opp').steps).toHaveLength(5);
  });

  it('pins the steps of DOMAIN.md §5', () => {
    expect(defaultPack('fix_sla_breach').steps.map((s) => s.type)).toEqual([
      'assign_owner',
      'create_task',
      'notify',
      'draft_email',
    ]);
    expect(defaultPack('fix_sla_breach').steps[1]).toMatchObject({
      title: 'Call within 10 minutes',
      due_in_minutes: 10,
      priority: 'high',
    });
    expect(defaultPack('fix_sla_breach').verify).toEqual({ kind: 'touched_within', minutes: 10 });
    expect(defaultPack('fix_next_step').steps[0]).toEqual({
      type: 'set_field',
      field: 'next_step',
      value: '{default_next_step}',
      only_if_empty: true,
    });
    // The rescue never overwrites a real next step (issue 10 item 2): it fills an empty one only.
    expect(defaultPack('fix_stale_opp').steps[0]).toEqual({
      type: 'set_field',
      field: 'next_step',
      value: 'Rescue sequence initiated',
      only_if_empty: true,
    });
    expect(defaultPack('fix_stale_opp').steps[3]).toMatchObject({
      to: 'manager_channel',
      min_value_usd: 10_000,
    });
    expect(defaultPack('fix_stale_opp').verify).toEqual({ kind: 'touched_within', minutes: 2880 });
    expect(defaultPack('fix_merge_dupes').verify).toEqual({ kind: 'one_active_per_domain' });
    expect(defaultPack('fix_routing').verify).toEqual({ kind: 'field_present', field: 'region' });
    expect(defaultPack('fix_assign_owner').verify).toEqual({ kind: 'field_present', field: 'owner' });
  });
});

describe('packForIssue', () => {
  it('is the default pack of the rule, with the issue as the planner takes it', () => {
    const [issue] = issuesOf([buildOpp({ id: 'o1', nextStep: '' })]);
    const { pack, issues } = packForIssue(issue!);
    expect(pack).toEqual(defaultPack('fix_next_step'));
    expect(issues).toEqual([
      {
        issueId: 'o1_NO_NEXT_STEP',
        recordId: 'o1',
        issueType: 'NO_NEXT_STEP',
        lossCents: 100,
        teams: ['Sales_Team'],
      },
    ]);
  });

  it('carries the rule teams of the blast radius', () => {
    const [issue] = issuesOf([buildRecord({ id: 'x', region: '' })]);
    expect(addressedIssue(issue!).teams).toEqual(['RevOps', 'Data_Team']);
  });
});

describe('bulk packs', () => {
  it.each([
    ['SLA_BREACH_UNTOUCHED', 5, 'Respond to all 5 leads past the SLA', 'Respond to 1 lead past the SLA'],
    ['UNASSIGNED_OWNER', 6, 'Assign owners to all 6 unowned records', 'Assign an owner to 1 unowned record'],
    [
      'NO_NEXT_STEP',
      3,
      'Set next steps on all 3 records without one',
      'Set a next step on 1 record without one',
    ],
    ['STALE_OPP', 4, 'Rescue all 4 stale opportunities', 'Rescue 1 stale opportunity'],
    ['DUPLICATE_SUSPECT', 19, 'Merge all 19 duplicate records', 'Merge 1 duplicate record'],
    [
      'ROUTING_MISMATCH',
      2,
      'Repair routing on all 2 records without a region',
      'Repair routing on 1 record without a region',
    ],
  ] as [IssueType, number, string, string][])('%s: "%s" / "%s"', (type, n, many, one) => {
    expect(bulkTitle(type, n)).toBe(many);
    expect(bulkTitle(type, 1)).toBe(one);
  });

  it('thousands are grouped, and every title fits the DSL', () => {
    expect(bulkTitle('DUPLICATE_SUSPECT', 12_345)).toBe('Merge all 12,345 duplicate records');
    for (const t of ISSUE_TYPES) expect(bulkTitle(t, 1_000_000).length).toBeLessThanOrEqual(120);
  });

  it('takes every issue of the type and only those', () => {
    const records = [...unowned(6), buildRecord({ id: 'g', region: '' })];
    const all = issuesOf(records);
    const { pack, issues, title } = bulkPackFor('UNASSIGNED_OWNER', all);
    expect(title).toBe('Assign owners to all 6 unowned records');
    expect(pack).toEqual({ ...defaultPack('fix_assign_owner'), id: 'fix_assign_owner_bulk', title });
    expect(fixPackSchema.safeParse(pack).success).toBe(true);
    expect(issues.map((i) => i.recordId)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']);
    expect(issues.every((i) => i.issueType === 'UNASSIGNED_OWNER')).toBe(true);
  });

  it('NO_NEXT_STEP covers leads and opps (two rules, one pack)', () => {
    const all = issuesOf([
      buildRecord({ id: 'l', nextStep: '', createdAtMs: NOW - 3 * 86_400_000 }),
      buildOpp({ id: 'o', nextStep: '' }),
    ]);
    const { pack, issues } = bulkPackFor('NO_NEXT_STEP', all);
    expect(pack.id).toBe('fix_next_step_bulk');
    expect(issues.map((i) => [i.recordId, i.teams])).toEqual([
      ['l', ['SDR_Team']],
      ['o', ['Sales_Team']],
    ]);
  });

  it('maps every issue type to its pack', () => {
    expect(ISSUE_TYPES.map(fixPackFor)).toEqual([
      'fix_sla_breach',
      'fix_assign_owner',
      'fix_next_step',
      'fix_stale_opp',
      'fix_merge_dupes',
      'fix_routing',
    ]);
  });
});
