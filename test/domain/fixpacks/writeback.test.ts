import { describe, expect, it } from 'vitest';
import type { FieldChange, Plan, SideEffect } from '../../../src/domain/fixpacks/types.ts';
import {
  appendedText,
  planCrmRevert,
  planCrmWrites,
  staleAgainstCrm,
  type WriteTarget,
  writtenUpdates,
} from '../../../src/domain/fixpacks/writeback.ts';

/** Write-back planning (issue 16): batches per op and object within the limit, staleness, the revert. */

const target = (batchSize = 100): WriteTarget => ({
  owns: (id) => id.startsWith('hs-'),
  objectOf: (id) => (id.startsWith('hs-deal-') ? 'deals' : 'contacts'),
  unwritable: (id, field) =>
    field === 'region' ? "region comes from the company's country" : id === '' ? 'x' : null,
  batchSize,
});

const change = (recordId: string, field: FieldChange['field'], old: string, next: string): FieldChange => ({
  recordId,
  field,
  old,
  new: next,
});

function plan(changes: FieldChange[], effects: SideEffect[] = []): Plan {
  return {
    packId: 'p',
    title: 't',
    issues: [],
    recordIds: [...new Set(changes.map((c) => c.recordId))],
    changes,
    effects,
    blast: { records: 0, owners: [], teams: [], issues: 0, dollarsCents: 0 },
    warnings: [],
    verify: { kind: 'field_present', field: 'owner' },
    verifyWindowMs: 0,
  } as Plan;
}

describe('planCrmWrites', () => {
  it('cuts 250 deal updates into batches of 100, and never plans a record the CRM does not own', () => {
    const changes = [
      ...Array.from({ length: 250 }, (_, i) => change(`hs-deal-${i + 1}`, 'owner', '', 'Priya Shah')),
      change('O-1', 'owner', '', 'Priya Shah'),
    ];
    const { batches } = planCrmWrites(plan(changes), target(), 0);
    expect(batches.map((b) => [b.batchNo, b.op, b.object, b.items.length])).toEqual([
      [0, 'update', 'deals', 100],
      [1, 'update', 'deals', 100],
      [2, 'update', 'deals', 50],
    ]);
    expect(JSON.stringify(batches)).not.toContain('O-1');
  });

  it('one update per record with all its fields; notes become notes, tasks tasks; fields the CRM cannot take stay local', () => {
    const p = plan(
      [
        change('hs-deal-1', 'owner', '', 'Priya Shah'),
        change('hs-deal-1', 'next_step', '', 'Call'),
        change('hs-deal-1', 'region', '', 'EMEA'),
        change('hs-contact-2', 'notes', 'Old note', 'Old note\nRouted to VIP'),
      ],
      [
        {
          kind: 'task',
          recordId: 'hs-deal-1',
          assignee: 'Priya Shah',
          title: 'Call',
          dueAtMs: 5,
          priority: 'high',
        },
      ],
    );
    const { batches, localOnly } = planCrmWrites(p, target(), 42);
    expect(batches).toEqual([
      {
        batchNo: 0,
        op: 'update',
        object: 'deals',
        items: [
          {
            recordId: 'hs-deal-1',
            fields: { owner: { old: '', new: 'Priya Shah' }, next_step: { old: '', new: 'Call' } },
          },
        ],
      },
      {
        batchNo: 1,
        op: 'task',
        object: 'deals',
        items: [
          { recordId: 'hs-deal-1', title: 'Call', assignee: 'Priya Shah', dueAtMs: 5, priority: 'high' },
        ],
      },
      {
        batchNo: 2,
        op: 'note',
        object: 'contacts',
        items: [{ recordId: 'hs-contact-2', text: 'Routed to VIP', atMs: 42 }],
      },
    ]);
    expect(localOnly).toEqual([
      { recordId: 'hs-deal-1', field: 'region', reason: "region comes from the company's country" },
    ]);
  });

  it('appendedText is the line appended after the old notes', () => {
    expect(appendedText('', 'First')).toBe('First');
    expect(appendedText('A', 'A\nB')).toBe('B');
    expect(appendedText('A', 'rewritten')).toBe('rewritten');
  });
});

describe('staleAgainstCrm', () => {
  const { batches } = planCrmWrites(
    plan([
      change('hs-deal-1', 'owner', '', 'Priya Shah'),
      change('hs-deal-2', 'owner', 'Marco Rossi', 'Priya Shah'),
    ]),
    target(),
    0,
  );
  it("nothing when the CRM still holds the plan's before values (whitespace aside)", () => {
    expect(
      staleAgainstCrm(
        batches,
        new Map([
          ['hs-deal-1', { owner: '' }],
          ['hs-deal-2', { owner: 'Marco Rossi ' }],
        ]),
      ),
    ).toEqual([]);
  });
  it('names each field changed in the CRM, and each record gone from it', () => {
    expect(staleAgainstCrm(batches, new Map([['hs-deal-1', { owner: 'Dana' }]]))).toEqual([
      { recordId: 'hs-deal-1', field: 'owner', expected: '', found: 'Dana' },
      { recordId: 'hs-deal-2', field: null, expected: '', found: null },
    ]);
  });
});

describe('planCrmRevert', () => {
  const applied = [
    {
      op: 'update' as const,
      status: 'partial',
      items: [
        { recordId: 'hs-deal-1', fields: { owner: { old: '', new: 'Priya Shah' } } },
        { recordId: 'hs-deal-2', fields: { owner: { old: 'Old', new: 'Marco Rossi' } } },
        { recordId: 'hs-deal-3', fields: { owner: { old: '', new: 'Priya Shah' } } },
      ],
      refused: [{ recordId: 'hs-deal-3', reason: 'VALIDATION_ERROR: no' }],
    },
    {
      op: 'update' as const,
      status: 'failed',
      items: [{ recordId: 'hs-deal-9', fields: { owner: { old: '', new: 'X' } } }],
      refused: [],
    },
  ];
  it('reverts what the CRM still holds from the fix, skips (and names) what changed since, ignores what was refused', () => {
    const written = writtenUpdates(applied);
    expect(written.map((i) => i.recordId)).toEqual(['hs-deal-1', 'hs-deal-2']);
    const r = planCrmRevert(
      written,
      new Map([
        ['hs-deal-1', { owner: 'Priya Shah' }],
        ['hs-deal-2', { owner: 'Dana' }],
      ]),
      target(),
    );
    expect(r.batches).toEqual([
      {
        batchNo: 0,
        op: 'update',
        object: 'deals',
        items: [{ recordId: 'hs-deal-1', fields: { owner: { old: 'Priya Shah', new: '' } } }],
      },
    ]);
    expect(r.skipped).toEqual([
      { recordId: 'hs-deal-2', field: 'owner', expected: 'Marco Rossi', found: 'Dana' },
    ]);
  });
});
