/**
 * CRM sync benchmark (issue 16): a full sync of BENCH_CRM_DEALS deals (default 100,000) from the fake
 * HubSpot (test/support/fake-hubspot.ts) over HTTP, paced by its per-10-second limit (default 100 calls
 * per 10 s, HubSpot's Free/Starter burst limit; 100 records per list call), into a fresh database.
 * Prints one JSON line on stdout; the human-readable result goes to stderr. Runnable alone:
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/crm-sync-once.ts
 *
 *   BENCH_DATABASE_URL  PostgreSQL server (else DATABASE_URL; else embedded PGlite in a temp dir);
 *                       `leak_bench_crm_<pid>` is created on it and dropped afterwards
 *   BENCH_CRM_DEALS     deals in the fake account (default 100000)
 *   BENCH_CRM_RATE      the fake's burst limit as calls/ms (default 100/10000)
 *
 * The ceiling: under a rolling limit of `max` calls per `interval`, call k (from 0) cannot start before
 * floor(k / max) × interval, so N calls take at least floor((N − 1) / max) × interval. The target is to
 * finish within 10 % of that: elapsed ≤ 1.10 × ceiling. Every call counts (the deal list pages, the
 * companies batch reads, owners and pipelines), and the fake refuses any call over its limit with a 429.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServices } from '../src/composition/services.ts';
import { composeUseCases } from '../src/composition/use-cases.ts';
import { loadConfig } from '../src/config/config.ts';
import { startFakeHubspot } from '../test/support/fake-hubspot.ts';
import { withBenchDatabase } from './bench-db.ts';

const DEALS = Number(process.env['BENCH_CRM_DEALS'] ?? 100_000);
const [MAX, INTERVAL_MS] = (process.env['BENCH_CRM_RATE'] ?? '100/10000').split('/').map(Number) as [
  number,
  number,
];
const COMPANIES = 2_000;
const server = process.env['BENCH_DATABASE_URL'] || process.env['DATABASE_URL'] || undefined;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const step = (s: string) => process.stderr.write(`… ${s}\n`);

async function seed() {
  const fake = await startFakeHubspot({ burst: { max: MAX, intervalMs: INTERVAL_MS }, daily: 1_000_000 });
  const day = Date.now() - 86_400_000;
  fake.owners = Array.from({ length: 40 }, (_, i) => ({
    id: String(100 + i),
    email: `rep${i}@bench.example`,
    firstName: `Rep`,
    lastName: String(i),
  }));
  for (let c = 1; c <= COMPANIES; c++)
    fake.upsert(
      'companies',
      String(c),
      { domain: `company${c}.example`, name: `Company ${c}`, country: 'NA' },
      { modifiedMs: day },
    );
  const stages = fake.stages.map((s) => s.id);
  for (let i = 1; i <= DEALS; i++)
    fake.upsert(
      'deals',
      String(i),
      {
        dealname: `Deal ${i}`,
        createdate: new Date(day - (i % 90) * 86_400_000).toISOString(),
        dealstage: stages[i % stages.length]!,
        hubspot_owner_id: String(100 + (i % 40)),
        amount: String(500 + (i % 1000) * 100),
        hs_next_step: i % 3 === 0 ? '' : 'Follow up',
        notes_last_updated: new Date(day - (i % 30) * 86_400_000).toISOString(),
      },
      { modifiedMs: day, companyId: String(1 + (i % COMPANIES)) },
    );
  return fake;
}

async function run(dbEnv: Record<string, string>) {
  step(
    `seeding the fake HubSpot: ${fmt(DEALS)} deals, ${fmt(COMPANIES)} companies, limit ${MAX}/${INTERVAL_MS} ms`,
  );
  const fake = await seed();
  const config = loadConfig(
    {
      ...dbEnv,
      HUBSPOT_TOKEN: fake.token,
      HUBSPOT_API_URL: fake.baseUrl,
      CRM_MAPPING_FILE: '',
      LOG_LEVEL: 'silent',
    },
    { storedPiiKey: true },
  );
  // The account has no contacts: the contacts' read is one empty list call, counted with the rest.
  const services = await openServices(config, quiet);
  try {
    const uc = composeUseCases(services, config);
    const load0 = loadavg()[0]!;
    step('syncing (full)…');
    const t0 = performance.now();
    const o = await uc.crm!.sync(
      { actor: { type: 'system', job: 'bench' }, requestId: 'bench', log: quiet },
      { full: true },
    );
    const elapsedMs = performance.now() - t0;
    if (o.status === 'busy') throw new Error('busy');
    const calls = fake.requests.filter((r) => r.status !== 429).length;
    const ceilingMs = Math.floor((calls - 1) / MAX) * INTERVAL_MS;
    const [stored] = await services.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM records WHERE id LIKE 'hs-deal-%'",
    );
    const figures = {
      deals: DEALS,
      stored: stored!.n,
      status: o.status,
      calls,
      listCalls: fake.count('/crm/v3/objects/deals?'),
      refused429: fake.refused.burst,
      elapsedMs: Math.round(elapsedMs),
      ceilingMs,
      ratio: Number((elapsedMs / ceilingMs).toFixed(4)),
      recordsPerSecond: Math.round((DEALS / elapsedMs) * 1000),
      ceilingRecordsPerSecond: Math.round((MAX * 100 * 1000) / INTERVAL_MS),
      loadavg1: [Number(load0.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
      db: services.db.kind,
    };
    process.stderr.write(
      `CRM sync: ${fmt(figures.stored)} of ${fmt(DEALS)} deals in ${fmt(elapsedMs / 1000, 1)} s with ${fmt(calls)} calls ` +
        `(${fmt(figures.listCalls)} list pages, ${fmt(figures.refused429)} refused); ceiling ${fmt(ceilingMs / 1000, 1)} s at ` +
        `${MAX}/${INTERVAL_MS / 1000} s → ${fmt(figures.ratio * 100, 1)} % of the ceiling's time ` +
        `(${figures.ratio <= 1.1 ? 'within' : 'OUTSIDE'} the 10 % target); ${fmt(figures.recordsPerSecond)} records/s; ` +
        `load ${figures.loadavg1.join(' → ')} (${figures.db})\n`,
    );
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await services.close();
    await fake.close();
  }
}

if (server) await withBenchDatabase(server, 'crm', (url) => run({ DATABASE_URL: url }));
else {
  const dir = mkdtempSync(join(tmpdir(), 'leak-bench-crm-'));
  try {
    await run({ PGLITE_DIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
