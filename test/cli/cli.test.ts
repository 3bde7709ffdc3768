import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_AS_OF } from '../../src/cli.ts';
import { runLeak } from '../support/cli.ts';

/** Runs the real `leak` entry point in-process against a fresh on-disk PGlite, capturing output. */

const leak = runLeak;

const HEADER =
  'id,type,name,email,domain,company,source,region,owner,stage,created_at,last_touch_at,next_step,value_usd,notes';

describe('leak CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-cli-'));
  const env = { PGLITE_DIR: join(dir, 'db'), LOG_LEVEL: 'silent' };
  const csv = join(dir, 'funnel.csv');
  writeFileSync(
    csv,
    [
      HEADER,
      'o1,opp,Big Deal,buyer@acme.com,acme.com,Acme,outbound,NA,Ana,Proposal,2026-10-01T00:00:00Z,2026-10-19T00:00:00Z,Call,10000,',
      'l1,lead,New Lead,lead@beta.io,beta.io,Beta,web,,,New,2026-11-01T00:00:00Z,,,2000,',
      'bad,prospect,X,,x.io,X,web,NA,Ana,New,2026-11-01T00:00:00Z,,,1,',
    ].join('\n'),
  );

  it('prints usage for --help and exits 64 on an unknown command', async () => {
    const help = await leak(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/leak import <file\.csv> \[--dry-run\]/);
    const unknown = await leak(['frobnicate'], env);
    expect(unknown.code).toBe(64);
    expect(unknown.err).toMatch(/unknown command 'frobnicate'/);
    expect((await leak(['scan', '--help'], env)).out).toMatch(/--as-of <ISO time>/);
  });

  it('lists every configuration problem and exits 1 before touching the database', async () => {
    const r = await leak(['scan'], { ...env, PORT: 'eighty', REVENUE_BUDGET_USD: '-5' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PORT/);
    expect(r.err).toMatch(/REVENUE_BUDGET_USD/);
  });

  it('import exits 2 and lists the rejected line; --dry-run writes nothing', async () => {
    const dry = await leak(['import', '--dry-run', csv], env);
    expect(dry.code).toBe(2);
    expect(dry.out).toMatch(/Validated .*3 rows, 2 valid, 1 rejected/);
    const scanEmpty = await leak(['scan', '--json', '--as-of', '2026-11-02T00:00:00Z'], env);
    expect(JSON.parse(scanEmpty.out).records).toBe(0);

    const real = await leak(['import', csv], env);
    expect(real.code).toBe(2);
    expect(real.out).toMatch(/line 4: unknown type 'prospect'/);
  });

  it('import of a missing file is a readable error with exit 1', async () => {
    const r = await leak(['import', join(dir, 'nope.csv')], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/file not found/);
  });

  it('scan --json prints the stable document, evaluated at --as-of', async () => {
    const r = await leak(['scan', '--json', '--as-of', '2026-11-02T00:00:00Z'], env);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining([
        'as_of',
        'records',
        'issues',
        'total_at_risk_usd',
        'burn_rate',
        'budget_remaining',
        'paging',
        'incident_severity',
        'top_causes',
        'affected_segments',
        'slos',
      ]),
    );
    expect(doc.as_of).toBe('2026-11-02T00:00:00.000Z');
    expect(doc.records).toBe(2);
    // o1: Proposal $10,000 idle 14 days → STALE_OPP $2,250 (the DOMAIN.md check value).
    // l1: lead created a day ago, untouched → SLA breach $1,000; unassigned $2,000; no region $0.
    const byId = Object.fromEntries(doc.issues.map((i: { issue_id: string }) => [i.issue_id, i]));
    expect(byId['o1_STALE_OPP']).toMatchObject({
      estimated_loss_usd: 2250,
      severity: 8,
      fix_pack: 'fix_stale_opp',
    });
    expect(byId['l1_SLA_BREACH_UNTOUCHED'].estimated_loss_usd).toBe(1000);
    expect(byId['l1_UNASSIGNED_OWNER'].estimated_loss_usd).toBe(2000);
    expect(byId['l1_ROUTING_MISMATCH'].estimated_loss_usd).toBe(0);
    expect(doc.issues).toHaveLength(4);
    expect(doc.total_at_risk_usd).toBe(5250);
    expect(doc.paging).toBe('OK');
    expect(doc.incident_severity).toBe(4);
  });

  it('scan prints a readable table and rejects a bad --as-of', async () => {
    const r = await leak(['scan', '--as-of', '2026-11-02T00:00:00Z'], env);
    expect(r.out).toMatch(/SEV-4 · OK · \$5,250 at risk of \$50,000/);
    expect(r.out).toMatch(/o1_STALE_OPP/);
    const bad = await leak(['scan', '--as-of', 'yesterday'], env);
    expect(bad.code).toBe(64);
    expect(bad.err).toMatch(/--as-of must be an ISO-8601 time/);
  });

  it('demo loads the sample funnel and prints the War Room summary', async () => {
    const r = await leak(['demo'], { ...env, PGLITE_DIR: join(dir, 'demo-db') });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Scanning as of ${DEMO_AS_OF}`);
    expect(r.out).toMatch(/SEV-1 · PAGE · \$[\d,]+ at risk/);
    expect(r.out).toMatch(/line 11: unknown type 'prospect'/);
    expect(r.out).not.toMatch(/:red_circle:/);
    // The incident and the fix story, through the real use cases and outbox.
    expect(r.out).toMatch(/Incident #\d+ \(SEV-1, PAGE, detected\) declared\./);
    expect(r.out).toMatch(/→ conversations\.create #inc-20261102-\d+-revenue-/);
    expect(r.out).toMatch(/Fix preview: Opportunity Rescue/);
    expect(r.out).toMatch(/Assign owners to all \d+ unowned records: applied · cleared \$[\d,]+/);
    expect(r.out).toMatch(/Incident #\d+ resolved: the scan found no open leak\./);
    expect(r.out).not.toMatch(/:wrench:|:moneybag:/);
    // The service side: an OpenSLO SLA pages on a payment outage through its own channel, then resolves.
    expect(r.out).toMatch(
      /Burn-rate evaluation \(the per-minute job\): PAGE on 1h\/5m at [\d.]+× .*→ incident declared/,
    );
    expect(r.out).toMatch(/→ conversations\.create #inc-\d{8}-\d+-sla-burn-checkout-payments/);
    expect(r.out).toMatch(/card processor timeout/);
    expect(r.out).toMatch(/\d+ minutes later no page rule has fired for 15 minutes: resolved\./);
    expect(r.out).toMatch(/Resolved automatically: SEV-2 · SLA burn: Checkout payments/);
    expect(r.out).not.toMatch(/:white_circle:|:ticket:/);
  });

  it('fix preview prints the diff and blast radius of an open issue and writes nothing', async () => {
    const counts = async () => (await leak(['audit', 'verify', '--json'], env)).out;
    const before = await counts();
    const r = await leak(['fix', 'preview', 'l1_UNASSIGNED_OWNER'], { ...env, FIX_OWNER_POOL: 'Ana,Bo' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Fix preview: Auto-Routing');
    expect(r.out).toContain('# l1\n- owner: (empty)\n+ owner: Ana');
    expect(r.out).toMatch(/records 1 · issues 1 · \$2,000 addressed/);
    expect(await counts()).toBe(before);
    const json = await leak(['fix', 'preview', '--bulk', 'unassigned_owner', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ packId: 'fix_assign_owner_bulk' });
    const missing = await leak(['fix', 'preview', 'nope_STALE_OPP'], env);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/issue nope_STALE_OPP is not open/);
    const usage = await leak(['fix', 'preview', '--bulk', 'FROBS'], env);
    expect(usage.code).toBe(64);
    expect(usage.err).toMatch(/unknown issue type 'FROBS'/);
  });

  it('fix preview --pack plans a pack of your own, and lists every problem of a bad one', async () => {
    const good = join(dir, 'pack.json');
    writeFileSync(
      good,
      JSON.stringify({
        version: 1,
        id: 'vip_routing',
        title: 'Route to the VIP desk',
        steps: [
          { type: 'assign_owner', strategy: 'named', owner: 'VIP Desk' },
          { type: 'append_notes', text: 'Routed to VIP for {company}' },
        ],
        verify: { kind: 'field_present', field: 'owner' },
      }),
    );
    const r = await leak(['fix', 'preview', 'l1_UNASSIGNED_OWNER', '--pack', good], env);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Fix preview: Route to the VIP desk');
    expect(r.out).toContain('+ owner: VIP Desk');
    expect(r.out).toContain('+ notes: …Routed to VIP for Beta');
    const bad = join(dir, 'bad-pack.json');
    writeFileSync(
      bad,
      JSON.stringify({ version: 2, id: 'x', title: 'x', steps: [{ type: 'frobnicate' }], verify: {} }),
    );
    const refused = await leak(['fix', 'preview', 'l1_UNASSIGNED_OWNER', '--pack', bad], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/version: only version 1 is supported/);
    expect(refused.err).toMatch(/steps\[0\]\.type: unknown step type "frobnicate"/);
  });
});
