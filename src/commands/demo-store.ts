import type { LedgerWrite } from '../app/commerce/ports.ts';
import type { Clock, Ctx } from '../app/context.ts';
import { type DeliveryDeps, deliverDue } from '../app/delivery/handlers.ts';
import type { UseCases } from '../composition/use-cases.ts';
import { formatMinor } from '../domain/commerce/money-format.ts';
import { formatCount } from '../shared/format.ts';
import { DAY_MS, MINUTE_MS } from '../shared/time.ts';
import type { Io } from './common.ts';

/**
 * The store side of `leak demo` (issue 12): four weeks of order history, then today's Shopify orders and
 * Stripe charges through the real webhook intake (stored raw, emails hashed, parsed into the ledger), a
 * refund and a dispute, and a payment-gateway outage: orders keep coming but stay pending, net revenue falls
 * below the same weekday's baseline, the revenue watch pages a REVENUE_DIP, and it resolves by itself once
 * the backlog is paid.
 */
export interface StoreStoryDeps {
  uc: UseCases;
  clock: Clock;
  delivery: DeliveryDeps;
  advance(ms: number): void;
}

const HOUR_MS = 60 * MINUTE_MS;
/** A Shopify order every 20 minutes and a Stripe charge every hour: about $4,300 a day in all. */
const ORDER_EVERY_MS = 20 * MINUTE_MS;
const orderCents = (t: number) => 3_900 + ((t / ORDER_EVERY_MS) % 7) * 650;
const chargeCents = (t: number) => 12_000 + ((t / HOUR_MS) % 5) * 1_500;
const emailOf = (n: number) => `buyer${n % 97}@northwind-shop.example`;

const decimal = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

function shopifyOrder(id: number, atMs: number, paid: boolean): string {
  const at = new Date(atMs).toISOString();
  return JSON.stringify({
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    email: emailOf(id),
    created_at: at,
    processed_at: at,
    currency: 'USD',
    total_price: decimal(orderCents(atMs)),
    financial_status: paid ? 'paid' : 'pending',
    source_name: 'web',
    line_items: [{ id: id * 10, title: 'Northwind mug', quantity: 2, price: '19.50', product_type: 'Mugs' }],
  });
}

function stripeEvent(type: string, object: Record<string, unknown>, atMs: number, id: string): string {
  return JSON.stringify({ id, object: 'event', type, created: Math.floor(atMs / 1000), data: { object } });
}

const charge = (n: number, atMs: number) => ({
  id: `ch_demo_${n}`,
  object: 'charge',
  amount: chargeCents(atMs),
  currency: 'usd',
  created: Math.floor(atMs / 1000),
  status: 'succeeded',
  captured: true,
  billing_details: { email: emailOf(n + 500) },
});

/** The weeks before today, as `leak revenue import` would backfill them from a store export. */
function history(dayStartMs: number): { shopify: LedgerWrite[]; stripe: LedgerWrite[] } {
  const shopify: LedgerWrite[] = [];
  const stripe: LedgerWrite[] = [];
  const base = { currency: 'USD', customerHash: null, items: 1, stream: '' } as const;
  for (let t = dayStartMs - 28 * DAY_MS; t < dayStartMs; t += ORDER_EVERY_MS) {
    const sale = { ...base, kind: 'sale', status: 'CLEARED', atMs: t, knownAtMs: t } as const;
    shopify.push({ ...sale, externalId: `hist-${t}`, amountCents: orderCents(t), stream: 'Mugs' });
    if (t % HOUR_MS === 0) stripe.push({ ...sale, externalId: `ch_hist_${t}`, amountCents: chargeCents(t) });
  }
  return { shopify, stripe };
}

/** What the story's steps share: the use cases, the printer, and the scenario's order counter. */
interface Story {
  deps: StoreStoryDeps;
  ctx: Ctx;
  /** The revenue watch runs as the server's job would. */
  job: Ctx;
  say(s: string): void;
  receive(source: string, topic: string, deliveryId: string, body: string): Promise<unknown>;
  deliver(): Promise<void>;
  n: number;
}

export async function runStoreStory(deps: StoreStoryDeps, ctx: Ctx, io: Io): Promise<void> {
  const story: Story = {
    deps,
    ctx,
    job: { ...ctx, actor: { type: 'system', job: 'revenue-watch' } },
    say: (s) => io.out.write(`${s}\n`),
    receive: (source, topic, deliveryId, body) =>
      deps.uc.commerce.receive(ctx, { source, topic, deliveryId, contentType: 'application/json', body }),
    deliver: async () => {
      while ((await deliverDue(deps.delivery)) > 0) {}
    },
    n: 0,
  };
  story.say('\n━━ And in the store: the money that actually arrives ━━\n');
  await today(story);
  const pending = await outage(story);
  await recovery(story, pending);
}

/** The history, then today so far through the intake, a refund, a dispute and a sender's retry. */
async function today(s: Story): Promise<void> {
  const { clock } = s.deps;
  const c = s.deps.uc.commerce;
  const dayStart = Math.floor(clock.now() / DAY_MS) * DAY_MS;
  const past = history(dayStart);
  await c.writeEntries('shopify', past.shopify);
  await c.writeEntries('stripe', past.stripe);
  s.say(
    `Four weeks of order history backfilled (${formatCount(past.shopify.length + past.stripe.length)} orders, as ` +
      '`leak revenue import <orders.csv>` would from a store export).',
  );
  // Today so far: every delivery through the intake the webhook routes call (signature checked there).
  await orders(s, dayStart, clock.now(), true);
  const refund = {
    id: 9_001,
    order_id: 1_001,
    created_at: new Date(clock.now()).toISOString(),
    transactions: [{ kind: 'refund', status: 'success', amount: '12.00', currency: 'USD' }],
  };
  await s.receive('shopify', 'refunds/create', 'wh-refund-1', JSON.stringify(refund));
  const dispute = {
    id: 'dp_demo_1',
    object: 'dispute',
    charge: 'ch_demo_1',
    amount: chargeCents(dayStart),
    currency: 'usd',
    status: 'needs_response',
    created: Math.floor(clock.now() / 1000),
  };
  const disputeEvent = stripeEvent('charge.dispute.created', dispute, clock.now(), 'evt_dp_1');
  await s.receive('stripe', 'charge.dispute.created', 'evt_dp_1', disputeEvent);
  // A sender's retry of a delivery it already made: stored once, counted once.
  await s.receive('shopify', 'orders/create', `wh-${dayStart}`, shopifyOrder(1_001, dayStart, true));
  const parsed = await c.parsePending(s.ctx);
  s.say(
    `Today's webhooks: ${formatCount(parsed.parsed)} deliveries from Shopify and Stripe stored raw (buyer emails ` +
      'replaced by their keyed hash), then parsed into the ledger; a Shopify retry stored once; a $12.00 refund ' +
      'and a Stripe dispute are entries of their own, so past days still add up.',
  );
  await printToday(s.deps, s.say);
  const quiet = await c.watch(s.job);
  s.say(`Revenue watch: ${quiet.filter((o) => o.firing).length} signals firing. Nothing to page.\n`);
}

/** A Shopify order every slot of [fromMs, toMs] (paid or pending) and a Stripe charge every hour. */
async function orders(s: Story, fromMs: number, toMs: number, paid: boolean): Promise<Map<number, number>> {
  const placed = new Map<number, number>();
  for (let t = fromMs; t <= toMs; t += ORDER_EVERY_MS) {
    s.n += 1;
    placed.set(s.n, t);
    await s.receive('shopify', 'orders/create', `wh-${t}`, shopifyOrder(1_000 + s.n, t, paid));
    if (t % HOUR_MS === 0)
      await s.receive(
        'stripe',
        'charge.succeeded',
        `evt_c_${t}`,
        stripeEvent('charge.succeeded', charge(s.n, t), t, `evt_c_${t}`),
      );
  }
  return placed;
}

/** Six hours of orders held pending by a failing card gateway: the watch pages a dip. */
async function outage(s: Story): Promise<Map<number, number>> {
  const { clock } = s.deps;
  const c = s.deps.uc.commerce;
  const at = new Date(clock.now()).toISOString().slice(11, 16);
  s.say(`From ${at} UTC the store's card gateway fails: Shopify orders keep coming, but stay pending …`);
  const nextSlot = Math.floor(clock.now() / ORDER_EVERY_MS) * ORDER_EVERY_MS + ORDER_EVERY_MS;
  s.deps.advance(6 * HOUR_MS);
  const pending = await orders(s, nextSlot, clock.now(), false);
  await c.parsePending(s.ctx);
  const dip = (await c.watch(s.job)).find((o) => o.signal === 'REVENUE_DIP' && o.firing);
  const weekday = new Date(clock.now()).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  s.say(
    `Six hours later the watch compares today with the last four ${weekday}s at this hour → ` +
      `${dip ? `${dip.source} ${dip.currency} incident ${dip.incident}` : 'nothing fired'}.\n`,
  );
  await s.deliver();
  return pending;
}

/** The backlog is paid: revenue is back above the baseline and the dip resolves by itself. */
async function recovery(s: Story, pending: Map<number, number>): Promise<void> {
  const c = s.deps.uc.commerce;
  s.say('The gateway recovers and Shopify sends orders/paid for the backlog …');
  for (const [k, t] of pending)
    await s.receive('shopify', 'orders/paid', `wh-paid-${k}`, shopifyOrder(1_000 + k, t, true));
  await c.parsePending(s.ctx);
  s.deps.advance(5 * MINUTE_MS);
  const back = (await c.watch(s.job)).find((o) => o.signal === 'REVENUE_DIP' && o.source === 'shopify');
  s.say(`Revenue is back above the baseline: the dip is ${back?.incident ?? 'unchanged'}.\n`);
  await s.deliver();
  s.say(
    '`leak revenue` (or /leak revenue in Slack, with its 7-day chart) shows the day; the weekly report adds it up.',
  );
}

async function printToday(deps: StoreStoryDeps, say: (s: string) => void): Promise<void> {
  const v = await deps.uc.commerce.view({ day: null });
  for (const cur of v.currencies)
    say(
      `Net revenue today so far (${v.day}, ${v.timezone}): ${formatMinor(cur.netCents, cur.currency)} ` +
        `(${cur.bySource.map((s) => `${s.source} ${formatMinor(s.netCents, cur.currency)}`).join(', ')}).`,
    );
}
