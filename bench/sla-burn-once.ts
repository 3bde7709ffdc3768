/**
 * The per-minute burn-rate evaluation (job `sla-burn`) at scale, in a process of its own. Seeds
 * BENCH_SLAS SLA definitions (half availability, half latency < 300 ms) whose series each hold
 * BENCH_SLA_TAGS tag sets × 72 hours of Silver minutes (the longest rule window), then times the first
 * evaluation (every latency rank computed from its sketch) and the next one after a new minute arrived
 * (ranks cached: only the new minute's sketches are read). The seed rolls the complete hours up, as the
 * hourly job would have. Prints one JSON line. Used by bench/run.ts.
 *
 *   BENCH_URL         PostgreSQL database to seed (else BENCH_PGLITE_DIR, an embedded one)
 *   BENCH_SLAS        SLA definitions (default 20)
 *   BENCH_SLA_TAGS    tag sets per series (default 5)
 */
import { add, newSketch, toBytes } from '../src/adapters/telemetry/sketch.ts';
import { openServices } from '../src/composition/services.ts';
import { composeUseCases } from '../src/composition/use-cases.ts';
import { loadConfig } from '../src/config/config.ts';
import type { SlaDefinition } from '../src/domain/sla/definition.ts';

const slas = Number(process.env['BENCH_SLAS'] ?? 20);
const tags = Number(process.env['BENCH_SLA_TAGS'] ?? 5);
const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet };
// A throwaway bench database keeps its own random PII key (config.ts LoadOptions).
const config = loadConfig(
  {
    DATABASE_URL: process.env['BENCH_URL'],
    PGLITE_DIR: process.env['BENCH_PGLITE_DIR'],
    LOG_LEVEL: 'silent',
  },
  { storedPiiKey: true },
);
const MIN = 60_000;
let now = Math.floor(Date.now() / MIN) * MIN + 30_000;
const clock = { now: () => now };
const s = await openServices(config, quiet as never, { clock });
const uc = composeUseCases(s, config);
const ctx = { actor: { type: 'system' as const, job: 'bench' }, requestId: 'bench', log: quiet as never };

// A realistic minute: 200 requests, 1% slower than 300 ms, 0.05% failed.
const sketch = newSketch();
for (let k = 0; k < 200; k++) add(sketch, k < 2 ? 900 : 40 + (k % 50));
const sketchB64 = Buffer.from(toBytes(sketch)).toString('base64');

const defs: SlaDefinition[] = Array.from({ length: slas }, (_, n) => ({
  id: `svc-${n}-${n % 2 === 0 ? 'availability' : 'latency'}`,
  service: `svc-${n}`,
  metric: 'http.server.request',
  name: `Service ${n}`,
  indicator: n % 2 === 0 ? { kind: 'availability' } : { kind: 'latency', thresholdMs: 300 },
  target: 0.999,
  windowDays: 30,
  version: 1,
  activeFromMs: now - 30 * 86_400_000,
  activeToMs: null,
}));
await s.repos.slas.apply(defs.map((d) => ({ open: d })));

const seedT = performance.now();
const minutes = 72 * 60;
for (const d of defs)
  await s.db.query(
    `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors, sketch)
     SELECT $1, $2, jsonb_build_object('route', t::text), 'route-' || t,
            to_timestamp($3::float8 / 1000) - make_interval(mins => g), 200, (g % 10 = 0)::int, decode($4, 'base64')
     FROM generate_series(1, $5::int) g, generate_series(1, $6::int) t`,
    [d.service, d.metric, Math.floor(now / MIN) * MIN, sketchB64, minutes, tags],
  );
// As in production, the complete hours are rolled up (the hourly job): the trend reads them, not minutes.
await uc.rollUpHours(ctx);
const seedMs = performance.now() - seedT;

const timed = async () => {
  const t = performance.now();
  await uc.compactSilver();
  const out = await uc.evaluateSlas(ctx);
  if (out.length !== slas) throw new Error(`evaluated ${out.length} of ${slas} SLAs`);
  return performance.now() - t;
};
const coldMs = await timed();
now += MIN;
for (const d of defs)
  await s.db.query(
    `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors, sketch)
     SELECT $1, $2, jsonb_build_object('route', t::text), 'route-' || t, to_timestamp($3::float8 / 1000) - interval '1 minute',
            200, 0, decode($4, 'base64')
     FROM generate_series(1, $5::int) t ON CONFLICT DO NOTHING`,
    [d.service, d.metric, Math.floor(now / MIN) * MIN, sketchB64, tags],
  );
const warmMs = await timed();
await s.close();
console.log(
  JSON.stringify({
    slas,
    tags,
    rows: slas * tags * minutes,
    seedMs,
    coldMs,
    warmMs,
    perSlaWarmMs: warmMs / slas,
  }),
);
