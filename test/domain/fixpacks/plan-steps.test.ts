import { describe, expect, it } from 'vitest';
import { planFix } from '../../../src/domain/fixpacks/plan.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { buildRecord, NOW } from '../build.ts';
import { addressed, customPack, env, planOf } from './support.ts';

describe('other steps and placeholders', () => {
  it('append_notes, archive_record, notify to a channel, a named task assignee, an owner email', () => {
    const pack = customPack([
      { type: 'append_notes', text: 'Checked {id} at {value}' },
      { type: 'archive_record' },
      { type: 'notify', to: 'C42', text: '{name} archived ({stage})' },
      {
        type: 'create_task',
        assignee: 'ops',
        title: 'Audit {company}',
        due_in_minutes: 5,
        priority: 'normal',
      },
      { type: 'draft_email', to: 'owner', subject: 'FYI {default_next_step}', body: '{unknown} stays' },
    ]);
    const recs = [
      buildRecord({ id: 'a', notes: '' }),
      buildRecord({ id: 'b', notes: 'old', valueCents: 12_345_67 }),
    ];
    const plan = planOf(pack, recs, ['a', 'b']);
    expect(plan.changes).toEqual([
      { recordId: 'a', field: 'stage', old: 'New', new: 'Archived' },
      { recordId: 'a', field: 'notes', old: '', new: 'Checked a at $10,000' },
      { recordId: 'b', field: 'stage', old: 'New', new: 'Archived' },
      { recordId: 'b', field: 'notes', old: 'old', new: 'old\nChecked b at $12,346' },
    ]);
    expect(plan.effects.filter((e) => e.recordId === 'a')).toEqual([
      {
        kind: 'notify',
        recordId: 'a',
        channel: 'C42',
        slackUser: null,
        owner: 'alice',
        text: 'Contact a archived (Archived)',
      },
      {
        kind: 'task',
        recordId: 'a',
        assignee: 'ops',
        title: 'Audit Example Co',
        dueAtMs: NOW + 5 * MINUTE_MS,
        priority: 'normal',
      },
      {
        kind: 'email_draft',
        recordId: 'a',
        to: 'owner',
        toLabel: 'alice',
        subject: 'FYI {default_next_step}',
        body: '{unknown} stays',
      },
    ]);
  });

  it('record values are inserted as written, never expanded', () => {
    const pack = customPack([
      {
        type: 'set_field',
        field: 'next_step',
        value: 'Call {name} re {default_next_step}',
        only_if_empty: false,
      },
    ]);
    const plan = planOf(pack, [buildRecord({ id: 'x', name: '{owner}' })], ['x']);
    expect(plan.changes[0]!.new).toBe('Call {owner} re Discovery Call');
  });

  it('a target missing from the records is skipped with a warning', () => {
    const plan = planOf('fix_assign_owner', [], ['gone']);
    expect(plan.changes).toEqual([]);
    expect(plan.warnings).toEqual(['Not among the records loaded for this plan, so left alone: gone']);
  });
});

describe('blast radius and determinism', () => {
  const recs = [
    buildRecord({ id: 'a', owner: '', region: 'NA' }),
    buildRecord({ id: 'b', owner: 'zoe' }),
    buildRecord({ id: 'c', owner: '' }),
  ];
  const input = {
    pack: customPack([{ type: 'assign_owner', strategy: 'round_robin', only_if_empty: true }]),
    issues: [
      addressed('a', 'UNASSIGNED_OWNER', 500),
      addressed('b', 'ROUTING_MISMATCH', 0),
      addressed('a', 'DUPLICATE_SUSPECT', 250),
    ],
    records: recs,
  };

  it('counts records changed, owners before and after, teams, issues and dollars', () => {
    const plan = planFix(input, env());
    expect(plan.changes.map((c) => c.recordId)).toEqual(['a']);
    expect(plan.recordIds).toEqual(['a', 'b']);
    expect(plan.blast).toEqual({
      records: 1,
      owners: ['amy'],
      teams: ['Data_Team', 'RevOps', 'Sales_Mgmt'],
      issues: 3,
      dollarsCents: 750,
    });
  });

  it('is deterministic and leaves its input untouched', () => {
    const before = structuredClone(recs);
    expect(planFix(input, env())).toEqual(planFix(input, env()));
    expect(recs).toEqual(before);
  });
});
