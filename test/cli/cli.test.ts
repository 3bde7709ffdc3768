import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/adapters/db/client.ts';
import { DEMO_AS_OF } from '../../src/commands/demo.ts';
import { runLeak } from '../support/cli.ts';
import { silentLog } from '../support/db.ts';
import { closedPort } from '../support/ports.ts';

/** Runs the real `leak` entry point in-process against a fresh on-disk PGlite, capturing output. */

const leak = runLeak;

/** The PII key a database generated for itself (the demo's, run without PII_HASH_KEY). */
async function readStoredKey(pgliteDir: string): Promise<string> {
  const db = await openDb({ url: undefined, pgliteDir }, silentLog);
  try {
    const [row] = await db.query<{ key: string }>('SELECT key FROM stored_pii_key');
    return row!.key;
  } finally {
    await db.close();
  }
}

/** The lines of the demo's story that must read the same on every run (no clock-derived figures). */
const keyLines = (out: string): string[] =>
  out
    .split('\n')
    .filter((l) => /^(Scanning as of|🔴 SEV|Incident #|.*: applied · cleared|Burn-rate evaluation)/u.test(l));

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

  it('without PII_HASH_KEY any command but the demo is a configuration error (no key in the source)', async () => {
    const own = { ...env, PGLITE_DIR: join(dir, 'pii-db') };
    const r = await leak(['scan'], { ...own, PORT: 'eighty' }, { storedPiiKey: false });
    expect(r.code).toBe(1);
    expect(r.err).toContain('PII_HASH_KEY is required');
    expect(r.err).toMatch(/PORT/);
    expect((await leak(['scan'], { ...own, PII_HASH_KEY: 'k' }, { storedPiiKey: false })).code).toBe(0);
  });

  it('--version and -v print the version from package.json; --help lists them', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const r = await leak([flag], {});
      expect(r).toEqual({ code: 0, out: `leak ${version}\n`, err: '' });
    }
    expect((await leak(['--help'], env)).out).toMatch(/leak --version +print the version/);
  });

  // Issue 10 item 17: every command says where it could not connect and what to check, in one line.
  it.each([['scan'], ['migrate'], ['audit', 'verify'], ['tokens', 'list'], ['sla', 'list']])(
    'leak %s with an unreachable DATABASE_URL prints one line and exits 1',
    async (...args) => {
      const port = await closedPort();
      const url = `postgres://leak:hunter2@127.0.0.1:${port}/leaks`;
      const r = await leak(args, { DATABASE_URL: url, PII_HASH_KEY: 'k' });
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `leak ${args[0]}: cannot reach the database at 127.0.0.1:${port} (ECONNREFUSED): check DATABASE_URL\n`,
      );
      expect(r.out).toBe('');
    },
  );

  it('an unknown database host is named the same way', async () => {
    const r = await leak(['scan'], {
      DATABASE_URL: 'postgres://leak@db.invalid:6543/leaks',
      PII_HASH_KEY: 'k',
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^leak scan: cannot reach the database at db\.invalid:6543 \((ENOTFOUND|EAI_AGAIN)\): check DATABASE_URL\n$/,
    );
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

  // Issue 10 item 14: every run starts from a fresh database of the demo's own (DEMO_DIR), so it runs any
  // number of times, and never writes to the user's PGLITE_DIR or DATABASE_URL.
  it('demo loads the sample funnel and prints the War Room summary, run after run', async () => {
    const demoDir = join(dir, 'demo');
    // Run as a user would, without PII_HASH_KEY: the demo itself may use the key its database keeps.
    const first = await leak(['demo'], { ...env, DEMO_DIR: demoDir }, { storedPiiKey: false });
    expect(first.err).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    const again = await leak(
      ['demo'],
      { ...env, DEMO_DIR: demoDir, DATABASE_URL: 'postgres://u:pw@127.0.0.1:1/mine' },
      { storedPiiKey: false },
    );
    expect(again.err).not.toMatch(/error/i);
    expect(again.code).toBe(0);
    expect(keyLines(again.out)).toEqual(keyLines(first.out));
    expect(keyLines(first.out)).toContain('Incident #1 (SEV-1, PAGE, detected) declared.');
    expect(again.out).toContain('DATABASE_URL is left alone');
    // The user's own database (PGLITE_DIR) still holds only what the tests above imported.
    expect(JSON.parse((await leak(['scan', '--json'], env)).out).records).toBe(2);

    const r = first;
    const key = await readStoredKey(join(demoDir, 'pglite'));
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(`${r.out}${r.err}`).not.toContain(key);
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
    // The revenue team's side: the generator's year, imported by `leak import`, and `leak digest`'s text.
    expect(r.out).toContain(
      'Generated a year of RevOps data up to 2026-11-01 (`leak generate --seed 14 --deals 3000 --customers 600 ' +
        '--end 2026-11-01`): 3,000 deals, 600 customers with ',
    );
    for (const [file, rows] of [
      ['deals', '3,000'],
      ['customers', '600'],
      ['mrr', '[\\d,]+'],
      ['spend', '[\\d,]+'],
    ])
      expect(r.out).toMatch(
        new RegExp(
          `Imported \\S+/revops/${file}\\.csv \\(${file}\\): ${rows} rows, ${rows} upserted, 0 rejected`,
        ),
      );
    const digest = (out: string) => out.slice(out.indexOf('RevOps weekly digest'), out.indexOf('Its charts'));
    expect(digest(r.out)).toMatch(/^RevOps weekly digest 2026-W44, 26 Oct – 1 Nov 2026 \(UTC\)\n/);
    expect(digest(r.out)).toMatch(/Open pipeline +\$[\d,]+ +[+−]\$[\d,]+/);
    expect(digest(r.out)).toMatch(/\nMRR +\$[\d,]+ /);
    expect(digest(r.out)).toMatch(/\nOct 2026 +\$[\d,]+ .*\nNov 2026 +\$[\d,]+ /);
    expect(digest(r.out)).toMatch(/Stuck deals \(\d+ worth \$[\d,]+\)/);
    expect(digest(r.out)).toMatch(/\nTOTAL +\$[\d,]+ +\d+/);
    expect(digest(r.out)).toMatch(/Insights \(\d+\)/);
    // The same seed and the scenario's clock: the same digest, run after run.
    expect(digest(again.out)).toBe(digest(r.out));
    const charts = join(demoDir, 'revops', 'charts');
    expect(readdirSync(charts).sort()).toEqual([
      'revops-channels-2026-10-26-2026-11-01.png',
      'revops-mrr-2026-10-26-2026-11-01.png',
      'revops-pipeline-2026-10-26-2026-11-01.png',
    ]);
    expect(readFileSync(join(charts, 'revops-mrr-2026-10-26-2026-11-01.png')).subarray(1, 4).toString()).toBe(
      'PNG',
    );
    expect(r.out).toContain(`are in ${charts};`);
    // Each import ended with ANALYZE: the planner knows the freshly loaded table's size.
    const db = await openDb({ url: undefined, pgliteDir: join(demoDir, 'pglite') }, silentLog);
    try {
      const [deals] = await db.query<{ n: number }>(
        "SELECT reltuples::float8 AS n FROM pg_class WHERE relname = 'revops_deals'",
      );
      expect(deals!.n).toBe(3_000);
    } finally {
      await db.close();
    }
  }, 240_000);

  it('demo refuses to wipe a DEMO_DIR it did not create', async () => {
    const mine = join(dir, 'not-the-demos');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    const r = await leak(['demo'], { ...env, DEMO_DIR: mine });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `leak demo: ${mine} exists and was not made by the demo; it is left as it is (set DEMO_DIR to another directory)\n`,
    );
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('keep me');
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
