import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { telemetryStore } from './src/adapters/db/telemetry-repository.ts';
import { add, mergeSketchBytes, newSketch, toBytes } from './src/adapters/telemetry/sketch.ts';
import { ingestEvents } from './src/app/telemetry/ingest.ts';
import { parseEventBatch } from './src/domain/telemetry/event.ts';
import { piiHasher } from './src/shared/pii.ts';
let captured: { text: string; params: string[] } | undefined;
const fakeDb: any = { query: async (text: string, params: string[] = []) => { if (params.length > 5) captured = { text, params }; return []; } };
const store = telemetryStore(fakeDb, mergeSketchBytes);
const NAMES = ['http.request','db.query','cache.get','queue.publish','queue.consume','checkout.submit','payment.authorize','search.query','auth.login','render.page'];
const TAG_SETS = [{ region: 'eu-west-1', method: 'GET', status: 200 }, { region: 'us-east-1', method: 'POST', status: 201 }, { region: 'ap-south-1', method: 'GET', status: 200, cached: true }];
let seed = 42; const r = () => { seed = (seed * 48271) % 2147483647; return seed / 2147483647; };
const now = Date.now(); const a = []; for (let i = 0; i < 1000; i++) { const roll = r(); const error = roll < 0.02; const slow = !error && roll < 0.05; const d = slow ? 1001 + r() * 4000 : 5 - Math.log(1 - r()) * 60; const e: any = { time: now - Math.floor(r() * 2000), service: `svc-${String(Math.floor(r() * 20)).padStart(2, '0')}`, name: NAMES[Math.floor(r() * 10)], duration_ms: Math.round(d * 100) / 100, ok: !error, attributes: TAG_SETS[Math.floor(r() * 3)] }; if (error) { e.level = 'ERROR'; e.message = 'x failed'; e.user_id = 'u-1'; e.email = 'a@b.c'; } else if (slow) e.level = 'WARN'; a.push(e); }
await ingestEvents({ store, hash: piiHasher('k'), latencyThresholdMs: () => 1000, rollup: { newRollup: newSketch, addValue: add, toBytes } }, parseEventBatch(JSON.parse(JSON.stringify(a))).events);
const { text, params } = captured!;
const admin = postgres('postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
await admin.unsafe('DROP DATABASE IF EXISTS leak_bench_micro WITH (FORCE)'); await admin.unsafe('CREATE DATABASE leak_bench_micro');
const sql = postgres('postgres://postgres@127.0.0.1:5432/leak_bench_micro', { max: 1, onnotice: () => {} });
for (const f of ['0001_revenue_leak_core.sql','0002_incident_command.sql','0003_fix_packs.sql','0004_telemetry.sql']) await sql.unsafe(readFileSync('migrations/' + f, 'utf8')).simple();
await sql.unsafe(`SELECT ensure_bronze_partition(current_date)`); await sql.unsafe(`SELECT ensure_bronze_partition(current_date - 1)`);
const [{ pid }] = await sql`select pg_backend_pid() as pid`;
const ticks = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };
async function run(name: string, q: string, ps: string[], n = 150) {
  for (let i = 0; i < 5; i++) await sql.unsafe(q, ps);
  const t0 = ticks(); const w0 = performance.now();
  for (let i = 0; i < n; i++) await sql.unsafe(q, ps);
  console.log(name.padEnd(40), 'pg cpu ms/op', ((ticks() - t0) * 10 / n).toFixed(2), 'wall', ((performance.now() - w0) / n).toFixed(2));
}
const bronzeOnly = text.slice(text.indexOf('INSERT INTO bronze_events'), text.indexOf('\n  )\n'));
const pendingOnly = text.slice(text.indexOf('INSERT INTO silver_minute_pending'));
const shift = (q: string, by: number) => q.replace(/\$(\d+)/g, (_, d) => `$${Number(d) - by}`);
const noSort = pendingOnly.replace(/\n\s*ORDER BY u.ord/, '');
await run('V6 pending, no ORDER BY', shift(noSort, 11), params.slice(11));
const subs = `INSERT INTO silver_minute_pending
    (service, metric, tags, tags_hash, minute, count, errors, sum, min, max, sketch)
  SELECT ($22::text::text[])[u.service], ($23::text::text[])[u.metric], ($24::text::jsonb[])[u.tag], ($25::text::text[])[u.tag],
         to_timestamp(($26::text::float8[])[u.minute] / 1000.0), u.count::bigint,
         u.errors::bigint, u.sum, u.min, u.max, decode(u.sketch, 'base64')
  FROM unnest($12::text::int[], $13::text::int[], $14::text::int[], $15::text::int[], $16::text::float8[],
              $17::text::float8[], $18::text::float8[], $19::text::float8[], $20::text::float8[],
              $21::text::text[])
    AS u(service, metric, tag, minute, count, errors, sum, min, max, sketch)`;
await run('V9 unnest only count', shift(`SELECT count(*) FROM unnest($12::text::int[], $13::text::int[], $14::text::int[], $15::text::int[], $16::text::float8[],
              $17::text::float8[], $18::text::float8[], $19::text::float8[], $20::text::float8[],
              $21::text::text[]) AS u(service, metric, tag, minute, count, errors, sum, min, max, sketch)`, 11), params.slice(11, 21));
const ev = (q: string) => 'SELECT sum(length(x::text)) FROM (' + q.slice(q.indexOf('SELECT')) + ') x';
await run('V4b pending SELECT, evaluated, no sort', shift(ev(noSort), 11), params.slice(11));
await run('V6b pending, no ORDER BY again', shift(noSort, 11), params.slice(11));
await run('V5 empty statement roundtrip', 'SELECT $1::text', ['x']);
await sql.end(); await admin.unsafe('DROP DATABASE leak_bench_micro WITH (FORCE)'); await admin.end();
