import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/**
 * `leak import` of the RevOps CSVs and `leak generate`, through the real entry point, in-process, on each
 * backend: the kind is read from the header, bad rows are listed with their line while good rows import
 * (exit 2), a header of no kind names what is missing and unexpected (exit 2), and generated files import
 * with no rejected row.
 */

const dir = mkdtempSync(join(tmpdir(), 'leak-revops-'));
const file = (name: string, ...lines: string[]): string => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};
const GEN = ['--seed', '7', '--deals', '300', '--customers', '120', '--end', '2026-11-30'];

describe('leak generate', () => {
  it('writes the four files, the same for the same seed, others for another', async () => {
    const a = join(dir, 'gen-a');
    const b = join(dir, 'gen-b');
    const first = await runLeak(['generate', '--out', a, ...GEN], {});
    expect(first.code).toBe(0);
    expect(first.out).toContain(`${join(a, 'deals.csv')}  300 rows`);
    expect(first.err).toMatch(/wrote .*customers\.csv: 120 rows/);
    expect((await runLeak(['generate', '--out', b, ...GEN], {})).code).toBe(0);
    for (const f of ['deals.csv', 'customers.csv', 'mrr.csv', 'spend.csv'])
      expect(readFileSync(join(b, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
    const c = join(dir, 'gen-c');
    await runLeak(['generate', '--out', c, ...GEN.slice(2), '--seed', '8'], {});
    expect(readFileSync(join(c, 'deals.csv'), 'utf8')).not.toBe(readFileSync(join(a, 'deals.csv'), 'utf8'));
    expect(readFileSync(join(a, 'deals.csv'), 'utf8').split('\n')[0]).toBe(
      'deal_id,account,segment,owner,stage,amount,created_at,expected_close,last_stage_change,probability,source_channel',
    );
  });

  it.each([
    [['--deals=-1'], /--deals must be a whole number ≥ 0, got '-1'/],
    [['--end', '2026-02-30'], /--end must be an ISO date \(YYYY-MM-DD\), got '2026-02-30'/],
    [[], /--out <dir> is required/],
  ])('refuses %j with 64', async (args, message) => {
    const r = await runLeak(['generate', ...(args.length ? ['--out', join(dir, 'x')] : []), ...args], {});
    expect(r.code).toBe(64);
    expect(r.err).toMatch(message);
  });
});

describe.each(backends.map((b) => b.name))('leak import of RevOps CSVs on %s', (name) => {
  let target: CliTarget;
  const leak = (args: string[]) => runLeak(args, target.env);
  const count = (table: string) =>
    target.withDb(
      async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n,
    );

  beforeAll(async () => {
    target = await openCliTarget(name, 'leak-revops');
  });
  afterAll(async () => target.dispose());

  it('imports generated files of every kind with no rejected row, customers before their history', async () => {
    const gen = join(dir, `round-${name}`);
    expect((await leak(['generate', '--out', gen, ...GEN])).code).toBe(0);
    const lines = (f: string) => readFileSync(join(gen, f), 'utf8').trimEnd().split('\n').length - 1;
    for (const [f, kind, table] of [
      ['customers.csv', 'customers', 'revops_customers'],
      ['mrr.csv', 'mrr', 'revops_mrr_history'],
      ['deals.csv', 'deals', 'revops_deals'],
      ['spend.csv', 'spend', 'revops_marketing_spend'],
    ] as const) {
      const r = await leak(['import', join(gen, f)]);
      expect(r.out).toMatch(
        new RegExp(`Imported .*${f} \\(${kind}\\): [\\d,]+ rows, [\\d,]+ upserted, 0 rejected`),
      );
      expect(r.code).toBe(0);
      expect(await count(table)).toBe(lines(f));
    }
    // Importing again replaces: the same counts.
    expect((await leak(['import', join(gen, 'deals.csv')])).code).toBe(0);
    expect(await count('revops_deals')).toBe(300);
    // Six CLI runs, each opening the database: embedded PGlite takes a few seconds for each on a busy machine.
  }, 180_000);

  it('lists each bad row with its line number while the good rows import (exit 2)', async () => {
    const csv = file(
      `bad-deals-${name}.csv`,
      // Columns in another order, names in another case: read by name.
      'Stage,DEAL_ID,account,segment,owner,amount,created_at,expected_close,last_stage_change,probability,source_channel',
      'closed won,X-1,Acme,ENT,Ana,200000,2026-09-01T00:00:00Z,,2026-10-01T00:00:00Z,,Events',
      'Demo,X-2,Beta,MM,Ben,12,000,2026-09-01T00:00:00Z,,2026-10-01T00:00:00Z,30%,Outbound',
      'Demo,X-3,Gamma,MM,Ben,40000,2026-09-01T00:00:00Z,,2026-08-01T00:00:00Z,30%,Outbound',
      'Negotiation,X-4,Delta,SMB,,9000,2026-09-01T00:00:00Z,2026-12-01,2026-10-01T00:00:00Z,60,Partners',
      'Demo,X-1,Acme,ENT,Ana,1,2026-09-01T00:00:00Z,,2026-10-01T00:00:00Z,,Events',
    );
    const r = await leak(['import', csv]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/\(deals\): 5 rows, 2 upserted, 3 rejected/);
    expect(r.out).toContain('  line 3: expected 11 columns, got 12\n');
    expect(r.out).toContain(
      '  line 4: last_stage_change 2026-08-01T00:00:00Z is before created_at 2026-09-01T00:00:00Z\n',
    );
    expect(r.out).toContain("  line 6: deal_id 'X-1' repeated (first on line 2)\n");
    const rows = await target.withDb((db) =>
      db.query(
        "SELECT deal_id, stage, probability FROM revops_deals WHERE deal_id LIKE 'X-%' ORDER BY deal_id",
      ),
    );
    expect(rows).toEqual([
      { deal_id: 'X-1', stage: 'Closed_Won', probability: 1 },
      { deal_id: 'X-4', stage: 'Negotiation', probability: 0.6 },
    ]);
  });

  it('rejects MRR history of an unknown customer with its line', async () => {
    await leak([
      'import',
      file(
        `cust-${name}.csv`,
        'customer_id,account,segment,plan,start_date,mrr,churn_date,churn_reason',
        'K-1,Acme,SMB,Starter,2026-01-10,900,,',
      ),
    ]);
    const r = await leak([
      'import',
      file(
        `mrr-${name}.csv`,
        'customer_id,month,mrr',
        'K-1,2026-01,900',
        'K-404,2026-01,100',
        'K-1,2026-02-01,950',
        'K-1,2026-03-02,950',
      ),
    ]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/\(mrr\): 4 rows, 2 upserted, 2 rejected/);
    expect(r.out).toContain("  line 3: unknown customer_id 'K-404' (import it in customers.csv first)\n");
    expect(r.out).toContain("  line 5: month: not the first day of a month '2026-03-02'\n");
  });

  it('a header of no kind, or not of the --kind asked for, exits 2 naming the columns', async () => {
    const wrong = file(
      `wrong-${name}.csv`,
      'date,channel,campaign,segment,region,spend_usd,impressions,clicks,leads,mqls,sqls,opportunities,won',
      '2026-01-01,X,,,,1,0,0,0,0,0,0,0',
    );
    const r = await leak(['import', wrong]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /closest is spend: missing column\(s\): geo, spend; unexpected column\(s\): region, spend_usd/,
    );
    const spend = file(
      `spend-${name}.csv`,
      'date,channel,campaign,segment,geo,spend,impressions,clicks,leads,mqls,sqls,opportunities,won',
      '2026-01-01,Events,,,,1,0,0,0,0,0,0,0',
    );
    const forced = await leak(['import', '--kind', 'deals', spend]);
    expect(forced.code).toBe(2);
    expect(forced.err).toMatch(
      /not a deals CSV: missing column\(s\): deal_id, .*; unexpected column\(s\): date, /,
    );
    expect((await leak(['import', '--kind', 'spend', spend])).code).toBe(0);
    const bogus = await leak(['import', '--kind', 'orders', spend]);
    expect(bogus.code).toBe(64);
    expect(bogus.err).toMatch(/--kind must be one of funnel, deals, customers, mrr, spend/);
  });

  it('--dry-run validates and writes nothing', async () => {
    const csv = file(
      `dry-${name}.csv`,
      'customer_id,account,segment,plan,start_date,mrr,churn_date,churn_reason',
      'DRY-1,Acme,MM,Growth,2026-01-10,4000,2026-01-09,',
    );
    const before = await count('revops_customers');
    const r = await leak(['import', '--dry-run', csv]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/Validated .*\(customers\): 1 rows, 0 valid, 1 rejected/);
    expect(r.out).toContain('line 2: churn_date 2026-01-09 is before start_date 2026-01-10');
    expect(await count('revops_customers')).toBe(before);
  });
});
