/**
 * The dirty-CRM profile's ceilings on embedded PGlite (bench/dirty-once.ts), where there is no psql: in one
 * process, the same CSV COPYed into a bare table, and the findings the first scan stored COPYed into a
 * bare table and into one with findings' primary key, each statement timed alone (the process's start,
 * which every `leak` command on PGlite pays too, is reported apart). Everything it makes is rolled back.
 * With `truncate`, it empties findings and scans instead (so the next scan is a first scan again).
 *
 *   node bench/dirty-ceiling.ts <pglite dir> <csv>     prints one JSON line
 *   node bench/dirty-ceiling.ts <pglite dir> truncate
 */
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pgliteStartParams } from '../src/adapters/db/pglite-setup.ts';
import { LOAD_SCANNABLE } from '../src/adapters/db/records-repository.ts';

const [dir, what] = process.argv.slice(2);
if (!dir || !what) throw new Error('usage: node bench/dirty-ceiling.ts <pglite dir> <csv>|truncate');
const t0 = performance.now();
// Opened as the app opens it (adapters/db/client.ts openPglite), so the ceiling runs on the same settings.
const pg = await PGlite.create({ dataDir: dir, startParams: pgliteStartParams(PGlite.defaultStartParams) });
const openMs = performance.now() - t0;
if (what === 'truncate') {
  await pg.exec('TRUNCATE findings, scans');
  await pg.close();
  process.stdout.write('{}\n');
  process.exit(0);
}
const timed = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};
const FINDING_COLUMNS =
  'issue_id, record_id, issue_type, rule_key, severity, severity_label, estimated_loss_cents, status, first_seen_at, first_scan_id, changed_scan_id';
const out = await pg.transaction(async (tx) => {
  await tx.exec(`CREATE TABLE bare_csv (id text, type text, name text, email text, domain text, company text,
    source text, region text, owner text, stage text, created_at text, last_touch_at text, next_step text,
    value_usd text, notes text)`);
  const csv = new Blob([readFileSync(what)]);
  const csvCopyMs = await timed(() =>
    tx.query(`COPY bare_csv FROM '/dev/blob' (FORMAT csv, HEADER true)`, [], { blob: csv }),
  );
  // The findings as the first scan sent them: in issue-id order (findings-reconcile.ts).
  const exported = await tx.query(
    `COPY (SELECT ${FINDING_COLUMNS} FROM findings ORDER BY issue_id) TO '/dev/blob'`,
  );
  const findings = exported.blob!;
  const [{ n }] = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM findings')).rows as [
    { n: number },
  ];
  await tx.exec(
    'CREATE TABLE bare_findings (LIKE findings); CREATE TABLE key_findings (LIKE findings INCLUDING ALL)',
  );
  const findingsCopyMs = await timed(() =>
    tx.query(`COPY bare_findings (${FINDING_COLUMNS}) FROM '/dev/blob'`, [], { blob: findings }),
  );
  const findingsKeyCopyMs = await timed(() =>
    tx.query(`COPY key_findings (${FINDING_COLUMNS}) FROM '/dev/blob'`, [], { blob: findings }),
  );
  const recordsReadMs = await timed(() => tx.query(`COPY (${LOAD_SCANNABLE}) TO '/dev/blob'`));
  await tx.rollback();
  return { csvCopyMs, findings: n, findingsCopyMs, findingsKeyCopyMs, recordsReadMs };
});
await pg.close();
process.stdout.write(`${JSON.stringify({ openMs, ...out })}\n`);
