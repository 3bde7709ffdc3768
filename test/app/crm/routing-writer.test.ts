import { describe, expect, it } from 'vitest';
import { routingWriter } from '../../../src/app/crm/routing-writer.ts';
import type { CrmWriter } from '../../../src/app/crm/write-ports.ts';
import type { WriteBatch } from '../../../src/domain/fixpacks/writeback.ts';
import { planCrmWrites } from '../../../src/domain/fixpacks/writeback.ts';

/** The routing writer (HubSpot and Salesforce both connected): each record to the CRM it came from. */

function fake(name: string, prefix: string, batchSize: number) {
  const written: WriteBatch[] = [];
  const w: CrmWriter = {
    name,
    label: name.toUpperCase(),
    batchSize,
    owns: (id) => id.startsWith(prefix),
    objectOf: (id) => id.split('-')[1]!,
    unwritable: (_id, field) => (field === 'region' ? `${name} keeps region on the company` : null),
    read: async (fields) => new Map([...fields.keys()].map((id) => [id, { owner: `${name} owner` }])),
    write: async (b) => {
      written.push(b);
      return { refused: [] };
    },
  };
  return { w, written };
}

describe('routingWriter', () => {
  const hs = fake('hubspot', 'hs-', 100);
  const sf = fake('salesforce', 'sf-', 200);
  const r = routingWriter([hs.w, sf.w]);

  it('owns what either CRM owns, names groups by CRM and cuts batches to the smaller limit', () => {
    expect(r.name).toBe('hubspot+salesforce');
    expect(r.batchSize).toBe(100);
    expect(r.owns('hs-deal-1')).toBe(true);
    expect(r.owns('sf-opp-1')).toBe(true);
    expect(r.owns('O-1')).toBe(false);
    expect(r.objectOf('sf-opp-1')).toBe('salesforce:opp');
    expect(r.unwritable('sf-opp-1', 'owner')).toBeNull();
    expect(r.unwritable('sf-opp-1', 'region')).toBe('salesforce keeps region on the company');
    expect(r.unwritable('O-1', 'owner')).toBe('not a CRM record');
  });

  it('sends each batch to its own CRM with its own object name, and reads from each', async () => {
    const plan = {
      changes: [
        { recordId: 'hs-deal-1', field: 'owner', old: '', new: 'A' },
        { recordId: 'sf-opp-1', field: 'owner', old: '', new: 'B' },
        { recordId: 'O-1', field: 'owner', old: '', new: 'C' },
      ],
      effects: [],
    } as never;
    const { batches } = planCrmWrites(plan, r, 0);
    expect(batches.map((b) => b.object)).toEqual(['hubspot:deal', 'salesforce:opp']);
    for (const b of batches) await r.write(b);
    expect(hs.written.map((b) => [b.object, b.items.map((i) => i.recordId)])).toEqual([
      ['deal', ['hs-deal-1']],
    ]);
    expect(sf.written.map((b) => [b.object, b.items.map((i) => i.recordId)])).toEqual([
      ['opp', ['sf-opp-1']],
    ]);
    const got = await r.read(
      new Map([
        ['hs-deal-1', ['owner'] as const],
        ['sf-opp-1', ['owner'] as const],
      ]),
    );
    expect(Object.fromEntries(got)).toEqual({
      'hs-deal-1': { owner: 'hubspot owner' },
      'sf-opp-1': { owner: 'salesforce owner' },
    });
  });
});
