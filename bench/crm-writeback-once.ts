/**
 * CRM write-back benchmark (issue 16): a bulk fix of BENCH_CRM_WRITEBACK_RECORDS HubSpot deals (default
 * 1,000, all without an owner) approved and written back to the fake HubSpot (test/support/fake-hubspot.ts)
 * over HTTP, through the outbox as the server delivers it. Prints the HTTP calls of the write-back by
 * endpoint (expected: about ten batch updates of 100, not one call per record) and the elapsed time of the
 * approve (the re-read from HubSpot and the local apply) and of the delivery (the batches). One JSON line
 * on stdout; the human-readable result on stderr. Runnable alone:
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/crm-writeback-once.ts
 *
 *   BENCH_DATABASE_URL            PostgreSQL server (else DATABASE_URL; else embedded PGlite in a temp dir);
 *                                 `leak_bench_crmwb_<pid>` is created on it and dropped afterwards
 *   BENCH_CRM_WRITEBACK_RECORDS   unowned deals in the fake account (default 1000)
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWritebackWorld } from '../test/e2e/crm/writeback-world.ts';
import { startFakeHubspot } from '../test/support/fake-hubspot.ts';
import { withBenchDatabase } from './bench-db.ts';

const RECORDS = Number(process.env['BENCH_CRM_WRITEBACK_RECORDS'] ?? 1_000);
const server = process.env['BENCH_DATABASE_URL'] || process.env['DATABASE_URL'] || undefined;
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const step = (s: string) => process.stderr.write(`… ${s}\n`);

async function seed() {
  const fake = await startFakeHubspot({ daily: 1_000_000 });
  const day = Date.now() - 86_400_000;
  fake.owners = Array.from({ length: 10 }, (_, i) => ({
    id: String(100 + i),
    email: `rep${i}@bench.example`,
    firstName: 'Rep',
    lastName: String(i),
  }));
  fake.upsert(
    'companies',
    '1',
    { domain: 'bench.example', name: 'Bench', country: 'NA' },
    { modifiedMs: day },
  );
  for (let i = 1; i <= RECORDS; i++)
    fake.upsert(
      'deals',
      String(i),
      {
        dealname: `Deal ${i}`,
        createdate: new Date(day - 30 * 86_400_000).toISOString(),
        dealstage: 'qualifiedtobuy',
        hubspot_owner_id: null,
        amount: '2000',
        hs_next_step: 'Follow up',
      },
      { modifiedMs: day, companyId: '1' },
    );
  return fake;
}

/** Calls per `METHOD path` (query strings dropped), those HubSpot refused with a 429 apart. */
function byEndpoint(requests: readonly { method: string; path: string; status: number }[]) {
  const out: Record<string, number> = {};
  for (const r of requests) {
    const key = `${r.method} ${r.path.split('?')[0]}${r.status === 429 ? ' (429)' : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

async function run(dbEnv: Record<string, string>) {
  step(`seeding the fake HubSpot: ${fmt(RECORDS)} deals without an owner`);
  const fake = await seed();
  const w = await openWritebackWorld({
    ...dbEnv,
    HUBSPOT_TOKEN: fake.token,
    HUBSPOT_API_URL: fake.baseUrl,
    CRM_MAPPING_FILE: '',
    FIX_OWNER_POOL: Array.from({ length: 10 }, (_, i) => `Rep ${i}`).join(', '),
    FIX_FOUR_EYES_RECORDS: String(RECORDS * 10),
    FIX_FOUR_EYES_USD: '1000000000',
  });
  try {
    step('syncing, scanning and previewing the bulk fix…');
    await w.sync();
    await w.scan();
    const planned = await w.preview('UNASSIGNED_OWNER');
    const from = fake.requests.length;
    step(`approving ${fmt(planned.plan.changes.length)} changes and delivering the write-back…`);
    const t0 = performance.now();
    const approved = await w.approve(planned.id);
    const t1 = performance.now();
    await w.drain();
    const t2 = performance.now();
    const run = await w.run(planned.id);
    const calls = byEndpoint(fake.requests.slice(from));
    const written = [...fake.objects.deals.values()].filter((d) => d.properties['hubspot_owner_id']).length;
    const figures = {
      records: RECORDS,
      changes: planned.plan.changes.length,
      outcome: approved.outcome,
      batches: (run.crm ?? []).length,
      batchStatus: [...new Set((run.crm ?? []).map((b) => b.status))],
      writtenInHubspot: written,
      httpCalls: Object.values(calls).reduce((a, b) => a + b, 0),
      calls,
      approveMs: Math.round(t1 - t0),
      deliverMs: Math.round(t2 - t1),
      elapsedMs: Math.round(t2 - t0),
      db: w.services.db.kind,
    };
    process.stderr.write(
      `CRM write-back: ${fmt(figures.changes)} changes on ${fmt(RECORDS)} deals → ${fmt(figures.writtenInHubspot)} written in ` +
        `HubSpot with ${fmt(figures.httpCalls)} HTTP calls in ${fmt(figures.elapsedMs / 1000, 2)} s ` +
        `(approve with re-read ${fmt(figures.approveMs)} ms, delivery ${fmt(figures.deliverMs)} ms, ${figures.db})\n` +
        Object.entries(calls)
          .map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`)
          .join('\n') +
        '\n',
    );
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await w.close();
    await fake.close();
  }
}

if (server) await withBenchDatabase(server, 'crmwb', (url) => run({ DATABASE_URL: url }));
else {
  const dir = mkdtempSync(join(tmpdir(), 'leak-bench-crmwb-'));
  try {
    await run({ PGLITE_DIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
