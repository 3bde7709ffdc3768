import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/client.ts';
import { type IntakeDeps, parsePending, receiveDelivery } from '../../src/app/commerce/intake.ts';
import type { Ctx } from '../../src/app/context.ts';
import { openRepositories } from '../../src/composition/repositories.ts';
import { piiHasher } from '../../src/shared/pii.ts';
import { shopifyOrder } from '../domain/commerce/payloads.ts';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends, silentLog } from '../support/db.ts';

/**
 * `leak webhooks failed|replay` through the real entry point, on deliveries stored and parsed by the real
 * intake (receiveDelivery, then parsePending, as the server does): a Shopify order without its total, a
 * generic event without an amount and a body that is not JSON fail; a paid order parses; a topic we do
 * not track is ignored.
 */

const ctx: Ctx = { actor: { type: 'system', job: 'test' }, requestId: 'webhooks-test', log: silentLog };

interface Seeded {
  paid: string;
  noTotal: string;
  noAmount: string;
  notJson: string;
  untracked: string;
}

async function seed(db: Db): Promise<Seeded> {
  const repos = openRepositories(db);
  const deps: IntakeDeps = {
    deliveries: repos.webhooks,
    clock: { now: () => Date.now() },
    hashEmail: piiHasher('webhooks-test-key'),
  };
  const receive = async (source: string, topic: string, deliveryId: string, body: unknown) =>
    (
      await receiveDelivery(deps, ctx, {
        source,
        topic,
        deliveryId,
        contentType: 'application/json',
        body: typeof body === 'string' ? body : JSON.stringify(body),
      })
    ).id;
  const seeded: Seeded = {
    paid: await receive('shopify', 'orders/paid', 'wh-1', shopifyOrder()),
    untracked: await receive('shopify', 'products/update', 'wh-2', { id: 1, title: 'Mug' }),
    noAmount: await receive('myshop', 'order', 'ev-1', { id: 'ord_9', currency: 'EUR', status: 'paid' }),
    notJson: await receive('myshop', 'order', 'ev-2', 'status=paid&amount=5'),
    // Newest: the Shopify order whose total is missing (Shopify always sends one; a proxy dropped it).
    noTotal: await receive(
      'shopify',
      'orders/paid',
      'wh-3',
      shopifyOrder({
        id: 5_940_139_491_777,
        admin_graphql_api_id: 'gid://shopify/Order/5940139491777',
        total_price: undefined,
      }),
    ),
  };
  expect(await parsePending(deps, ctx)).toEqual({ parsed: 1, ignored: 1, failed: 3 });
  return seeded;
}

describe.each(backends.map((b) => b.name))('leak webhooks on %s', (name) => {
  let target: CliTarget;
  let ids: Seeded;
  const leak = (args: string[]) => runLeak(args, target.env);

  beforeAll(async () => {
    target = await openCliTarget(name, 'leak-webhooks');
  });
  afterAll(async () => target.dispose());

  it('is listed in --help, has its own help, and rejects bad usage with 64', async () => {
    const usage = (await leak(['--help'])).out;
    expect(usage).toMatch(/leak webhooks failed \[--source s\]/);
    expect(usage).toMatch(/leak webhooks replay <id>/);
    const help = await leak(['webhooks', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--limit <N>/);
    expect(help.out).toMatch(/never the body/);
    expect(help.out).toMatch(/Example: leak webhooks failed --source shopify/);
    for (const [args, message] of [
      [['webhooks'], /expected a subcommand: failed or replay/],
      [['webhooks', 'retry'], /unknown subcommand 'retry'/],
      [['webhooks', 'replay'], /expected a delivery id/],
      [['webhooks', 'replay', '1', '2'], /unexpected argument '2'/],
      [['webhooks', 'replay', '1', '--json'], /replay takes only a delivery id/],
      [['webhooks', 'failed', '--limit', '0'], /--limit must be a whole number from 1 to 1000/],
      [['webhooks', 'failed', '--limit', 'ten'], /--limit must be/],
    ] as const) {
      const r = await leak([...args]);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.err).toMatch(message);
    }
  });

  it('lists nothing on a fresh database', async () => {
    expect(await leak(['webhooks', 'failed'])).toMatchObject({ code: 0, out: 'No failed deliveries.\n' });
    ids = await target.withDb(seed);
  });

  it('lists the failed deliveries newest first, with their reasons and never their bodies', async () => {
    const r = await leak(['webhooks', 'failed']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SOURCE\s+TOPIC\s+RECEIVED\s+ATTEMPTS\s+REASON$/);
    const at = String.raw`\d{4}-\d\d-\d\dT[\d:]{8}Z`;
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^${ids.noTotal}\\s+shopify\\s+orders/paid\\s+${at}\\s+1\\s+total_price is missing$`),
      ),
      expect.stringMatching(
        new RegExp(`^${ids.notJson}\\s+myshop\\s+order\\s+${at}\\s+1\\s+the body is not JSON`),
      ),
      expect.stringMatching(
        new RegExp(
          `^${ids.noAmount}\\s+myshop\\s+order\\s+${at}\\s+1\\s+amount_cents \\(or amount\\) is missing$`,
        ),
      ),
    ]);
    // No body column. (The not-JSON reason is V8's JSON.parse message, which quotes the body's start: the
    // intake stores it so; see the issue note.)
    expect(r.out).not.toMatch(/pii:|Growth Playbook|ord_9/);

    const shopify = await leak(['webhooks', 'failed', '--source', 'Shopify']);
    expect(shopify.out.trimEnd().split('\n')).toHaveLength(2);
    expect((await leak(['webhooks', 'failed', '--source', 'stripe'])).out).toBe(
      'No failed deliveries from stripe.\n',
    );
    expect((await leak(['webhooks', 'failed', '--limit', '1'])).out.trimEnd().split('\n')).toHaveLength(2);

    const json = JSON.parse((await leak(['webhooks', 'failed', '--json', '--source', 'myshop'])).out);
    expect(json).toEqual([
      expect.objectContaining({ id: ids.notJson, source: 'myshop', deliveryId: 'ev-2', attempts: 1 }),
      {
        id: ids.noAmount,
        source: 'myshop',
        topic: 'order',
        deliveryId: 'ev-1',
        receivedAtMs: expect.any(Number),
        attempts: 1,
        error: 'amount_cents (or amount) is missing',
      },
    ]);
    for (const d of json) expect(Object.keys(d)).not.toContain('body');
  });

  it('replaying a delivery the mapping still cannot read fails again with the same reason (exit 1)', async () => {
    const r = await leak(['webhooks', 'replay', ids.noTotal]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `Delivery ${ids.noTotal} (shopify orders/paid) failed again: total_price is missing\n`,
    );
    // Still kept as failed, with a second attempt recorded.
    const [again] = JSON.parse((await leak(['webhooks', 'failed', '--json', '--limit', '1'])).out);
    expect(again).toMatchObject({ id: ids.noTotal, attempts: 2, error: 'total_price is missing' });
  });

  it('refuses an id that is not a failed delivery, with a clear message (exit 1)', async () => {
    const parsed = await leak(['webhooks', 'replay', ids.paid]);
    expect(parsed).toMatchObject({ code: 1, out: '' });
    expect(parsed.err).toMatch(new RegExp(`delivery ${ids.paid} is parsed, not failed`));
    for (const id of ['999999', 'abc']) {
      const r = await leak(['webhooks', 'replay', id]);
      expect(r).toMatchObject({
        code: 1,
        err: `leak webhooks: no delivery with id '${id}' (see leak webhooks failed)\n`,
      });
    }
  });

  it('replays an ignored delivery and says why it is ignored (exit 0)', async () => {
    const r = await leak(['webhooks', 'replay', ids.untracked]);
    expect(r).toMatchObject({
      code: 0,
      out: `Delivery ${ids.untracked} (shopify products/update) ignored: topic products/update is not tracked\n`,
    });
  });

  it('a delivery that failed under an earlier mapping parses on replay, once (exit 0)', async () => {
    // What a mapping fix looks like from the store's side: the delivery is kept as failed by the parser of
    // the day; the parser of today reads it. The stored body is untouched.
    await target.withDb((db) =>
      db.query(
        `UPDATE webhook_deliveries SET status = 'failed', error = 'older mapping: no total' WHERE id = $1`,
        [ids.paid],
      ),
    );
    expect((await leak(['webhooks', 'failed', '--json'])).out).toContain('older mapping: no total');
    const r = await leak(['webhooks', 'replay', ids.paid]);
    expect(r).toMatchObject({
      code: 0,
      out: `Delivery ${ids.paid} (shopify orders/paid) parsed: its ledger changes are written.\n`,
    });
    const sales = await target.withDb((db) =>
      db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ledger_entries WHERE source = 'shopify' AND kind = 'sale'`,
      ),
    );
    expect(sales[0]!.n).toBe(1);
    expect((await leak(['webhooks', 'failed', '--json'])).out).not.toContain('older mapping');
  });

  it('leak revenue counts the failures of the last 24 h per source', async () => {
    const r = await leak(['revenue']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\s+myshop\s+(just now|\d+ min ago)\s+failed \(order, #\d+\)\s+2\s+never$/m);
    expect(r.out).toMatch(/^\s+shopify\s+(just now|\d+ min ago)\s+failed \(orders\/paid, #\d+\)\s+1\s+/m);
    expect(r.out).toMatch(/^\s+shopify: last delivery failed: total_price is missing$/m);
    expect(r.out).toMatch(/See them with: leak webhooks failed/);
  });
});
