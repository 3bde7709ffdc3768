import { describe, expect, it } from 'vitest';
import { compareIds } from '../../../src/domain/fixpacks/merge.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { buildRecord, daysAgo, minutesAgo, NOW } from '../build.ts';
import { planOf } from './support.ts';

const dupe = (id: string, overrides: Parameters<typeof buildRecord>[0] = {}) =>
  buildRecord({ id, domain: 'acme.com', company: `Co ${id}`, ...overrides });

describe('fix_merge_dupes: the primary', () => {
  it('is the record with the latest activity (last touch, else creation)', () => {
    const recs = [
      dupe('a', { lastTouchAtMs: daysAgo(3) }),
      dupe('b', { lastTouchAtMs: null, createdAtMs: minutesAgo(30) }),
      dupe('c', { lastTouchAtMs: minutesAgo(90) }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['a', 'b', 'c']);
    expect(plan.changes).toEqual([
      { recordId: 'c', field: 'stage', old: 'New', new: 'Archived' },
      { recordId: 'a', field: 'stage', old: 'New', new: 'Archived' },
    ]);
  });

  it('on equal activity, the one with more fields filled', () => {
    const recs = [dupe('a', { source: '', region: '' }), dupe('b', { notes: 'kept' }), dupe('c')];
    const plan = planOf('fix_merge_dupes', recs, ['a']);
    expect(plan.changes.filter((c) => c.field === 'stage').map((c) => c.recordId)).toEqual(['c', 'a']);
  });

  it('then the lowest id (numeric ids as numbers)', () => {
    const recs = [dupe('10'), dupe('9'), dupe('x')];
    const plan = planOf('fix_merge_dupes', recs, ['10']);
    expect(plan.changes.map((c) => c.recordId)).toEqual(['10', 'x']);
    expect(['b', 'a', '010', '9', '10', '1a'].sort(compareIds)).toEqual(['9', '010', '10', '1a', 'a', 'b']);
  });
});

describe('fix_merge_dupes: the merge', () => {
  it('appends the others’ non-empty notes to the primary and archives them', () => {
    const recs = [
      dupe('p', { notes: 'Primary notes', lastTouchAtMs: minutesAgo(1) }),
      dupe('q', { notes: 'Met at expo', lastTouchAtMs: minutesAgo(2) }),
      dupe('r', { notes: '', lastTouchAtMs: minutesAgo(3) }),
      dupe('s', { notes: 'Asked for pricing', lastTouchAtMs: minutesAgo(4) }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['q', 'r', 's', 'p']);
    expect(plan.changes).toEqual([
      {
        recordId: 'p',
        field: 'notes',
        old: 'Primary notes',
        new: 'Primary notes\n[merged q] Met at expo\n[merged s] Asked for pricing',
      },
      { recordId: 'q', field: 'stage', old: 'New', new: 'Archived' },
      { recordId: 'r', field: 'stage', old: 'New', new: 'Archived' },
      { recordId: 's', field: 'stage', old: 'New', new: 'Archived' },
    ]);
    expect(plan.recordIds).toEqual(['q', 'p', 'r', 's']);
    expect(plan.blast.records).toBe(4);
    expect(plan.warnings).toEqual([]);
    expect(plan.verify).toEqual({ kind: 'one_active_per_domain' });
  });

  it('an empty primary note gets no leading newline', () => {
    const recs = [
      dupe('p', { lastTouchAtMs: minutesAgo(1) }),
      dupe('q', { notes: 'hello', lastTouchAtMs: minutesAgo(2) }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['q']);
    expect(plan.changes[0]).toEqual({ recordId: 'p', field: 'notes', old: '', new: '[merged q] hello' });
  });

  it('groups domains case-insensitively, ignores archived records and other domains', () => {
    const recs = [
      dupe('a', { domain: 'ACME.com', lastTouchAtMs: minutesAgo(1) }),
      dupe('b', { lastTouchAtMs: minutesAgo(2) }),
      dupe('old', { stage: 'Archived', lastTouchAtMs: minutesAgo(0) }),
      buildRecord({ id: 'other', domain: 'other.com' }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['a', 'b']);
    expect(plan.changes).toEqual([{ recordId: 'b', field: 'stage', old: 'New', new: 'Archived' }]);
  });

  it('two groups in one plan, each merged once', () => {
    const recs = [
      dupe('a1', { lastTouchAtMs: minutesAgo(1) }),
      dupe('a2', { lastTouchAtMs: minutesAgo(2) }),
      dupe('z1', { domain: 'zed.io', lastTouchAtMs: minutesAgo(5) }),
      dupe('z2', { domain: 'zed.io', lastTouchAtMs: minutesAgo(4) }),
    ];
    const plan = planOf('fix_merge_dupes', recs, ['a1', 'a2', 'z1', 'z2']);
    expect(plan.changes.map((c) => c.recordId)).toEqual(['a2', 'z1']);
  });

  it('a record without open duplicates is left alone with a warning', () => {
    const plan = planOf(
      'fix_merge_dupes',
      [dupe('a'), dupe('b', { stage: 'Archived' }), buildRecord({ id: 'n', domain: '' })],
      ['a', 'n'],
    );
    expect(plan.changes).toEqual([]);
    expect(plan.warnings).toEqual(['No open duplicates to merge, so left alone: a, n']);
  });
});

describe('fix_routing: region from peers', () => {
  const target = (overrides: Parameters<typeof buildRecord>[0] = {}) =>
    buildRecord({ id: 't', name: 'Tess', region: '', domain: 'acme.com', company: 'Acme Inc', ...overrides });

  it('takes the region of a record with the same domain first', () => {
    const recs = [
      buildRecord({ id: 'c', domain: 'x.com', company: 'ACME inc', region: 'APAC' }),
      target(),
      buildRecord({ id: 'd0', domain: 'Acme.com', company: 'Other', region: '' }),
      buildRecord({ id: 'd', domain: 'Acme.com', company: 'Other', region: 'EMEA' }),
    ];
    const plan = planOf('fix_routing', recs, ['t']);
    expect(plan.changes).toEqual([{ recordId: 't', field: 'region', old: '', new: 'EMEA' }]);
    expect(plan.recordIds).toEqual(['t', 'd']);
    expect(plan.effects).toEqual([]);
  });

  it('else a record of the same company, case-insensitively', () => {
    const recs = [target(), buildRecord({ id: 'c', domain: 'x.com', company: ' acme INC ', region: 'APAC' })];
    const plan = planOf('fix_routing', recs, ['t']);
    expect(plan.changes).toEqual([{ recordId: 't', field: 'region', old: '', new: 'APAC' }]);
  });

  it('else a review task for the owner, and a warning', () => {
    const recs = [
      target(),
      target({ id: 't2', name: 'Tom', owner: '', domain: '', company: '' }),
      buildRecord({ id: 'n', domain: 'x.com', company: '', region: 'NA' }),
    ];
    const plan = planOf('fix_routing', recs, ['t', 't2']);
    expect(plan.changes).toEqual([]);
    expect(plan.effects).toEqual([
      {
        kind: 'task',
        recordId: 't',
        assignee: 'alice',
        title: 'Review routing for Tess',
        dueAtMs: NOW + DAY_MS,
        priority: 'normal',
      },
      {
        kind: 'task',
        recordId: 't2',
        assignee: 'Unassigned',
        title: 'Review routing for Tom',
        dueAtMs: NOW + DAY_MS,
        priority: 'normal',
      },
    ]);
    expect(plan.warnings).toEqual([
      'No record of the same domain or company has a region for t, t2; review tasks were created',
      '1 task goes to "Unassigned": no owner on t2',
    ]);
    expect(plan.blast).toMatchObject({ records: 2, owners: ['alice'], teams: ['Data_Team', 'RevOps'] });
  });

  it('a record that has a region is left alone', () => {
    const plan = planOf('fix_routing', [target({ region: 'NA' })], ['t']);
    expect(plan.changes).toEqual([]);
    expect(plan.effects).toEqual([]);
  });
});
