/**
 * The webhook benchmark's delivery bodies, modeled on Shopify Admin REST order webhooks (orders/create,
 * orders/paid) and Stripe Events (charge.succeeded, charge.refunded): a pool of seeded JSON templates,
 * 2–4 KB each, split around placeholders so the load generator stamps a body by string concatenation
 * (the clients stay cheap and the CPU goes to the server).
 */
import { rng } from './generate.ts';

/** Placeholders: numeric ones are written without quotes in the body. */
export type Slot = 'ID' | 'NUM' | 'EMAIL' | 'AT' | 'TS' | 'EVT' | 'CH' | 'RE';
export type Template = readonly string[];

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dev', 'Elif', 'Femi', 'Grace', 'Hiro', 'Ines', 'Jon', 'Kofi', 'Lena'];
const LAST = ['Okafor', 'Silva', 'Müller', 'Tanaka', 'Haddad', 'Novak', 'Larsen', 'Kaya', 'Singh', 'Moreau'];
const CITIES = [
  {
    city: 'Austin',
    province: 'Texas',
    province_code: 'TX',
    zip: '78701',
    country: 'United States',
    cc: 'US',
  },
  { city: 'Toronto', province: 'Ontario', province_code: 'ON', zip: 'M5V 2T6', country: 'Canada', cc: 'CA' },
  {
    city: 'Leeds',
    province: 'England',
    province_code: 'ENG',
    zip: 'LS1 4AP',
    country: 'United Kingdom',
    cc: 'GB',
  },
  { city: 'Lyon', province: 'Rhône', province_code: '69', zip: '69002', country: 'France', cc: 'FR' },
];
const PRODUCTS = [
  { title: 'Growth Playbook', variant: 'Hardcover', sku: 'GPB-HC', price: 27.5, type: 'Books' },
  { title: 'Growth Playbook', variant: 'Ebook', sku: 'GPB-EB', price: 12, type: 'Digital' },
  { title: 'Merino Crew Sock', variant: 'M / Charcoal', sku: 'SOCK-M-CH', price: 18, type: 'Apparel' },
  { title: 'Pour-Over Kettle', variant: '1.0 L', sku: 'KET-10', price: 64.95, type: 'Kitchen' },
  { title: 'Canvas Tote', variant: 'Natural', sku: 'TOTE-NAT', price: 22, type: 'Accessories' },
  { title: 'Gift Card', variant: '$50', sku: 'GIFT-50', price: 50, type: 'Gift cards' },
];

const money = (n: number) => n.toFixed(2);
const pickOf =
  (r: () => number) =>
  <T>(xs: readonly T[]): T =>
    xs[Math.floor(r() * xs.length)]!;

/** JSON text → parts alternating literal text and slot names (odd indices). */
function split(json: string): Template {
  return json
    .replaceAll('"__IDN__"', '__ID__')
    .replaceAll('"__TSN__"', '__TS__')
    .split(/__([A-Z]+)__/);
}

/** `parts` with each slot filled from `v`. */
export function fill(t: Template, v: Readonly<Record<Slot, string>>): string {
  let s = t[0]!;
  for (let i = 1; i < t.length; i += 2) s += v[t[i] as Slot] + t[i + 1]!;
  return s;
}

function address(r: () => number, first: string, last: string) {
  const c = pickOf(r)(CITIES);
  return {
    first_name: first,
    last_name: last,
    name: `${first} ${last}`,
    address1: `${1 + Math.floor(r() * 900)} ${pickOf(r)(['Main St', 'King St', 'Rue Mercière', 'Park Row'])}`,
    address2: r() < 0.3 ? `Apt ${1 + Math.floor(r() * 40)}` : null,
    city: c.city,
    province: c.province,
    province_code: c.province_code,
    zip: c.zip,
    country: c.country,
    country_code: c.cc,
    phone: `+1 555 01${String(Math.floor(r() * 100)).padStart(2, '0')}`,
    company: null,
    latitude: Math.round(r() * 9000) / 100,
    longitude: -Math.round(r() * 9000) / 100,
  };
}

function lineItem(r: () => number, currency: string) {
  const p = pickOf(r)(PRODUCTS);
  const quantity = 1 + Math.floor(r() * 3);
  const id = 13_868_000_000_000 + Math.floor(r() * 1e9);
  const tax = Math.round(p.price * quantity * 8) / 100;
  return {
    item: {
      id,
      admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
      fulfillable_quantity: quantity,
      fulfillment_service: 'manual',
      fulfillment_status: null,
      gift_card: p.type === 'Gift cards',
      grams: Math.floor(r() * 900),
      name: `${p.title} - ${p.variant}`,
      price: money(p.price),
      price_set: { shop_money: { amount: money(p.price), currency_code: currency } },
      product_exists: true,
      product_id: 8_266_000_000_000 + Math.floor(r() * 1e6),
      product_type: p.type,
      quantity,
      requires_shipping: p.type !== 'Digital',
      sku: p.sku,
      taxable: true,
      title: p.title,
      total_discount: '0.00',
      variant_id: 44_610_000_000_000 + Math.floor(r() * 1e6),
      variant_title: p.variant,
      vendor: 'Acme Press',
      tax_lines: [{ price: money(tax), rate: 0.08, title: 'State Tax', channel_liable: false }],
    },
    total: p.price * quantity,
    tax,
  };
}

/** An order as orders/create and orders/paid send it; `paid` sets its financial status. */
function shopifyOrder(r: () => number, paid: boolean): Template {
  const pick = pickOf(r);
  const [first, last] = [pick(FIRST), pick(LAST)];
  const currency = pick(['USD', 'USD', 'CAD', 'GBP', 'EUR']);
  const lines = Array.from({ length: 1 + Math.floor(r() * 3) }, () => lineItem(r, currency));
  const subtotal = lines.reduce((n, l) => n + l.total, 0);
  const tax = lines.reduce((n, l) => n + l.tax, 0);
  const shipping = r() < 0.4 ? 0 : 7.99;
  const total = money(subtotal + tax + shipping);
  const bill = address(r, first, last);
  const order = {
    id: '__IDN__',
    admin_graphql_api_id: 'gid://shopify/Order/__ID__',
    app_id: 580_111,
    browser_ip: `203.0.113.${Math.floor(r() * 250)}`,
    buyer_accepts_marketing: r() < 0.3,
    cancel_reason: null,
    cancelled_at: null,
    checkout_token: Math.floor(r() * 2 ** 52).toString(16),
    confirmation_number: Math.floor(r() * 2 ** 40)
      .toString(36)
      .toUpperCase(),
    contact_email: '__EMAIL__',
    created_at: '__AT__',
    currency,
    current_total_price: total,
    email: '__EMAIL__',
    financial_status: paid ? 'paid' : 'pending',
    fulfillment_status: null,
    landing_site: '/products/growth-playbook?utm_source=newsletter',
    name: '#__NUM__',
    order_number: '__NUM__',
    presentment_currency: currency,
    processed_at: '__AT__',
    source_name: pick(['web', 'web', 'pos', 'shopify_draft_order']),
    subtotal_price: money(subtotal),
    tags: '',
    test: false,
    total_discounts: '0.00',
    total_price: total,
    total_price_set: {
      shop_money: { amount: total, currency_code: currency },
      presentment_money: { amount: total, currency_code: currency },
    },
    total_tax: money(tax),
    updated_at: '__AT__',
    customer: {
      id: 7_069_000_000_000 + Math.floor(r() * 1e6),
      email: '__EMAIL__',
      first_name: first,
      last_name: last,
      state: 'enabled',
      verified_email: true,
      default_address: { ...bill, default: true },
    },
    billing_address: bill,
    shipping_address: r() < 0.8 ? bill : address(r, first, last),
    line_items: lines.map((l) => l.item),
    shipping_lines: [{ code: 'Standard', price: money(shipping), title: 'Standard', source: 'shopify' }],
    note_attributes: [{ name: 'gift_wrap', value: r() < 0.1 ? 'yes' : 'no' }],
    refunds: [],
  };
  return split(JSON.stringify(order));
}

/** A card charge of `amount` as Stripe's charge object has it; `refund` listed when it was refunded. */
function stripeCharge(r: () => number, amount: number, currency: string, refund: object | null) {
  const pick = pickOf(r);
  const id36 = (bits: number) => Math.floor(r() * 2 ** bits).toString(36);
  return {
    id: '__CH__',
    object: 'charge',
    amount,
    amount_captured: amount,
    amount_refunded: refund ? amount : 0,
    application_fee_amount: null,
    balance_transaction: `txn_${id36(52)}`,
    billing_details: {
      address: { city: 'Austin', country: 'US', line1: '1 Main St', line2: null, postal_code: '78701' },
      email: '__EMAIL__',
      name: `${pick(FIRST)} ${pick(LAST)}`,
      phone: null,
    },
    calculated_statement_descriptor: 'ACME PRESS',
    captured: true,
    created: '__TSN__',
    currency,
    customer: `cus_${id36(40)}`,
    description: 'Order #__NUM__',
    disputed: false,
    livemode: true,
    metadata: { stream: pick(['books', 'courses', 'merch']), order_id: '__NUM__' },
    outcome: {
      network_status: 'approved_by_network',
      risk_level: 'normal',
      risk_score: Math.floor(r() * 60),
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: `pi_${id36(52)}`,
    payment_method: `pm_${id36(52)}`,
    payment_method_details: {
      card: {
        brand: 'visa',
        checks: { address_line1_check: 'pass', address_postal_code_check: 'pass', cvc_check: 'pass' },
        country: 'US',
        exp_month: 1 + Math.floor(r() * 12),
        exp_year: 2027 + Math.floor(r() * 4),
        funding: 'credit',
        last4: String(1000 + Math.floor(r() * 9000)),
        network: 'visa',
      },
      type: 'card',
    },
    receipt_email: '__EMAIL__',
    receipt_url: `https://pay.stripe.com/receipts/payment/${id36(52)}`,
    refunded: refund !== null,
    refunds: {
      object: 'list',
      data: refund ? [refund] : [],
      has_more: false,
      total_count: refund ? 1 : 0,
      url: '/v1/charges/__CH__/refunds',
    },
    status: 'succeeded',
  };
}

/** A Stripe Event for a charge: charge.succeeded, or charge.refunded with its refund listed. */
function stripeEvent(r: () => number, refunded: boolean): Template {
  const currency = pickOf(r)(['usd', 'usd', 'eur', 'gbp']);
  const amount = 500 + Math.floor(r() * 30_000);
  const refund = {
    id: '__RE__',
    object: 'refund',
    amount,
    balance_transaction: `txn_${Math.floor(r() * 2 ** 52).toString(36)}`,
    charge: '__CH__',
    created: '__TSN__',
    currency,
    metadata: {},
    reason: 'requested_by_customer',
    status: 'succeeded',
  };
  const event = {
    id: '__EVT__',
    object: 'event',
    api_version: '2024-06-20',
    created: '__TSN__',
    data: { object: stripeCharge(r, amount, currency, refunded ? refund : null) },
    livemode: true,
    pending_webhooks: 1,
    request: { id: `req_${Math.floor(r() * 2 ** 52).toString(36)}`, idempotency_key: null },
    type: refunded ? 'charge.refunded' : 'charge.succeeded',
  };
  return split(JSON.stringify(event));
}

export interface Templates {
  created: Template[];
  paid: Template[];
  charged: Template[];
  refunded: Template[];
}

/** Seeded pools of each kind (the same seed gives the same bodies, apart from the filled slots). */
export function templates(seed: number, n = 32): Templates {
  const r = rng(seed);
  const many = (f: () => Template) => Array.from({ length: n }, f);
  return {
    created: many(() => shopifyOrder(r, r() < 0.7)),
    paid: many(() => shopifyOrder(r, true)),
    charged: many(() => stripeEvent(r, false)),
    refunded: many(() => stripeEvent(r, true)),
  };
}
