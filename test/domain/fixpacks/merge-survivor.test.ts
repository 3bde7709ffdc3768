import { describe, expect, it } from 'vitest';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { buildOpp, buildRecord, daysAgo, minutesAgo } from '../build.ts';
import { customPack, planOf } from './support.ts';

/**
 * Duplicate merges never harm good data (issue 10 item 1). Seen: on the demo CSV the merge of tyrell.com
 * planned `stage: Closed Won → Archived` for a $500,000 won deal, merged into a $0 unassigned lead. Now the
 * survivor is chosen by a documented rule (open opportunity over lead; most recent touch; most fields
 * filled; highest value; lowest id), closed records are never archived (at most linked), and the plan says
 * which record survives and why.
 */
const dupe = (id: string, overrides: Partial<FunnelRecord> = {}) =>
  buildRecord({ id, domain: 'tyrell.com', company: 'Tyrell Corp', ...overrides });

const stageChanges = (plan: ReturnType<typeof planOf>) =>
  plan.changes.filter((c) => c.field === 'stage').map((c) => `${c.recordId}: ${c.old} → ${c.new}`);

describe('fix_merge_dupes: the survivor rule', () => {
  it('keeps the open opportunity over a lead, even a lead touched more recently', () => {
    const recs = [
      dupe('110', { type: 'opp', stage: 'Negotiation', valueCents: 50_000_000, lastTouchAtMs: daysAgo(20) }),
      dupe('112', { owner: '', valueCents: 0, lastTouchAtMs: null, createdAtMs: minutesAgo(5) }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['110', '112']);
    expect(stageChanges(plan)).toEqual(['112: New → Archived']);
    expect(plan.merges).toEqual([
      {
        domain: 'tyrell.com',
        survivorId: '110',
        archivedIds: ['112'],
        linkedIds: [],
        reason: 'kept 110: open opportunity over lead 112',
      },
    ]);
  });

  it('then the most recent touch (last touch, else creation)', () => {
    const recs = [
      dupe('a', { lastTouchAtMs: null, createdAtMs: Date.parse('2025-06-01T08:00:00Z') }),
      dupe('b', { lastTouchAtMs: Date.parse('2025-06-02T11:05:00Z') }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['a']);
    expect(stageChanges(plan)).toEqual(['a: New → Archived']);
    expect(plan.merges?.[0]?.reason).toBe(
      'kept b: most recent touch (touched 2025-06-02 11:05) over a (created 2025-06-01 08:00, never touched)',
    );
  });

  it('then the most fields filled, then the highest value, then the lowest id', () => {
    const same = { lastTouchAtMs: minutesAgo(10) };
    const recs = [
      dupe('9', { ...same, valueCents: 100 }),
      dupe('poor', { ...same, source: '', notes: '' }),
      dupe('rich', { ...same, valueCents: 900_000 }),
      dupe('10', { ...same, valueCents: 900_000 }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['poor']);
    expect(plan.merges?.[0]).toMatchObject({ survivorId: '10', archivedIds: ['rich', '9', 'poor'] });
    expect(plan.merges?.[0]?.reason).toBe(
      'kept 10: most fields filled (8) over poor (7); highest value ($9,000) over 9 ($1); lowest id over rich (a tie on everything else)',
    );
  });

  it('never archives the richer open record into a poorer one', () => {
    // Both leads touched at the same minute: the one with an owner, a next step and a value survives.
    const at = { lastTouchAtMs: minutesAgo(30) };
    const rich = dupe('2', { ...at, valueCents: 2_500_000, notes: 'Met at expo' });
    const poor = dupe('1', { ...at, owner: '', nextStep: '', region: '', valueCents: 0 });
    const plan = planOf('fix_merge_dupes', [poor, rich], ['1', '2']);
    expect(stageChanges(plan)).toEqual(['1: New → Archived']);
    expect(plan.merges?.[0]?.survivorId).toBe('2');
  });
});

describe('fix_merge_dupes: closed records are history', () => {
  // The demo CSV's tyrell.com: a $500,000 Closed Won deal and a $0 unassigned lead created later.
  const won = dupe('110', {
    type: 'opp',
    stage: 'Closed Won',
    owner: 'Dave',
    nextStep: 'Onboarding',
    valueCents: 50_000_000,
    lastTouchAtMs: daysAgo(72),
    createdAtMs: daysAgo(87),
  });
  const lead = (id: string, overrides: Partial<FunnelRecord> = {}) =>
    dupe(id, { owner: '', nextStep: '', valueCents: 0, lastTouchAtMs: null, ...overrides });

  it('a closed record is never archived: a target left with no open duplicate is left alone', () => {
    const plan = planOf(
      'fix_merge_dupes',
      [won, lead('112', { createdAtMs: minutesAgo(60) })],
      ['110', '112'],
    );
    expect(plan.changes).toEqual([]);
    expect(plan.merges).toEqual([]);
    expect(plan.warnings).toEqual(['No open duplicates to merge, so left alone: 110, 112']);
  });

  it('beside open duplicates it is linked on the survivor, with a warning, never archived', () => {
    const recs = [
      won,
      lead('112', { createdAtMs: minutesAgo(60) }),
      lead('113', { createdAtMs: minutesAgo(90), notes: 'From the webinar' }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['110', '112', '113']);
    expect(stageChanges(plan)).toEqual(['113: New → Archived']);
    expect(plan.changes.find((c) => c.recordId === '110')).toBeUndefined();
    expect(plan.changes).toContainEqual({
      recordId: '112',
      field: 'notes',
      old: '',
      new: '[merged 113] From the webinar\n[linked 110] Closed Won record of the same domain, kept as it is',
    });
    expect(plan.merges).toEqual([
      {
        domain: 'tyrell.com',
        survivorId: '112',
        archivedIds: ['113'],
        linkedIds: ['110'],
        reason:
          'kept 112: most recent touch (created 2025-06-02 11:00, never touched) over 113 (created 2025-06-02 10:30, never touched)',
      },
    ]);
    expect(plan.warnings).toEqual([
      '1 closed record of a duplicate domain is never archived, only linked on the survivor: 110',
    ]);
  });

  it('a survivor that already names the closed record is not linked twice', () => {
    const recs = [
      won,
      lead('112', {
        createdAtMs: minutesAgo(60),
        notes: '[linked 110] Closed Won record of the same domain',
      }),
      lead('113', { createdAtMs: minutesAgo(90) }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['112']);
    expect(plan.changes).toEqual([{ recordId: '113', field: 'stage', old: 'New', new: 'Archived' }]);
  });

  it.each([
    ['archive_record', { type: 'archive_record' as const }, 'Archived'],
    [
      'set_field stage (overwrite)',
      { type: 'set_field' as const, field: 'stage' as const, value: 'archived', only_if_empty: false },
      'archived',
    ],
  ])('a pack of one’s own cannot archive a closed record either (%s)', (_name, step, written) => {
    const lost = buildOpp({ id: 'lost', stage: 'Closed Lost' });
    const open = buildOpp({ id: 'open' });
    const plan = planOf(customPack([step]), [won, lost, open], ['110', 'lost', 'open']);
    expect(stageChanges(plan)).toEqual([`open: Proposal → ${written}`]);
    expect(plan.warnings).toEqual([
      'A closed (won or lost) record is never archived, so left alone: 110, lost',
    ]);
  });
});
