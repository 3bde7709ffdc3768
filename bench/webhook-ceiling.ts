/**
 * The webhook benchmark's ceiling: the very rows the intake stored, written again by a bare postgres.js
 * client into tables made `LIKE webhook_deliveries INCLUDING ALL` (same identity, unique key and indexes):
 * one INSERT per row (each its own transaction, as the server does per delivery) over as many concurrent
 * connections as the benchmark had clients, first not prepared (a Parse and Describe round trip before
 * each Bind and Execute, as the app sent it before 973b229), then prepared once per connection as the app
 * now sends it (the bare best);
 * then all of them in one COPY.
 */

const COLUMNS = 'source, topic, delivery_id, received_at, content_type, body';

export interface Ceiling {
  rows: number;
  /** Prepared once per connection: one round trip per row (Bind, Execute, Sync). */
  insertMs: number;
  insertRowsPerSec: number;
  /** As the app's driver calls it (`sql.unsafe(text, params)`, not prepared): Parse and Describe first. */
  unpreparedMs: number;
  unpreparedRowsPerSec: number;
  copyMs: number;
  copyRowsPerSec: number;
}

export async function rawCeiling(dbUrl: string, connections: number): Promise<Ceiling> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(dbUrl, { max: connections, onnotice: () => {} });
  try {
    const rows = await sql.unsafe<Record<string, string | null>[]>(
      `SELECT source, topic, delivery_id, received_at::text AS received_at, content_type, body
       FROM webhook_deliveries ORDER BY id`,
    );
    const unpreparedMs = await insertEach(sql, rows, connections, false);
    const insertMs = await insertEach(sql, rows, connections, true);
    const copyMs = await copyAll(sql);
    const n = rows.length;
    return {
      rows: n,
      insertMs,
      insertRowsPerSec: (n / insertMs) * 1000,
      unpreparedMs,
      unpreparedRowsPerSec: (n / unpreparedMs) * 1000,
      copyMs,
      copyRowsPerSec: (n / copyMs) * 1000,
    };
  } finally {
    await sql.unsafe('DROP TABLE IF EXISTS insert_probe');
    await sql.unsafe('DROP TABLE IF EXISTS copy_probe');
    await sql.end();
  }
}

type Pg = import('postgres').Sql;

/** One INSERT per row, `connections` of them in flight at any time, as many transactions as rows. */
async function insertEach(
  sql: Pg,
  rows: Record<string, string | null>[],
  connections: number,
  prepare: boolean,
) {
  await sql.unsafe('DROP TABLE IF EXISTS insert_probe');
  await sql.unsafe('CREATE TABLE insert_probe (LIKE webhook_deliveries INCLUDING ALL)');
  const text = `INSERT INTO insert_probe (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (source, delivery_id) DO NOTHING RETURNING id`;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      const r = rows[i]!;
      const params = [
        r['source'],
        r['topic'],
        r['delivery_id'],
        r['received_at'],
        r['content_type'],
        r['body'],
      ];
      await sql.unsafe(text, params as string[], { prepare });
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const ms = performance.now() - t;
  await expectRows(sql, 'insert_probe', rows.length);
  return ms;
}

/** The same rows COPYed out (untimed) and then COPYed into a fresh table (timed). */
async function copyAll(sql: Pg) {
  const chunks: Buffer[] = [];
  const out = await sql
    .unsafe(`COPY (SELECT ${COLUMNS} FROM webhook_deliveries ORDER BY id) TO STDOUT`)
    .readable();
  for await (const c of out) chunks.push(c as Buffer);
  const [{ n }] = (await sql`SELECT count(*)::int AS n FROM webhook_deliveries`) as unknown as [
    { n: number },
  ];
  await sql.unsafe('CREATE TABLE copy_probe (LIKE webhook_deliveries INCLUDING ALL)');
  const t = performance.now();
  const writable = await sql.unsafe(`COPY copy_probe (${COLUMNS}) FROM STDIN`).writable();
  await new Promise<void>((resolve, reject) => {
    writable.once('error', reject);
    const write = (i: number): void => {
      for (; i < chunks.length; i++) {
        if (!writable.write(chunks[i]!)) {
          writable.once('drain', () => write(i + 1));
          return;
        }
      }
      writable.end(() => resolve());
    };
    write(0);
  });
  const ms = performance.now() - t;
  await expectRows(sql, 'copy_probe', n);
  return ms;
}

async function expectRows(sql: Pg, table: string, rows: number) {
  const [{ n }] = (await sql.unsafe(`SELECT count(*)::int AS n FROM ${table}`)) as unknown as [{ n: number }];
  if (n !== rows) throw new Error(`${table} holds ${n} rows, expected ${rows}`);
}
