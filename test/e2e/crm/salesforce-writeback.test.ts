import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixPreview } from '../../../src/adapters/slack/blocks/fix-preview.ts';
import type { FieldChange } from '../../../src/domain/fixpacks/types.ts';
import { type CliTarget, openCliTarget } from '../../support/cli.ts';
import { backends } from '../../support/db.ts';
import { type FakeHubspot, startFakeHubspot } from '../../support/fake-hubspot.ts';
import { type FakeSalesforce, sfId, startFakeSalesforce } from '../../support/fake-salesforce.ts';
import { ACME, DAY, GONE, MARCO, PRIYA, seedOrg } from './salesforce-seed.ts';
import { seedAccount } from './seed.ts';
import { openWritebackWorld, type WritebackWorld } from './writeback-world.ts';

/**
 * Write-back of approved fixes to Salesforce (issue 16) end to end: the real use cases, the outbox and the
 * Salesforce writer over HTTP against the fake org (test/support/fake-salesforce.ts), on each backend. The
 * seeded org (salesforce-seed.ts) has 6 opportunities owned by a deactivated user and 9 mappable leads in a
 * queue; 200 more unowned opportunities make the bulk owner fix need two sObject Collections calls.
 */

const V = '/services/data/v62.0';
const COLLECTIONS = `${V}/composite/sobjects`;
const USER_IDS: Record<string, string> = { 'Priya Shah': PRIYA, 'Marco Rossi': MARCO };
const EXTRA = 200;

const sfEnv = (fake: FakeSalesforce) => ({
  SALESFORCE_LOGIN_URL: fake.baseUrl,
  SALESFORCE_CLIENT_ID: fake.clientId,
  SALESFORCE_USERNAME: fake.username,
  SALESFORCE_JWT_KEY_FILE: fake.keyFile,
});
const owned = (changes: readonly FieldChange[], prefix: string) =>
  changes.filter((c) => c.recordId.startsWith(prefix) && c.field === 'owner');
const idOf = (recordId: string) => recordId.replace(/^sf-(opp|lead)-/, '');
const patches = (fake: FakeSalesforce) =>
  fake.requests.filter((r) => r.method === 'PATCH' && r.path === COLLECTIONS);
type Sent = { records: Array<Record<string, unknown> & { attributes: { type: string } }> };
const textOf = (run: Parameters<typeof renderFixPreview>[0]) =>
  renderFixPreview(run)
    .blocks.map((b) => JSON.stringify(b))
    .join('');

describe.each(backends)('write-back to Salesforce on $name', ({ name }) => {
  let fake: FakeSalesforce;
  let target: CliTarget;
  let w: WritebackWorld;
  let partialRunId = '';

  beforeAll(async () => {
    fake = await startFakeSalesforce();
    seedOrg(fake);
    const at = { modifiedMs: Date.now() - DAY };
    for (let i = 1; i <= EXTRA; i++)
      fake.upsert(
        'Opportunity',
        sfId('Opportunity', 1000 + i),
        {
          Name: `Bulk Opp ${i}`,
          CreatedDate: new Date(Date.now() - 30 * DAY).toISOString(),
          StageName: 'Prospecting',
          IsClosed: false,
          IsWon: false,
          OwnerId: GONE,
          Amount: 2000,
          AccountId: ACME,
          LeadSource: 'Web',
          NextStep: 'Follow up',
          LastActivityDate: new Date(Date.now() - 10 * DAY).toISOString().slice(0, 10),
        },
        at,
      );
    target = await openCliTarget(name, 'leak-crm-sf-writeback');
    w = await openWritebackWorld({
      ...target.env,
      ...sfEnv(fake),
      FIX_OWNER_POOL: 'Priya Shah, Marco Rossi',
      FIX_FOUR_EYES_RECORDS: '1000',
    });
    await w.sync();
    await w.scan();
  }, 180_000);
  afterAll(async () => {
    await w?.close();
    await fake?.close();
    await target?.dispose();
  });

  it('a change made in Salesforce since the preview makes the plan stale, and nothing is written', async () => {
    const run = await w.preview('UNASSIGNED_OWNER');
    expect(owned(run.plan.changes, 'sf-opp-').length).toBe(6 + EXTRA);
    const opp10 = sfId('Opportunity', 10);
    fake.upsert('Opportunity', opp10, { OwnerId: PRIYA });
    const before = fake.requests.length;
    const out = await w.approve(run.id);
    expect(out.outcome).toBe('stale');
    expect(out.run.reason).toBe(
      `the plan is stale, preview again (changed in Salesforce since the preview: sf-opp-${opp10}.owner)`,
    );
    await w.drain();
    const since = fake.requests.slice(before);
    // Re-read by SOQL `Id IN (…)` (200 ids a query), never written.
    expect(
      since
        .filter((r) => r.soql?.includes('WHERE Id IN ('))
        .map((r) => r.soql!.split(' WHERE')[0])
        .sort(),
    ).toEqual([
      'SELECT Id, OwnerId FROM Lead',
      'SELECT Id, OwnerId FROM Opportunity',
      'SELECT Id, OwnerId FROM Opportunity',
    ]);
    expect(since.some((r) => r.path === COLLECTIONS)).toBe(false);
    expect((await w.run(run.id)).crm).toEqual([]);
  });

  it('a bulk owner fix is written back in sObject Collections calls of at most 200 records: 3 calls for 214 records', async () => {
    await w.sync(); // opportunity 10 now has its owner here too
    await w.scan();
    const run = await w.preview('UNASSIGNED_OWNER');
    const opps = owned(run.plan.changes, 'sf-opp-');
    const leads = owned(run.plan.changes, 'sf-lead-');
    expect(opps.length).toBe(5 + EXTRA);
    expect(leads.length).toBe(9); // lead 13 cannot be mapped, so it was never synced
    const before = fake.requests.length;
    expect((await w.approve(run.id)).outcome).toBe('applied');
    await w.drain();

    const calls = patches(fake);
    expect(calls.map((c) => (c.body as Sent).records.length)).toEqual([9, 200, 5]);
    expect(calls.every((c) => (c.body as { allOrNone: boolean }).allOrNone === false)).toBe(true);
    for (const c of [...opps, ...leads]) {
      const object = c.recordId.startsWith('sf-opp-') ? 'Opportunity' : 'Lead';
      expect(fake.objects[object].get(idOf(c.recordId))?.['OwnerId']).toBe(USER_IDS[c.new]);
    }
    // The writes of the approval and its delivery: three sObject Collections calls (9 leads, 200 + 5
    // opportunities), besides the re-read (1 lead and 2 opportunity `Id IN` queries).
    const since = fake.requests.slice(before).filter((r) => r.status < 300);
    expect(since.filter((r) => r.path === COLLECTIONS)).toHaveLength(3);
    const done = await w.run(run.id);
    expect(done.state).toBe('applied');
    expect(done.crm?.map((b) => [b.op, b.count, b.status])).toEqual([
      ['update', 9, 'written'],
      ['update', 200, 'written'],
      ['update', 5, 'written'],
    ]);
    expect(textOf(done)).toContain('Written to Salesforce: 214 writes in 3 batches');
  });

  it('records Salesforce refuses are shown one by one; tasks and notes are created on their records', async () => {
    const refusedOpps = [sfId('Opportunity', 6), sfId('Opportunity', 12)];
    fake.refuse(refusedOpps, 'Next step is locked by a validation rule');
    const run = await w.previewPack('NO_NEXT_STEP', {
      version: 1,
      id: 'wb_sf_next_step',
      title: 'Set a next step',
      steps: [
        { type: 'set_field', field: 'next_step', value: 'Book a discovery call' },
        { type: 'create_task', title: 'Set a next step for {name}', due_in_minutes: 60, priority: 'high' },
        { type: 'append_notes', text: 'No next step: follow-up task created' },
      ],
      verify: { kind: 'field_present', field: 'next_step' },
    });
    const sets = run.plan.changes.filter((c) => c.field === 'next_step' && c.recordId.startsWith('sf-opp-'));
    expect(sets.map((c) => c.recordId)).toEqual(
      expect.arrayContaining(refusedOpps.map((id) => `sf-opp-${id}`)),
    );
    expect((await w.approve(run.id)).outcome).toBe('applied');
    await w.drain();
    partialRunId = run.id;

    const done = await w.run(run.id);
    const updates = done.crm!.filter((b) => b.op === 'update');
    expect(updates.map((b) => b.status)).toEqual(['partial']);
    expect([...updates[0]!.refused].sort((a, b) => a.recordId.localeCompare(b.recordId))).toEqual(
      refusedOpps.map((id) => ({
        recordId: `sf-opp-${id}`,
        reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Next step is locked by a validation rule',
      })),
    );
    expect(fake.objects.Opportunity.get(refusedOpps[0]!)?.['NextStep']).toBeNull();
    const written = sets.find((c) => !refusedOpps.includes(idOf(c.recordId)))!;
    expect(fake.objects.Opportunity.get(idOf(written.recordId))?.['NextStep']).toBe('Book a discovery call');
    const text = textOf(done);
    expect(renderFixPreview(done).text).toMatch(/^:wrench: Fix partly applied: /);
    expect(text).toContain(`sf-opp-${refusedOpps[0]}`);
    expect(text).toContain('"text":"Roll back"');

    // Tasks: WhatId on opportunities, WhoId on leads; notes: a ContentNote each, linked to its record.
    const tasks = run.plan.effects.filter((e) => e.kind === 'task' && e.recordId.startsWith('sf-'));
    expect(tasks.length).toBeGreaterThan(0);
    const onLeads = tasks.filter((t) => t.recordId.startsWith('sf-lead-')).length;
    expect(fake.created.Task.filter((t) => t['WhoId'] !== undefined)).toHaveLength(onLeads);
    expect(fake.created.Task.length).toBe(tasks.length - 2); // the two refused opportunities
    expect(fake.created.Task[0]).toMatchObject({ Status: 'Not Started', Priority: 'High' });
    const notes = run.plan.changes.filter((c) => c.field === 'notes' && c.recordId.startsWith('sf-'));
    expect(fake.created.ContentNote).toHaveLength(notes.length);
    expect(fake.created.ContentDocumentLink.map((l) => l['LinkedEntityId']).sort()).toEqual(
      notes
        .map((n) => idOf(n.recordId))
        .filter((id) => !refusedOpps.includes(id))
        .sort(),
    );
  });

  it('rollback writes the old values back to Salesforce, leaving alone (and naming) fields changed there since', async () => {
    const run = await w.run(partialRunId);
    const sets = run.plan.changes.filter((c) => c.field === 'next_step' && c.recordId.startsWith('sf-opp-'));
    const written = sets.filter(
      (c) => ![6, 12].some((n) => c.recordId === `sf-opp-${sfId('Opportunity', n)}`),
    );
    const changed = written[0]!;
    fake.upsert('Opportunity', idOf(changed.recordId), { NextStep: 'Changed in Salesforce' });
    const before = patches(fake).length;

    expect((await w.rollBack(partialRunId)).outcome).toBe('rolled_back');
    await w.drain();

    const revert = patches(fake).slice(before);
    expect(revert).toHaveLength(1);
    const records = (revert[0]!.body as Sent).records;
    expect(records.map((r) => r['id']).sort()).toEqual(
      written
        .slice(1)
        .map((c) => idOf(c.recordId))
        .sort(),
    );
    expect(records.every((r) => r['NextStep'] === null)).toBe(true);
    expect(fake.objects.Opportunity.get(idOf(changed.recordId))?.['NextStep']).toBe('Changed in Salesforce');
    const done = await w.run(partialRunId);
    expect(done.state).toBe('rolled_back');
    const reverts = done.crm!.filter((b) => b.purpose === 'revert');
    expect(reverts).toMatchObject([{ status: 'written', count: written.length - 1 }]);
    expect(textOf(done)).toContain(
      `Left alone in Salesforce, changed there since: \`${changed.recordId}.next_step\``,
    );
  });
});

describe.each(backends)('write-back with HubSpot and Salesforce both connected on $name', ({ name }) => {
  let sf: FakeSalesforce;
  let hs: FakeHubspot;
  let target: CliTarget;
  let w: WritebackWorld;

  beforeAll(async () => {
    sf = await startFakeSalesforce();
    seedOrg(sf);
    hs = await startFakeHubspot();
    seedAccount(hs);
    target = await openCliTarget(name, 'leak-crm-both-writeback');
    w = await openWritebackWorld({
      ...target.env,
      ...sfEnv(sf),
      HUBSPOT_TOKEN: hs.token,
      HUBSPOT_API_URL: hs.baseUrl,
      FIX_OWNER_POOL: 'Priya Shah, Marco Rossi',
      FIX_FOUR_EYES_RECORDS: '1000',
    });
    for (const connector of ['hubspot', 'salesforce'])
      await w.uc.crm!.sync(w.ctx, { full: false, connector });
    await w.scan();
  }, 180_000);
  afterAll(async () => {
    await w?.close();
    await sf?.close();
    await hs?.close();
    await target?.dispose();
  });

  it('one fix touching hs- and sf- records writes each record to its own CRM', async () => {
    const run = await w.preview('UNASSIGNED_OWNER');
    const toHs = owned(run.plan.changes, 'hs-');
    const toSf = owned(run.plan.changes, 'sf-');
    expect(toHs.length).toBeGreaterThan(0);
    expect(toSf.length).toBe(6 + 9);
    expect((await w.approve(run.id)).outcome).toBe('applied');
    await w.drain();

    const sfSent = patches(sf).flatMap((c) => (c.body as Sent).records.map((r) => String(r['id'])));
    expect(sfSent.sort()).toEqual(toSf.map((c) => idOf(c.recordId)).sort());
    const hsSent = hs.requests
      .filter((r) => r.path.endsWith('/batch/update'))
      .flatMap((r) => (r.body as { inputs: { id: string }[] }).inputs.map((i) => i.id));
    expect(hsSent.sort()).toEqual(toHs.map((c) => c.recordId.replace(/^hs-(deal|contact)-/, '')).sort());
    const done = await w.run(run.id);
    expect(done.crm?.every((b) => b.status === 'written')).toBe(true);
    expect(textOf(done)).toContain(`Written to HubSpot and Salesforce: ${toHs.length + toSf.length} writes`);
  });
});
