/**
 * The ingest benchmark's ceiling: as many bronze-like rows as the ingest accepted, COPYed (text format)
 * into a plain table with Bronze's columns and no index, through postgres.js `COPY … FROM STDIN`.
 */
import { rng } from './generate.ts';
import { NAMES, SERVICES, TAG_SETS } from './ingest-load.ts';

/** Bronze-like rows (text format), a pool of distinct lines cycled, COPYed into a plain table. */
export async function rawCopy(dbUrl: string, rows: number): Promise<number> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  await sql`CREATE TABLE copy_probe (time timestamptz NOT NULL, service text NOT NULL, name text NOT NULL,
    level text, ok boolean, duration_ms double precision, message text, trace_id text, user_hash text,
    email_hash text, attributes jsonb NOT NULL DEFAULT '{}'::jsonb, incident_id bigint)`;
  const r = rng(7);
  const now = Date.now();
  const POOL = 10_000;
  let text = '';
  for (let i = 0; i < POOL; i++) {
    const error = r() < 0.4;
    const service = `svc-${String(Math.floor(r() * SERVICES)).padStart(2, '0')}`;
    const name = NAMES[Math.floor(r() * NAMES.length)]!;
    const tags = JSON.stringify(TAG_SETS[Math.floor(r() * TAG_SETS.length)]!);
    const hash = () => Math.floor(r() * 2 ** 52).toString(16) + Math.floor(r() * 2 ** 52).toString(16);
    text += `${new Date(now - Math.floor(r() * 60_000)).toISOString()}\t${service}\t${name}\t${
      error ? 'ERROR' : 'WARN'
    }\t${error ? 'f' : 't'}\t${(r() * 4_000).toFixed(2)}\t${
      error ? `${name} failed: upstream timeout` : '\\N'
    }\t${error ? hash() : '\\N'}\t${error ? hash() : '\\N'}\t${error ? hash() : '\\N'}\t${tags}\t\\N\n`;
  }
  const pool = Buffer.from(text);
  const lineEnds: number[] = [];
  for (let i = 0; i < pool.length; i++) if (pool[i] === 10) lineEnds.push(i + 1);
  const t = performance.now();
  const writable = await sql`COPY copy_probe FROM STDIN`.writable();
  const write = (b: Buffer) =>
    writable.write(b) ? undefined : new Promise<void>((res) => writable.once('drain', () => res()));
  let left = rows;
  while (left > 0) {
    const n = Math.min(left, POOL);
    const chunk = n === POOL ? pool : pool.subarray(0, lineEnds[n - 1]);
    const wait = write(chunk);
    if (wait) await wait;
    left -= n;
  }
  await new Promise<void>((resolve, reject) => {
    writable.once('error', reject);
    writable.end(() => resolve());
  });
  const ms = performance.now() - t;
  const [{ n }] = (await sql`SELECT count(*)::int AS n FROM copy_probe`) as unknown as [{ n: number }];
  if (n !== rows) throw new Error(`raw COPY stored ${n} rows, expected ${rows}`);
  await sql`DROP TABLE copy_probe`;
  await sql.end();
  return ms;
}
