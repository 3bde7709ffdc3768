// Measures node CPU and PG backend CPU per ingest write (1,000 bench-like events), outside HTTP.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { openServices } from './src/services.ts';
import { loadConfig } from './src/config/config.ts';
import { telemetryStore } from './src/adapters/db/telemetry-repository.ts';
import { add, mergeSketchBytes, newSketch, sketchQuantiles, toBytes } from './src/adapters/telemetry/sketch.ts';
import { ingestEvents } from './src/app/telemetry/ingest.ts';
import { parseEventBatch } from './src/domain/telemetry/event.ts';
import { piiHasher } from './src/shared/pii.ts';
const admin = postgres('postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
const dbName = 'leak_bench_harness';
await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); await admin.unsafe(`CREATE DATABASE ${dbName}`);
const config = loadConfig({ DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`, SLACK_BOT_TOKEN: 'xoxb-x', SLACK_SIGNING_SECRET: 'x', SCHEDULER_ENABLED: 'false', LOG_LEVEL: 'warn', PORT: '0', TELEMETRY_SLOW_MS: '1000' });
const services = await openServices(config, { info() {}, warn() {}, error() {}, debug() {} });
const store = telemetryStore(services.db, mergeSketchBytes, { quantiles: sketchQuantiles });
const deps = { store, hash: piiHasher('k'), latencyThresholdMs: () => 1000, rollup: { newRollup: newSketch, addValue: add, toBytes } };
// bench-like bodies
const NAMES = ['http.request','db.query','cache.get','queue.publish','queue.consume','checkout.submit','payment.authorize','search.query','auth.login','render.page'];
const TAG_SETS = [{ region: 'eu-west-1', method: 'GET', status: 200 }, { region: 'us-east-1', method: 'POST', status: 201 }, { region: 'ap-south-1', method: 'GET', status: 200, cached: true }];
let seed = 42; const r = () => { seed = (seed * 48271) % 2147483647; return seed / 2147483647; };
const body = () => { const now = Date.now(); const a = []; for (let i = 0; i < 1000; i++) { const roll = r(); const error = roll < 0.02; const slow = !error && roll < 0.05; const d = slow ? 1001 + r() * 4000 : 5 - Math.log(1 - r()) * 60; const e: any = { time: now - Math.floor(r() * 2000), service: `svc-${String(Math.floor(r() * 20)).padStart(2, '0')}`, name: NAMES[Math.floor(r() * 10)], duration_ms: Math.round(d * 100) / 100, ok: !error, attributes: TAG_SETS[Math.floor(r() * 3)] }; if (error) { e.level = 'ERROR'; e.message = 'x failed'; e.user_id = 'u-1'; e.email = 'a@b.c'; } else if (slow) e.level = 'WARN'; a.push(e); } return JSON.stringify(a); };
const bodies = Array.from({ length: 40 }, body);
const sql = (services.db as any);
const [{ pid }] = await services.db.query<{ pid: number }>('select pg_backend_pid() as pid');
const pgTicks = async () => { const rows = await admin.unsafe(`select pid from pg_stat_activity where datname = '${dbName}'`); let t = 0; for (const { pid } of rows) { try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); t += Number(f[11]) + Number(f[12]); } catch {} } return t; };
const N = Number(process.env.N ?? 200);
for (let i = 0; i < 10; i++) await ingestEvents(deps, parseEventBatch(JSON.parse(bodies[i % 40]!)).events);
const p0 = await pgTicks(); const c0 = process.cpuUsage(); const w0 = performance.now();
let parseUs = 0;
for (let i = 0; i < N; i++) {
  const t = process.cpuUsage();
  const ev = parseEventBatch(JSON.parse(bodies[i % 40]!)).events;
  const t2 = process.cpuUsage(t); parseUs += t2.user + t2.system;
  await ingestEvents(deps, ev);
}
const c = process.cpuUsage(c0); const p1 = await pgTicks();
console.log(`per 1,000 events: node ${((c.user + c.system) / 1000 / N).toFixed(2)} ms (parse+validate ${(parseUs / 1000 / N).toFixed(2)}), pg ${((p1 - p0) * 10 / N).toFixed(2)} ms, wall ${((performance.now() - w0) / N).toFixed(2)} ms`);
await services.close?.(); await (services as any).db.close();
await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); await admin.end();
