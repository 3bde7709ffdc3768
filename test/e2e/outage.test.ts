import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy } from '../cli/crash-helpers.ts';
import { buildRecord } from '../support/builders.ts';
import { backends } from '../support/db.ts';
import { type Harness, startHarness } from './harness.ts';
import { answers } from './incident-helpers.ts';

/**
 * Issue 17: what a Slack user reads when the database goes away under the running bot. The app talks to
 * PostgreSQL through a TCP proxy this test controls; cutting it drops every open connection and refuses
 * new ones, as a stopped or unreachable server does. `/leak scan` and `/leak status` typed then are
 * acknowledged and answered with what is wrong and what happens next (never "Something went wrong"), with a
 * reference that is in the log once, as a warning, not as a bug; /readyz says the database is unreachable;
 * once the proxy is back, the same commands work again with no restart.
 *
 * PostgreSQL only: the embedded database lives in the bot's own process and cannot become unreachable.
 */
const server = backends.find((b) => b.name === 'postgres');

describe.runIf(server)('a database outage under the running bot', () => {
  let h: Harness;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await server!.open();
    dispose = fresh.dispose;
    const url = new URL(fresh.url!);
    proxy = await startProxy(Number(url.port || 5432));
    url.port = String(proxy.port);
    url.hostname = '127.0.0.1';
    h = await startHarness({
      database: { env: { DATABASE_URL: url.toString() }, dispose: async () => {} },
      records: [buildRecord({ id: 'O1', type: 'opp', owner: '', stage: 'Proposal', valueCents: 800_000 })],
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await proxy?.close();
    await dispose?.();
  });

  const slashAnswer = async (text: string) => {
    const res = await h.slash('/leak', text);
    expect(res.status).toBe(200);
    const [answer] = await answers(h, res.responseId, 1, 60_000);
    return answer!.text;
  };

  it('answers what is wrong and what happens next, logs it once per request as a warning, and recovers', async () => {
    expect(await slashAnswer('scan')).toMatch(/^SEV-4 · OK · \$11,600 at risk/);

    await proxy.cut();
    const before = h.logs.length;
    const scan = await slashAnswer('scan');
    expect(scan).toMatch(
      /^The database is unreachable, so this could not be done right now\. Scheduled work \(scans, pages, Slack updates\) resumes by itself when it is back, and nothing already recorded is lost\. Please try again in a few minutes\. \(ref ([A-Za-z0-9_-]+)\)$/,
    );
    expect(scan).not.toMatch(/Something went wrong/);
    const ref = scan.match(/\(ref ([A-Za-z0-9_-]+)\)$/)![1]!;
    expect(await slashAnswer('status')).toMatch(/^The database is unreachable/);

    const lines = h.logs
      .slice(before)
      .map((l) => JSON.parse(l) as { level: string; msg: string; ref?: string });
    const mine = lines.filter((l) => l.ref === ref);
    expect(mine).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'request failed: database unreachable' }),
    ]);
    expect(lines.filter((l) => l.msg === 'unexpected error')).toEqual([]);
    const ready = await h.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toContain('database unreachable');

    await proxy.restore();
    expect(await slashAnswer('scan')).toMatch(/^SEV-4 · OK · \$11,600 at risk/);
    expect((await h.get('/readyz')).status).toBe(200);
    // The outbox worker retried every poll meanwhile: one line when it started failing, not one per poll.
    const outage = h.logs.slice(before).map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(outage.filter((l) => l.msg === 'delivery pass failed').length).toBeLessThanOrEqual(1);
  }, 180_000);
});
