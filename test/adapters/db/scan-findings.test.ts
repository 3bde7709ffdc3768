/**
 * How a scan writes its findings (adapters/db/findings-reconcile.ts): the first scan of a database COPYs
 * every issue straight into `findings`; later scans read the stored findings, diff, and write only the
 * changes. Both ways must store exactly the same rows, whatever the ids hold, and the diff must sort every
 * change of one scan into new, re-priced, reopened and cleared at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { findingLines } from '../../../src/adapters/db/findings-reconcile.ts';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import { runScan } from '../../../src/app/scan/scan.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { summarize } from '../../../src/domain/scan/summarize.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { buildOpp, buildRecord, daysAgo, NOW } from '../../domain/build.ts';
import { backends, silentLog } from '../../support/db.ts';

const ctx = { actor: { type: 'system', job: 'test' } as const, requestId: 't', log: silentLog };

/**
 * Ids a CRM can export, each needing COPY's escapes or sorting apart from its neighbours. The last two
 * sort one way in JavaScript (UTF-16 units: U+1F600 is a surrogate pair, 0xD83D…) and the other way by
 * code point, as the server does, so a rescan's merge with the stored findings (findings-diff.ts) meets
 * them out of order and must fall back to its order-free way.
 */
const AWKWARD_IDS = [
  'a\tb',
  'back\\slash',
  'new\nline',
  'ü-umlaut',
  'z',
  'a',
  'a_b',
  'A',
  '0',
  '日本',
  'ｚ-fullwidth',
  '😀-astral',
];

/** Records whose issues cover every rule, with ids that sort differently from the scan's order. */
function funnel(): FunnelRecord[] {
  const out: FunnelRecord[] = [];
  for (const [n, id] of AWKWARD_IDS.entries())
    out.push(buildOpp({ id, owner: n % 2 ? '' : 'ann', region: n % 3 ? 'EMEA' : '', nextStep: '' }));
  for (let i = 0; i < 300; i++)
    out.push(
      buildRecord({
        id: `L${i}`,
        owner: i % 4 ? 'bob' : '',
        region: i % 5 ? 'NA' : '',
        domain: `d${i % 7}.example`,
        nextStep: i % 3 ? 'Call' : '',
        createdAtMs: daysAgo(3),
        lastTouchAtMs: i % 6 ? daysAgo(3) : null,
        valueCents: 100_000 + i,
      }),
    );
  return out;
}

/** Every stored finding but the scan ids (which differ between two databases' scans). */
const storedRows = (db: Db) =>
  db.query(
    `SELECT issue_id, record_id, issue_type, rule_key, severity, severity_label, estimated_loss_cents::float8 AS loss,
            status, floor(extract(epoch FROM first_seen_at) * 1000)::float8 AS first_seen,
            last_seen_at, cleared_at
     FROM findings ORDER BY issue_id COLLATE "C"`,
  );

describe.each(backends)('a scan’s findings on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let repos: ReturnType<typeof makeRepositories>;
  /** The tables each scan COPYed into, in order: which way its findings went. */
  const copiedInto: string[] = [];
  const deps = () => ({
    records: repos.records,
    scans: repos.scans,
    clock: { now: () => NOW + 365 * DAY_MS },
    thresholds: DEFAULT_THRESHOLDS,
    budget: DEFAULT_BUDGET_POLICY,
  });
  const reset = async () => {
    await db.query('DELETE FROM records');
    await db.query('DELETE FROM findings');
    await db.query('DELETE FROM scans');
  };

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    const spy: Db = {
      ...db,
      transaction: (fn) =>
        db.transaction((tx) =>
          fn({
            ...tx,
            copyIn: (table, columns, lines) => {
              copiedInto.push(table);
              return tx.copyIn(table, columns, lines);
            },
          }),
        ),
    };
    repos = makeRepositories(spy);
  });
  afterAll(async () => dispose());

  it('the first scan (direct COPY) and a diffed scan store the same rows, awkward ids included', async () => {
    await reset();
    await repos.records.upsertMany(funnel());
    copiedInto.length = 0;
    const first = await runScan(deps(), ctx, { asOfMs: NOW });
    expect(copiedInto).toEqual(['findings']);
    const issues = first.summary.issues.length;
    expect(issues).toBeGreaterThan(400);
    expect(first.delta).toEqual({
      newIssues: issues,
      stillOpen: 0,
      reopened: 0,
      cleared: 0,
      reconciled: true,
    });
    const copied = await storedRows(db);
    expect(copied).toHaveLength(issues);
    expect(copied.map((r) => r['record_id'])).toEqual(expect.arrayContaining(AWKWARD_IDS));

    // The same scan again on a table that already holds one (unrelated, cleared) finding goes the diffed
    // way: every issue is new, COPYed into findings; nothing is re-priced, reopened or cleared.
    await db.query('DELETE FROM findings');
    await db.query('DELETE FROM scans');
    await db.query(
      `INSERT INTO findings (issue_id, record_id, issue_type, rule_key, severity, severity_label, estimated_loss_cents,
         status, first_seen_at, first_scan_id, changed_scan_id, last_seen_at, cleared_at)
       VALUES ('gone_ROUTING_MISMATCH', 'gone', 'ROUTING_MISMATCH', 'ROUTING_MISMATCH', 5, 'medium', 0, 'cleared',
         now(), 1, 1, now(), now())`,
    );
    copiedInto.length = 0;
    const staged = await runScan(deps(), ctx, { asOfMs: NOW });
    expect(copiedInto).toEqual(['findings']);
    expect(staged.delta).toEqual({
      newIssues: issues,
      stillOpen: 0,
      reopened: 0,
      cleared: 0,
      reconciled: true,
    });
    await db.query("DELETE FROM findings WHERE issue_id = 'gone_ROUTING_MISMATCH'");
    expect(await storedRows(db)).toEqual(copied);

    // Once more: every stored finding (awkward ids read back through COPY's escapes) matches; nothing is written.
    copiedInto.length = 0;
    const again = await runScan(deps(), ctx, { asOfMs: NOW });
    expect(copiedInto).toEqual([]);
    expect(again.delta).toEqual({
      newIssues: 0,
      stillOpen: issues,
      reopened: 0,
      cleared: 0,
      reconciled: true,
    });
    expect(await storedRows(db)).toEqual(copied);
  });

  it('one diffed scan sorts every change at once: new, re-priced, reopened, cleared, unchanged', async () => {
    await reset();
    await repos.records.upsertMany([
      buildOpp({ id: 'keep', owner: '' }), // UNASSIGNED_OWNER, unchanged throughout
      buildOpp({ id: 'price', owner: '', valueCents: 1_000_000 }), // re-priced by a new value
      buildOpp({ id: 'fix', region: '' }), // ROUTING_MISMATCH, fixed before the last scan
      buildOpp({ id: 'back', owner: '' }), // cleared by the second scan, back in the third
    ]);
    const first = await runScan(deps(), ctx, { asOfMs: NOW });
    expect(first.delta.newIssues).toBe(4);
    await repos.records.upsertMany([buildOpp({ id: 'back', owner: 'ann' })]);
    const second = await runScan(deps(), ctx, { asOfMs: NOW + DAY_MS });
    expect(second.delta).toMatchObject({ newIssues: 0, cleared: 1, reopened: 0, stillOpen: 3 });

    await repos.records.upsertMany([
      buildOpp({ id: 'price', owner: '', valueCents: 2_000_000 }),
      buildOpp({ id: 'fix', region: 'NA' }),
      buildOpp({ id: 'back', owner: '' }),
      buildOpp({ id: 'fresh', region: '' }),
    ]);
    const third = await runScan(deps(), ctx, { asOfMs: NOW + 2 * DAY_MS });
    // stillOpen counts what was open and stays open (keep, price): re-pricing is not news.
    expect(third.delta).toEqual({ newIssues: 1, stillOpen: 2, reopened: 1, cleared: 1, reconciled: true });
    const rows = await db.query<{ issue_id: string; status: string; loss: number; changed: string }>(
      `SELECT issue_id, status, estimated_loss_cents::float8 AS loss, changed_scan_id::text AS changed
       FROM findings ORDER BY issue_id`,
    );
    expect(rows).toEqual([
      { issue_id: 'back_UNASSIGNED_OWNER', status: 'open', loss: 1_000_000, changed: third.scanId },
      { issue_id: 'fix_ROUTING_MISMATCH', status: 'cleared', loss: 0, changed: third.scanId },
      { issue_id: 'fresh_ROUTING_MISMATCH', status: 'open', loss: 0, changed: third.scanId },
      { issue_id: 'keep_UNASSIGNED_OWNER', status: 'open', loss: 1_000_000, changed: first.scanId },
      { issue_id: 'price_UNASSIGNED_OWNER', status: 'open', loss: 2_000_000, changed: third.scanId },
    ]);
  });

  it('a first scan with no issue writes nothing, and the next one with issues COPYs them', async () => {
    await reset();
    await repos.records.upsertMany([buildOpp({ id: 'clean' })]);
    expect((await runScan(deps(), ctx, { asOfMs: NOW })).delta.newIssues).toBe(0);
    await repos.records.upsertMany([buildOpp({ id: 'clean', owner: '' })]);
    expect((await runScan(deps(), ctx, { asOfMs: NOW + DAY_MS })).delta).toMatchObject({ newIssues: 1 });
    expect(await db.query('SELECT issue_id FROM findings')).toEqual([{ issue_id: 'clean_UNASSIGNED_OWNER' }]);
  });
});

describe('finding lines', () => {
  const issues = summarize(funnel(), NOW, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY).issues;
  const lines = (chunks: Iterable<Uint8Array>) =>
    Buffer.concat([...chunks])
      .toString('utf8')
      .split('\n')
      .slice(0, -1);

  it('one COPY line per issue, escaped, in the scan’s order, ended by the tail', () => {
    const plain = lines(findingLines(issues, '\n'));
    expect(plain).toHaveLength(issues.length);
    expect(plain.map((l) => l.split('\t')[0])).toEqual(
      issues.map((i) => i.issueId.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')),
    );
    expect(plain[0]!.split('\t')).toHaveLength(7);
    const withTail = lines(findingLines(issues.slice(0, 1), '\topen\tX\t7\t7\n'));
    expect(withTail[0]!.split('\t').slice(7)).toEqual(['open', 'X', '7', '7']);
  });

  it('chunks end on whole lines', () => {
    const many = Array.from({ length: 40 }, () => issues).flat();
    const chunks = [...findingLines(many, '\n')];
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.at(-1)).toBe(0x0a);
  });
});
