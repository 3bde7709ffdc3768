/**
 * The webhook benchmark's mix, drawn per request: 30% Shopify orders/create, 30% orders/paid (of an order
 * created earlier), 15% Stripe charge.succeeded, 15% charge.refunded (of a charge sent earlier), 5% exact
 * retries of a delivery already answered (same id, headers and body: must answer `duplicate: true`) and 5%
 * Shopify deliveries whose body does not parse as an order (cut short, or a total that is no amount). Each
 * signed as its sender signs it; every delivery id unique but the retries'.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { rng } from './generate.ts';
import { fill, type Slot, type Template, templates } from './webhook-payloads.ts';

export const SECRETS = { shopify: 'bench-shopify-secret', stripe: 'whsec_bench_stripe_secret' };
export const RING = 4096;

export type Kind = 'created' | 'paid' | 'charged' | 'refunded' | 'retry' | 'unparsable';

export interface Delivery {
  kind: Kind;
  path: string;
  headers: Record<string, string>;
  body: string;
  key: string;
}

const shopifyHmac = (body: string) => createHmac('sha256', SECRETS.shopify).update(body).digest('base64');
const stripeSignature = (body: string) => {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', SECRETS.stripe).update(`${t}.${body}`).digest('hex')}`;
};

/** Draws the next delivery of the mix; `answered` is the pool retries are taken from. */
export function deliveries(answered: Delivery[]) {
  const t = templates(12);
  const r = rng(99);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const orders = ring<Pick<Record<Slot, string>, 'ID' | 'NUM' | 'EMAIL'>>(r);
  const charges = ring<string>(r);
  let seq = 0;
  const tag = (n: number) => n.toString(36).padStart(8, '0');
  const shopify = (kind: Kind, topic: string, body: string): Delivery => {
    const id = randomUUID();
    const headers = {
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': shopifyHmac(body),
      'x-shopify-webhook-id': id,
      'x-shopify-shop-domain': 'acme-press.myshopify.com',
      'x-shopify-api-version': '2024-10',
    };
    return { kind, path: '/webhooks/shopify', headers, body, key: `shopify\t${id}` };
  };
  const order = (tpl: Template, o: Pick<Record<Slot, string>, 'ID' | 'NUM' | 'EMAIL'>) =>
    fill(tpl, { ...o, AT: new Date().toISOString(), TS: '', EVT: '', CH: '', RE: '' });
  const newOrder = () => {
    const n = ++seq;
    const o = {
      ID: String(6_100_000_000_000 + n),
      NUM: String(1000 + n),
      EMAIL: `buyer${n % 40_000}@example.com`,
    };
    orders.add(o);
    return o;
  };
  return (): Delivery => {
    const roll = r();
    if (roll >= 0.9 && roll < 0.95 && answered.length > 0) return { ...pick(answered), kind: 'retry' };
    if (roll < 0.3 || roll >= 0.9) {
      const body = order(pick(t.created), newOrder());
      if (roll < 0.95) return shopify('created', 'orders/create', body);
      const bad =
        r() < 0.5
          ? body.slice(0, Math.floor(body.length * 0.6))
          : body.replace('"total_price":"', '"total_price":"n/a ');
      return shopify('unparsable', 'orders/create', bad);
    }
    if (roll < 0.6) return shopify('paid', 'orders/paid', order(pick(t.paid), orders.pick() ?? newOrder()));
    const n = ++seq;
    const earlier = roll >= 0.75 ? charges.pick() : undefined;
    const refund = earlier !== undefined;
    const ch = earlier ?? `ch_bench${tag(n)}`;
    if (!refund) charges.add(ch);
    const v = { ID: '', AT: '', NUM: String(1000 + n), EMAIL: `buyer${n % 40_000}@example.com` };
    const evt = `evt_bench${tag(n)}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const body = fill(pick(refund ? t.refunded : t.charged), {
      ...v,
      TS: ts,
      EVT: evt,
      CH: ch,
      RE: `re_bench${tag(n)}`,
    });
    const headers = { 'stripe-signature': stripeSignature(body) };
    return {
      kind: refund ? 'refunded' : 'charged',
      path: '/webhooks/stripe',
      headers,
      body,
      key: `stripe\t${evt}`,
    };
  };
}

/** The last RING items added, one picked at random. */
function ring<T>(r: () => number) {
  const xs: T[] = [];
  let n = 0;
  return {
    add: (x: T) => {
      xs[n++ % RING] = x;
    },
    pick: (): T | undefined => xs[Math.floor(r() * xs.length)],
  };
}
