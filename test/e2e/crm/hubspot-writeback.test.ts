import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixPreview } from '../../../src/adapters/slack/blocks/fix-preview.ts';
import type { FieldChange } from '../../../src/domain/fixpacks/types.ts';
import { type CliTarget, openCliTarget, runLeak } from '../../support/cli.ts';
import { backends } from '../../support/db.ts';
import { type FakeHubspot, startFakeHubspot } from '../../support/fake-hubspot.ts';
import { DAY, seedAccount } from './seed.ts';
import { openWritebackWorld, type WritebackWorld } from './writeback-world.ts';

/**
 * Write-back of approved fixes to HubSpot (issue 16) end to end: the real use cases, the outbox and the
 * HubSpot connector over HTTP against the fake HubSpot (test/support/fake-hubspot.ts), on each backend.
 * The seeded account has 15 deals and 9 (mappable) contacts without an owner; a CSV import adds one more unowned
 * record that did not come from HubSpot. The bulk "assign owners" fix is previewed and approved.
 */

const OWNER_IDS: Record<string, string> = { 'Priya Shah': '101', 'Marco Rossi': '102' };
const UPDATE = (o: 'deals' | 'contacts') => `/crm/v3/objects/${o}/batch/update`;
const CSV = [
  'id,type,name,email,domain,company,source,region,owner,stage,created_at,last_touch_at,next_step,value_usd,notes',
  'O-9001,opp,Local Deal,,local.example,Local Co,import,NA,,Qualified,2026-11-01T10:00:00Z,,Call back,5000,',
].join('\n');

const owned = (changes: readonly FieldChange[], prefix: string) =>
  changes.filter((c) => c.recordId.startsWith(prefix) && c.field === 'owner');
const hsIdOf = (recordId: string) => recordId.replace(/^hs-(deal|contact)-/, '');

describe.each(backends)('write-back to HubSpot on $name', ({ name }) => {
  let fake: FakeHubspot;
  let target: CliTarget;
  let w: WritebackWorld;
  let partialRunId = '';

  beforeAll(async () => {
    fake = await startFakeHubspot();
    seedAccount(fake);
    target = await openCliTarget(name, 'leak-crm-writeback');
    const env = {
      ...target.env,
      HUBSPOT_TOKEN: fake.token,
      HUBSPOT_API_URL: fake.baseUrl,
      FIX_OWNER_POOL: 'Priya Shah, Marco Rossi',
      FIX_FOUR_EYES_RECORDS: '1000',
    };
    const csv = join(mkdtempSync(join(tmpdir(), 'leak-wb-')), 'local.csv');
    writeFileSync(csv, `${CSV}\n`);
    expect((await runLeak(['import', csv], env)).code).toBe(0);
    w = await openWritebackWorld(env);
    await w.sync();
    await w.scan();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
    await fake?.close();
    await target?.dispose();
  });

  it('a change made in HubSpot since the preview makes the plan stale, and nothing is written', async () => {
    const run = await w.preview('UNASSIGNED_OWNER');
    expect(owned(run.plan.changes, 'hs-deal-').length).toBe(15);
    fake.upsert('deals', '10', { hubspot_owner_id: '101' });
    const before = fake.requests.length;
    const out = await w.approve(run.id);
    expect(out.outcome).toBe('stale');
    expect(out.run.reason).toBe(
      'the plan is stale, preview again (changed in HubSpot since the preview: hs-deal-10.owner)',
    );
    await w.drain();
    const since = fake.requests.slice(before);
    // Re-read (one batch read per object, with the owners and stages to name their values), never written.
    expect(
      since
        .filter((r) => r.path.endsWith('/batch/read'))
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/crm/v3/objects/contacts/batch/read', '/crm/v3/objects/deals/batch/read']);
    expect(since.some((r) => r.path.includes('batch/update'))).toBe(false);
    expect((await w.run(run.id)).crm).toEqual([]);
  });

  it('an approved fix is written back in one batch call per object; a record not from HubSpot never is', async () => {
    await w.sync(); // deal 10 now has its owner here too
    await w.scan();
    const run = await w.preview('UNASSIGNED_OWNER');
    const deals = owned(run.plan.changes, 'hs-deal-');
    const contacts = owned(run.plan.changes, 'hs-contact-');
    expect(deals.length).toBe(14);
    expect(contacts.length).toBe(9); // contact 13 cannot be mapped, so it was never synced
    expect(run.plan.changes.some((c) => c.recordId === 'O-9001')).toBe(true);
    const out = await w.approve(run.id);
    expect(out.outcome).toBe('applied');
    await w.drain();

    expect(fake.calls('POST', UPDATE('deals'))).toHaveLength(1);
    expect(fake.calls('POST', UPDATE('contacts'))).toHaveLength(1);
    for (const c of [...deals, ...contacts]) {
      const object = c.recordId.startsWith('hs-deal-') ? 'deals' : 'contacts';
      expect(fake.objects[object].get(hsIdOf(c.recordId))?.properties['hubspot_owner_id']).toBe(
        OWNER_IDS[c.new],
      );
    }
    const sent = JSON.stringify(fake.requests.map((r) => r.body));
    expect(sent).not.toContain('9001');
    const done = await w.run(run.id);
    expect(done.state).toBe('applied');
    expect(done.crm?.map((b) => [b.op, b.count, b.status])).toEqual([
      ['update', 9, 'written'],
      ['update', 14, 'written'],
    ]);
    expect(
      renderFixPreview(done)
        .blocks.map((b) => JSON.stringify(b))
        .join(''),
    ).toContain('Written to HubSpot: 23 writes in 2 batches');
  });

  it('tasks and notes are created in HubSpot associated with their records, 100 per call at most', async () => {
    const run = await w.previewPack('NO_NEXT_STEP', {
      version: 1,
      id: 'wb_follow_up',
      title: 'Follow up',
      steps: [
        { type: 'create_task', title: 'Set a next step for {name}', due_in_minutes: 60, priority: 'high' },
        { type: 'append_notes', text: 'No next step: follow-up task created' },
      ],
      verify: { kind: 'field_present', field: 'next_step' },
    });
    const tasks = run.plan.effects.filter((e) => e.kind === 'task');
    const onDeals = tasks.filter((t) => t.recordId.startsWith('hs-deal-'));
    expect(onDeals.length).toBeGreaterThan(0);
    expect((await w.approve(run.id)).outcome).toBe('applied');
    await w.drain();

    const created = fake.created.tasks;
    expect(created).toHaveLength(tasks.filter((t) => t.recordId.startsWith('hs-')).length);
    const byRecord = new Map(created.map((t) => [t.associations[0]!.id, t]));
    const first = onDeals[0]!;
    expect(byRecord.get(hsIdOf(first.recordId))).toMatchObject({
      properties: { hs_task_subject: first.title, hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH' },
      associations: [{ id: hsIdOf(first.recordId), typeId: 216 }],
    });
    expect(fake.created.notes.length).toBe(run.plan.changes.filter((c) => c.field === 'notes').length);
    expect(
      fake.created.notes.every(
        (n) => n.properties['hs_note_body'] === 'No next step: follow-up task created',
      ),
    ).toBe(true);
    expect(fake.calls('POST', '/crm/v3/objects/tasks/batch/create').length).toBe(
      Math.ceil(onDeals.length / 100) + Math.ceil((tasks.length - onDeals.length) / 100),
    );
    expect((await w.run(run.id)).crm?.every((b) => b.status === 'written')).toBe(true);
  });

  it('records HubSpot refuses (207) are shown one by one, and the fix is partly applied with a rollback offered', async () => {
    for (let i = 201; i <= 206; i++)
      fake.upsert(
        'deals',
        String(i),
        {
          dealname: `Deal ${i}`,
          createdate: new Date(Date.now() - 30 * DAY).toISOString(),
          dealstage: 'qualifiedtobuy',
          amount: '5000',
          hubspot_owner_id: null,
        },
        { companyId: '500' },
      );
    await w.sync();
    await w.scan();
    fake.refuse(['202', '205'], 'Property values were not valid: hubspot_owner_id');
    const run = await w.preview('UNASSIGNED_OWNER');
    expect(owned(run.plan.changes, 'hs-deal-').map((c) => c.recordId)).toEqual(
      ['201', '202', '203', '204', '205', '206'].map((id) => `hs-deal-${id}`),
    );
    expect((await w.approve(run.id)).outcome).toBe('applied');
    await w.drain();
    partialRunId = run.id;

    const answer = fake.calls('POST', UPDATE('deals')).at(-1)!;
    expect(answer.status).toBe(207);
    const done = await w.run(run.id);
    expect(done.crm).toMatchObject([
      {
        status: 'partial',
        refused: [
          {
            recordId: 'hs-deal-202',
            reason: 'VALIDATION_ERROR: Property values were not valid: hubspot_owner_id',
          },
          {
            recordId: 'hs-deal-205',
            reason: 'VALIDATION_ERROR: Property values were not valid: hubspot_owner_id',
          },
        ],
      },
    ]);
    expect(fake.objects.deals.get('201')?.properties['hubspot_owner_id']).toMatch(/^10[12]$/);
    expect(fake.objects.deals.get('202')?.properties['hubspot_owner_id']).toBeNull();
    const rendered = renderFixPreview(done);
    const text = rendered.blocks.map((b) => JSON.stringify(b)).join('');
    expect(rendered.text).toMatch(/^:wrench: Fix partly applied: /);
    expect(text).toContain('Partly applied in HubSpot: 2 writes not made');
    expect(text).toContain('hs-deal-202');
    expect(text).toContain('hs-deal-205');
    expect(text).toContain('"text":"Roll back"');
    // The Slack message the outbox posted shows the same.
    const posted = w.chat.messages.filter((m) => m.message.kind === 'fix_preview');
    expect(posted.length).toBeGreaterThan(0);
  });

  it('rollback writes the old values back to HubSpot, leaving alone (and naming) fields changed there since', async () => {
    const run = await w.run(partialRunId);
    const deal203 = run.plan.changes.find((c) => c.recordId === 'hs-deal-203')!;
    const other = deal203.new === 'Priya Shah' ? '102' : '101';
    fake.upsert('deals', '203', { hubspot_owner_id: other });
    const before = fake.calls('POST', UPDATE('deals')).length;

    expect((await w.rollBack(partialRunId)).outcome).toBe('rolled_back');
    await w.drain();

    const revert = fake.calls('POST', UPDATE('deals')).slice(before);
    expect(revert).toHaveLength(1);
    const inputs = (revert[0]!.body as { inputs: { id: string; properties: Record<string, string> }[] })
      .inputs;
    expect(inputs.map((i) => i.id).sort()).toEqual(['201', '204', '206']);
    expect(inputs.every((i) => i.properties['hubspot_owner_id'] === '')).toBe(true);
    expect(fake.objects.deals.get('203')?.properties['hubspot_owner_id']).toBe(other);
    const done = await w.run(partialRunId);
    expect(done.state).toBe('rolled_back');
    const revertBatches = done.crm!.filter((b) => b.purpose === 'revert');
    expect(revertBatches).toMatchObject([{ status: 'written', count: 3 }]);
    expect(revertBatches[0]!.skipped).toMatchObject([{ recordId: 'hs-deal-203', field: 'owner' }]);
    const text = renderFixPreview(done)
      .blocks.map((b) => JSON.stringify(b))
      .join('');
    expect(text).toContain('Rolled back in HubSpot: 3 records restored');
    expect(text).toContain('Left alone in HubSpot, changed there since: `hs-deal-203.owner`');
  });
});

describe.each(backends)('without HUBSPOT_TOKEN on $name', ({ name }) => {
  let target: CliTarget;
  let w: WritebackWorld;
  beforeAll(async () => {
    target = await openCliTarget(name, 'leak-crm-nowrite');
    const env = { ...target.env, FIX_OWNER_POOL: 'Priya Shah', FIX_FOUR_EYES_RECORDS: '1000' };
    const csv = join(mkdtempSync(join(tmpdir(), 'leak-wb-')), 'local.csv');
    // A record with an hs- id imported from a CSV: with no CRM configured, it is only ever changed here.
    writeFileSync(csv, `${CSV.replace('O-9001', 'hs-deal-1')}\n`);
    expect((await runLeak(['import', csv], env)).code).toBe(0);
    w = await openWritebackWorld(env);
    await w.scan();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
    await target?.dispose();
  });

  it('fixes apply to the local copy as before, with no write-back batch', async () => {
    const run = await w.preview('UNASSIGNED_OWNER');
    expect((await w.approve(run.id)).outcome).toBe('applied');
    await w.drain();
    const done = await w.run(run.id);
    expect(done.crm).toEqual([]);
    const [r] = await w.services.db.query<{ owner: string }>(
      "SELECT owner FROM records WHERE id = 'hs-deal-1'",
    );
    expect(r?.owner).toBe('Priya Shah');
  });
});
