import { describe, expect, it } from 'vitest';
import { isArchived, isClosedStage, normalizeStage } from '../../src/domain/records/record.ts';
import {
  DEFAULT_THRESHOLDS,
  ISSUE_TYPES,
  RULES,
  type RuleThresholds,
} from '../../src/domain/rules/catalog.ts';
import { detect } from '../../src/domain/rules/evaluate.ts';
import { buildOpp, buildRecord, daysAgo, fires, minutesAgo, NOW } from './build.ts';

describe('thresholds are configuration', () => {
  const custom: RuleThresholds = { leadSlaMinutes: 10, leadNextStepDays: 3, staleOppDays: 14 };

  it.each([
    [
      'SLA at 10 minutes',
      buildRecord({ createdAtMs: minutesAgo(10), lastTouchAtMs: null }),
      'SLA_BREACH_UNTOUCHED',
      false,
    ],
    [
      'SLA at 11 minutes',
      buildRecord({ createdAtMs: minutesAgo(11), lastTouchAtMs: null }),
      'SLA_BREACH_UNTOUCHED',
      true,
    ],
    [
      'lead next step at 3 days',
      buildRecord({ createdAtMs: daysAgo(3), nextStep: '' }),
      'NO_NEXT_STEP',
      false,
    ],
    [
      'lead next step at 4 days',
      buildRecord({ createdAtMs: daysAgo(4), nextStep: '' }),
      'NO_NEXT_STEP',
      true,
    ],
    ['stale at 14 days', buildOpp({ lastTouchAtMs: daysAgo(14) }), 'STALE_OPP', false],
    ['stale at 15 days', buildOpp({ lastTouchAtMs: daysAgo(15) }), 'STALE_OPP', true],
  ] as const)('%s → %s', (_label, r, type, expected) => {
    expect(fires(r, type, custom)).toBe(expected);
  });

  it('move the boundaries away from the defaults', () => {
    // Each of these fires under the defaults and not under the custom thresholds, or the other way round.
    const sla11 = buildRecord({ createdAtMs: minutesAgo(11), lastTouchAtMs: null });
    expect(fires(sla11, 'SLA_BREACH_UNTOUCHED')).toBe(false);
    expect(fires(sla11, 'SLA_BREACH_UNTOUCHED', custom)).toBe(true);
    const lead3 = buildRecord({ createdAtMs: daysAgo(3), nextStep: '' });
    expect(fires(lead3, 'NO_NEXT_STEP')).toBe(true);
    expect(fires(lead3, 'NO_NEXT_STEP', custom)).toBe(false);
    const opp10 = buildOpp({ lastTouchAtMs: daysAgo(10) });
    expect(fires(opp10, 'STALE_OPP')).toBe(true);
    expect(fires(opp10, 'STALE_OPP', custom)).toBe(false);
  });

  it('a zero-day lead next-step threshold fires from the first whole day', () => {
    const zero = { ...DEFAULT_THRESHOLDS, leadNextStepDays: 0 };
    expect(
      fires(buildRecord({ createdAtMs: minutesAgo(23 * 60 + 59), nextStep: '' }), 'NO_NEXT_STEP', zero),
    ).toBe(false);
    expect(fires(buildRecord({ createdAtMs: daysAgo(1), nextStep: '' }), 'NO_NEXT_STEP', zero)).toBe(true);
  });
});

describe('stage normalization (DOMAIN.md §1)', () => {
  it.each([
    ['Closed Won', 'closed won'],
    ['closed_won', 'closed won'],
    ['  CLOSED__LOST ', 'closed lost'],
    ['Closed\tWon', 'closed won'],
    ['', ''],
  ])('normalizeStage(%j) = %j', (stage, expected) => {
    expect(normalizeStage(stage)).toBe(expected);
  });

  it.each([
    ['Closed Won', true, false],
    ['closed_lost', true, false],
    ['Archived', true, true],
    ['ARCHIVED', true, true],
    ['', false, false],
    ['Proposal', false, false],
    ['Closed', false, false],
  ])('%j: closed %s, archived %s', (stage, closed, archived) => {
    expect(isClosedStage(stage)).toBe(closed);
    expect(isArchived(stage)).toBe(archived);
  });
});

describe('the rule catalog matches DOMAIN.md §2', () => {
  // issue_type | sev | label | SLO | root cause | blast radius | fix pack, copied from the doc's table.
  const TABLE = [
    [
      'slaBreach',
      'SLA_BREACH_UNTOUCHED',
      8,
      'high',
      'SLO_LEAD_RESPONSE',
      'Capacity Bottleneck',
      ['SDR_Team', 'Marketing'],
      'fix_sla_breach',
    ],
    [
      'unassigned',
      'UNASSIGNED_OWNER',
      9,
      'high',
      'SLO_UNOWNED_RECORDS',
      'Routing Rule Failure',
      ['RevOps', 'Sales_Mgmt'],
      'fix_assign_owner',
    ],
    [
      'noNextStepLead',
      'NO_NEXT_STEP',
      6,
      'medium',
      'SLO_NEXT_STEP_HYGIENE',
      'Rep Process Gap',
      ['SDR_Team'],
      'fix_next_step',
    ],
    [
      'noNextStepOpp',
      'NO_NEXT_STEP',
      7,
      'high',
      'SLO_NEXT_STEP_HYGIENE',
      'AE Process Gap',
      ['Sales_Team'],
      'fix_next_step',
    ],
    [
      'staleOpp',
      'STALE_OPP',
      8,
      'high',
      'SLO_DEAL_VELOCITY',
      'Stalled Deal / Ghosting',
      ['Sales_Team', 'Sales_Mgmt'],
      'fix_stale_opp',
    ],
    [
      'duplicate',
      'DUPLICATE_SUSPECT',
      5,
      'medium',
      'SLO_DUPLICATION',
      'Integration Error',
      ['RevOps'],
      'fix_merge_dupes',
    ],
    [
      'routing',
      'ROUTING_MISMATCH',
      5,
      'medium',
      'SLO_DATA_QUALITY',
      'Enrichment Failure',
      ['RevOps', 'Data_Team'],
      'fix_routing',
    ],
  ] as const;

  it.each(TABLE)(
    '%s → %s sev %i %s %s / %s / %j / %s',
    (name, issueType, severity, label, slo, rootCause, blast, fixPack) => {
      const rule = RULES[name];
      expect(rule).toMatchObject({ issueType, severity, label, slo, rootCause, fixPack });
      expect([...rule.blastRadius]).toEqual([...blast]);
    },
  );

  it('has exactly these seven rules over the six issue types', () => {
    expect(Object.keys(RULES).sort()).toEqual(TABLE.map((r) => r[0]).sort());
    expect([...ISSUE_TYPES].sort()).toEqual([...new Set(TABLE.map((r) => r[1]))].sort());
  });

  it('rule definitions are frozen (shared by reference across issues)', () => {
    for (const rule of Object.values(RULES)) expect(Object.isFrozen(rule)).toBe(true);
  });

  it('every detection carries the catalog rule for its issue type', () => {
    const ds = detect(
      [
        buildRecord({
          id: 'l',
          owner: '',
          region: '',
          lastTouchAtMs: null,
          nextStep: '',
          createdAtMs: daysAgo(3),
          domain: 'x.com',
        }),
        buildOpp({ id: 'o', nextStep: '', lastTouchAtMs: daysAgo(30), domain: 'x.com' }),
      ],
      NOW,
      DEFAULT_THRESHOLDS,
    );
    const byId = Object.fromEntries(ds.map((d) => [d.issueId, d.rule]));
    expect(byId).toEqual({
      l_SLA_BREACH_UNTOUCHED: RULES.slaBreach,
      l_NO_NEXT_STEP: RULES.noNextStepLead,
      l_UNASSIGNED_OWNER: RULES.unassigned,
      l_DUPLICATE_SUSPECT: RULES.duplicate,
      l_ROUTING_MISMATCH: RULES.routing,
      o_NO_NEXT_STEP: RULES.noNextStepOpp,
      o_STALE_OPP: RULES.staleOpp,
      o_DUPLICATE_SUSPECT: RULES.duplicate,
    });
  });
});
