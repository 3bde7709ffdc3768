import { telemetryStore } from './src/adapters/db/telemetry-repository.ts';
import { add, mergeSketchBytes, newSketch, toBytes } from './src/adapters/telemetry/sketch.ts';
import { ingestEvents } from './src/app/telemetry/ingest.ts';
import { parseEventBatch } from './src/domain/telemetry/event.ts';
import { piiHasher } from './src/shared/pii.ts';
const fakeDb: any = { query: async (text: string, params: string[] = []) => { if (params.length > 5) { console.log('params bytes', params.map((p) => p.length).join(' '), 'total', params.reduce((a, p) => a + p.length, 0), 'sql', text.length); for (const i of [11, 15, 17, 18, 19, 20]) console.log(i+1, params[i]!.slice(0, 200)); } return []; } };
const store = telemetryStore(fakeDb, mergeSketchBytes);
const NAMES = ['http.request','db.query','cache.get','queue.publish','queue.consume','checkout.submit','payment.authorize','search.query','auth.login','render.page'];
const TAG_SETS = [{ region: 'eu-west-1', method: 'GET', status: 200 }, { region: 'us-east-1', method: 'POST', status: 201 }, { region: 'ap-south-1', method: 'GET', status: 200, cached: true }];
let seed = 42; const r = () => { seed = (seed * 48271) % 2147483647; return seed / 2147483647; };
const now = Date.now(); const a = []; for (let i = 0; i < 1000; i++) { const roll = r(); const error = roll < 0.02; const slow = !error && roll < 0.05; const d = slow ? 1001 + r() * 4000 : 5 - Math.log(1 - r()) * 60; const e: any = { time: now - Math.floor(r() * 2000), service: `svc-${String(Math.floor(r() * 20)).padStart(2, '0')}`, name: NAMES[Math.floor(r() * 10)], duration_ms: Math.round(d * 100) / 100, ok: !error, attributes: TAG_SETS[Math.floor(r() * 3)] }; if (error) { e.level = 'ERROR'; e.message = 'x failed'; e.user_id = 'u-1'; e.email = 'a@b.c'; } else if (slow) e.level = 'WARN'; a.push(e); }
await ingestEvents({ store, hash: piiHasher('k'), latencyThresholdMs: () => 1000, rollup: { newRollup: newSketch, addValue: add, toBytes } }, parseEventBatch(JSON.parse(JSON.stringify(a))).events);
