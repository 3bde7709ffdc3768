import { describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/app/crm/ports.ts';
import type { CrmWriter } from '../../../src/app/crm/write-ports.ts';
import { crmDrift, crmWarnings, driftReason } from '../../../src/app/fixes/crm-writeback.ts';
import type { FixRun } from '../../../src/domain/fixpacks/run.ts';
import type { FieldChange, Plan } from '../../../src/domain/fixpacks/types.ts';

/** The write-back steps the fix use cases take before writing: the preview's warnings and the re-read. */

function writer(read: CrmWriter['read']): CrmWriter {
  return {
    name: 'hubspot',
    label: 'HubSpot',
    batchSize: 100,
    owns: (id) => id.startsWith('hs-'),
    objectOf: (id) => (id.startsWith('hs-deal-') ? 'deals' : 'contacts'),
    unwritable: (id, f) =>
      id.startsWith('hs-contact-') && f === 'next_step' ? 'HubSpot computes notes_next_activity_date' : null,
    read,
    write: async () => ({ refused: [] }),
  };
}

const change = (recordId: string, field: FieldChange['field'], old: string, next: string): FieldChange => ({
  recordId,
  field,
  old,
  new: next,
});
const planOf = (changes: FieldChange[]) => ({ changes, effects: [] }) as unknown as Plan;
const runOf = (changes: FieldChange[]) => ({ id: '1', plan: planOf(changes) }) as unknown as FixRun;

describe('write-back before writing', () => {
  it('the preview names the changes that stay local, grouped by reason', () => {
    const w = writer(async () => new Map());
    const plan = planOf([
      change('hs-contact-5', 'next_step', '', 'Call'),
      change('hs-contact-6', 'next_step', '', 'Call'),
      change('hs-deal-1', 'owner', '', 'Priya Shah'),
      change('L-1', 'next_step', '', 'Call'),
    ]);
    expect(crmWarnings(w, plan, 0)).toEqual([
      'Not written to HubSpot (HubSpot computes notes_next_activity_date): hs-contact-5.next_step, hs-contact-6.next_step; changed here only',
    ]);
  });

  it('re-reads only the fields the plan writes, and names those changed in the CRM', async () => {
    const asked: unknown[] = [];
    const w = writer(async (fields) => {
      asked.push(Object.fromEntries(fields));
      return new Map([['hs-deal-1', { owner: 'Dana' }]]);
    });
    const drift = await crmDrift(
      w,
      runOf([change('hs-deal-1', 'owner', '', 'Priya Shah'), change('O-1', 'owner', '', 'X')]),
      0,
    );
    expect(asked).toEqual([{ 'hs-deal-1': ['owner'] }]);
    expect(driftReason('HubSpot', drift)).toBe('changed in HubSpot since the preview: hs-deal-1.owner');
  });

  it('a plan that writes nothing to the CRM makes no call', async () => {
    const w = writer(async () => {
      throw new Error('no call expected');
    });
    expect(await crmDrift(w, runOf([change('O-1', 'owner', '', 'X')]), 0)).toEqual([]);
  });

  it('a CRM that cannot be read stops the approval with nothing changed, in words', async () => {
    const w = writer(async () => {
      throw new CrmError(
        'unavailable',
        'HubSpot did not answer POST /crm/v3/objects/deals/batch/read: timeout',
      );
    });
    await expect(
      crmDrift(w, runOf([change('hs-deal-1', 'owner', '', 'Priya Shah')]), 0),
    ).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message:
        'could not re-read the records from HubSpot before writing (HubSpot did not answer POST /crm/v3/objects/deals/batch/read: timeout); nothing was changed, try again',
    });
  });
});
