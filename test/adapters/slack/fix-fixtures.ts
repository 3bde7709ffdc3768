import type { FixRun, FixRunState } from '../../../src/domain/fixpacks/run.ts';
import type { FieldChange, Plan } from '../../../src/domain/fixpacks/types.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';
import { T0 } from './incident-fixtures.ts';

/** A small hand-built plan: two leads and an opp, four changes, one of each side effect. */
export const CHANGES: FieldChange[] = [
  { recordId: 'L-1001', field: 'owner', old: '', new: 'Priya Shah' },
  {
    recordId: 'O-2005',
    field: 'notes',
    old: 'Met at expo',
    new: 'Met at expo\nMerged from O-2006: wants pricing',
  },
  { recordId: 'L-1001', field: 'next_step', old: '', new: 'Discovery Call' },
  { recordId: 'O-2006', field: 'stage', old: 'Proposal', new: 'Archived' },
];

export function buildPlan(overrides: Partial<Plan> = {}): Plan {
  return {
    packId: 'fix_sla_breach',
    title: 'SLA Breach Rapid Response',
    issues: [],
    recordIds: ['L-1001', 'O-2005', 'O-2006'],
    changes: CHANGES,
    effects: [
      {
        kind: 'task',
        recordId: 'L-1001',
        assignee: 'Priya Shah',
        title: 'Call within 10 minutes',
        dueAtMs: T0 + 10 * MINUTE_MS,
        priority: 'high',
      },
      {
        kind: 'notify',
        recordId: 'L-1001',
        channel: null,
        slackUser: 'U0PRIYA',
        owner: 'Priya Shah',
        text: 'hi',
      },
      { kind: 'notify', recordId: 'O-2005', channel: 'C0MGR', slackUser: null, owner: 'Sam Lee', text: 'hi' },
      {
        kind: 'email_draft',
        recordId: 'L-1001',
        to: 'contact',
        toLabel: 'Grace Liu',
        subject: 'Quick connect',
        body: 'Hello',
      },
    ],
    blast: {
      records: 3,
      owners: ['Priya Shah', 'Sam Lee'],
      teams: ['SDR_Team', 'RevOps'],
      issues: 3,
      dollarsCents: 1_234_500,
    },
    warnings: ['No owner pool for region EMEA: used the default pool'],
    verify: { kind: 'field_present', field: 'owner' },
    verifyWindowMs: 2 * DAY_MS,
    ...overrides,
  };
}

export function buildRun(state: FixRunState, overrides: Partial<FixRun> = {}): FixRun {
  const applied = ['applied', 'rolled_back'].includes(state);
  return {
    id: '7',
    incidentId: '42',
    state,
    plan: buildPlan(),
    requestedBy: 'slack:T1:U0REQ',
    approvedBy: ['approved', 'applying', 'applied', 'failed', 'rolled_back'].includes(state)
      ? 'slack:T1:U0APP'
      : null,
    rejectedBy: state === 'rejected' ? 'slack:T1:U0REJ' : null,
    createdAtMs: T0,
    expiresAtMs: T0 + DAY_MS,
    appliedAtMs: applied ? T0 + 5 * MINUTE_MS : null,
    rolledBackAtMs: state === 'rolled_back' ? T0 + 6 * MINUTE_MS : null,
    inverse: applied ? CHANGES.map((c) => ({ ...c, old: c.new, new: c.old })) : null,
    guard: applied
      ? {
          cleared: [{ issueId: 'L-1001_UNASSIGNED_OWNER', lossCents: 500_000 }],
          awaiting: [{ issueId: 'O-2005_STALE_OPP', lossCents: 700_000 }],
          introduced: state === 'rolled_back' ? [{ issueId: 'O-2006_NO_NEXT_STEP', lossCents: 1 }] : [],
          clearedCents: 500_000,
          passed: state !== 'rolled_back',
        }
      : null,
    verification: state === 'applied' ? 'pending' : null,
    verifyDueAtMs: state === 'applied' ? T0 + 2 * DAY_MS : null,
    recoveredCents: 0,
    reason:
      state === 'failed'
        ? 'database unavailable'
        : state === 'rolled_back'
          ? 'regression guard: 1 new issue'
          : null,
    skipped:
      state === 'rolled_back' ? [{ recordId: 'L-1001', field: 'owner', old: '', new: 'Priya Shah' }] : [],
    channelId: 'C0INC1',
    messageTs: '1.2',
    ...overrides,
  };
}
