import { describe, expect, it } from 'vitest';
import { CrmObjects, cachedLookups, crmWriter } from '../../../src/adapters/crm/writer-kit.ts';
import { CrmError } from '../../../src/app/crm/ports.ts';
import { DEFAULT_CRM_MAPPING } from '../../../src/domain/crm/mapping.ts';

/** The parts every CRM writer shares (adapters/crm/writer-kit.ts); each vendor's calls are tested on their own. */
const { deals, contacts } = DEFAULT_CRM_MAPPING.hubspot;
const objects = new CrmObjects({ deals, contacts }, (id) => /^\d+$/.test(id));

describe('CrmObjects', () => {
  it('routes a record id by its prefix, only when the rest can be the CRM’s id', () => {
    expect(objects.objectOf(`${deals.idPrefix}42`)).toBe('deals');
    expect(objects.objectOf(`${contacts.idPrefix}7`)).toBe('contacts');
    expect(objects.objectOf(`${deals.idPrefix}x42`)).toBeNull();
    expect(objects.objectOf('D42')).toBeNull();
    expect(objects.crmId(`${deals.idPrefix}42`)).toBe('42');
    expect(objects.recordId('contacts', '7')).toBe(`${contacts.idPrefix}7`);
  });

  it('a mapping without a prefix matches nothing (its ids look like imported ones)', () => {
    const bare = new CrmObjects({ deals: { ...deals, idPrefix: '' } }, () => true);
    expect(bare.objectOf('42')).toBeNull();
  });
});

describe('cachedLookups', () => {
  it('loads once within the time to live, again after it, and again after a failed load', async () => {
    let now = 0;
    let loads = 0;
    let fail = false;
    const lookups = cachedLookups(
      async () => {
        loads++;
        if (fail) throw new Error('down');
        return { atMs: now };
      },
      () => now,
    );
    await lookups();
    await lookups();
    expect(loads).toBe(1);
    now = 5 * 60_000;
    fail = true;
    await expect(lookups()).rejects.toThrow('down');
    fail = false;
    await lookups();
    expect(loads).toBe(3);
  });
});

describe('crmWriter', () => {
  const written: string[] = [];
  const writer = crmWriter({
    name: 'hubspot',
    label: 'HubSpot',
    batchSize: 100,
    reader: {
      objects,
      lookups: async () => ({ atMs: 0 }),
      targetOf: (m, _o, f) => (f === 'owner' ? `${m.idPrefix} owner is read-only here` : { column: f }),
      column: (t) => t.column,
      fetch: async (_o, ids) => new Map(ids.map((id) => [id, { stage: ` S${id} `, owner: 'x' }])),
      funnelValue: (_l, _m, _t, raw) => raw.toLowerCase(),
    },
    write: async (object) => {
      written.push(object);
      return { refused: [] };
    },
  });

  it('owns its records, says why a field cannot be written, and refuses an object it does not have', async () => {
    expect(writer.owns(`${deals.idPrefix}1`)).toBe(true);
    expect(writer.objectOf('D1')).toBe('none');
    expect(writer.unwritable('D1', 'stage')).toBe('not a HubSpot record');
    expect(writer.unwritable(`${deals.idPrefix}1`, 'owner')).toBe(
      `${deals.idPrefix} owner is read-only here`,
    );
    expect(writer.unwritable(`${deals.idPrefix}1`, 'stage')).toBeNull();
    const batch = { op: 'update' as const, batchNo: 1, object: 'companies', items: [] };
    await expect(writer.write(batch)).rejects.toThrow(CrmError);
    await expect(writer.write(batch)).rejects.toThrow("HubSpot cannot write 'companies' records");
    await writer.write({ ...batch, object: 'deals' });
    expect(written).toEqual(['deals']);
  });

  it('reads each record’s planned fields once per object, trimmed and in funnel terms, skipping others', async () => {
    const got = await writer.read(
      new Map([
        [`${deals.idPrefix}1`, ['stage' as const]],
        [`${contacts.idPrefix}2`, ['stage' as const, 'owner' as const]],
        ['D3', ['stage' as const]],
      ]),
    );
    expect(got).toEqual(
      new Map([
        [`${deals.idPrefix}1`, { stage: 's1' }],
        [`${contacts.idPrefix}2`, { stage: 's2' }],
      ]),
    );
  });
});
