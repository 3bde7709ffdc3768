/**
 * Delivery bodies as the senders post them, modeled on the Shopify Admin REST webhook payloads and the
 * Stripe Event objects of their API references (fields the parsers ignore are kept, so a parser that
 * trips on real noise fails here). Each builder takes overrides merged over the top-level object.
 */

type Json = Record<string, unknown>;

/** 2024-11-10T15:30:00Z: when the Stripe objects below were created, and Shopify's order at -05:00. */
export const T_ORDER_S = 1_731_252_600;
export const T_ORDER_MS = T_ORDER_S * 1000;
/** When a delivery without a time of its own was received (the parsers' fallback instant). */
export const RECEIVED_MS = Date.UTC(2024, 10, 12, 8, 0, 0);

export function shopifyLineItem(overrides: Json = {}): Json {
  return {
    id: 13_868_437_094_498,
    admin_graphql_api_id: 'gid://shopify/LineItem/13868437094498',
    fulfillment_status: null,
    name: 'Growth Playbook - Hardcover',
    price: '27.50',
    price_set: { shop_money: { amount: '27.50', currency_code: 'USD' } },
    product_id: 8_266_836_345_064,
    quantity: 2,
    sku: 'GPB-HC',
    title: 'Growth Playbook',
    total_discount: '0.00',
    variant_id: 44_610_569_208_040,
    variant_title: 'Hardcover',
    vendor: 'Acme Press',
    tax_lines: [{ price: '5.00', rate: 0.1, title: 'State Tax' }],
    ...overrides,
  };
}

/** An order as orders/create, orders/paid, orders/updated and orders/cancelled send it. */
export function shopifyOrder(overrides: Json = {}): Json {
  return {
    id: 5_940_139_491_234,
    admin_graphql_api_id: 'gid://shopify/Order/5940139491234',
    app_id: 580_111,
    browser_ip: '203.0.113.7',
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    confirmation_number: 'X1Y2Z3W4V',
    contact_email: 'jon@example.com',
    created_at: '2024-11-10T10:30:00-05:00',
    currency: 'USD',
    current_total_price: '59.99',
    email: 'jon@example.com',
    financial_status: 'paid',
    fulfillment_status: null,
    name: '#1001',
    order_number: 1001,
    presentment_currency: 'USD',
    processed_at: '2024-11-10T10:30:00-05:00',
    source_name: 'web',
    subtotal_price: '54.99',
    test: false,
    total_discounts: '0.00',
    total_price: '59.99',
    total_price_set: {
      shop_money: { amount: '59.99', currency_code: 'USD' },
      presentment_money: { amount: '59.99', currency_code: 'USD' },
    },
    total_tax: '5.00',
    updated_at: '2024-11-10T10:30:02-05:00',
    customer: { id: 7_069_813_211_234, email: 'jon@example.com', first_name: 'Jon', last_name: 'Snow' },
    line_items: [shopifyLineItem()],
    shipping_lines: [{ code: 'Standard', price: '0.00', title: 'Standard' }],
    refunds: [],
    ...overrides,
  };
}

export function shopifyTransaction(overrides: Json = {}): Json {
  return {
    id: 6_893_043_089_506,
    admin_graphql_api_id: 'gid://shopify/OrderTransaction/6893043089506',
    amount: '30.00',
    authorization: null,
    created_at: '2024-11-12T09:15:00-05:00',
    currency: 'USD',
    error_code: null,
    gateway: 'shopify_payments',
    kind: 'refund',
    message: 'Refunded 30.00 USD',
    order_id: 5_940_139_491_234,
    parent_id: 6_893_001_211_234,
    processed_at: '2024-11-12T09:15:00-05:00',
    receipt: {},
    source_name: 'web',
    status: 'success',
    test: false,
    user_id: null,
    ...overrides,
  };
}

/** A refund as refunds/create sends it. */
export function shopifyRefund(overrides: Json = {}): Json {
  return {
    id: 1_019_512_324_234,
    admin_graphql_api_id: 'gid://shopify/Refund/1019512324234',
    created_at: '2024-11-12T09:15:00-05:00',
    note: 'Damaged in transit',
    order_id: 5_940_139_491_234,
    processed_at: '2024-11-12T09:15:00-05:00',
    restock: true,
    return: null,
    user_id: 104_239_054_946,
    duties: [],
    order_adjustments: [],
    refund_line_items: [
      {
        id: 572_371_632_290,
        line_item_id: 13_868_437_094_498,
        location_id: 67_184_377_954,
        quantity: 1,
        restock_type: 'return',
        subtotal: 27.5,
        total_tax: 2.5,
        line_item: shopifyLineItem({ quantity: 2 }),
      },
    ],
    transactions: [shopifyTransaction()],
    ...overrides,
  };
}

/** A Stripe Event wrapping `object`. */
export function stripeEvent(type: string, object: Json, overrides: Json = {}): Json {
  return {
    id: 'evt_3QJbKcLkdIwHu7ix0aBcDeFg',
    object: 'event',
    api_version: '2024-06-20',
    created: T_ORDER_S + 5,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: 'req_9xYzAbCdEf', idempotency_key: 'c1d2e3f4-0000-4a4a-9b9b-123456789abc' },
    type,
    ...overrides,
  };
}

export function stripeCharge(overrides: Json = {}): Json {
  return {
    id: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
    object: 'charge',
    amount: 5999,
    amount_captured: 5999,
    amount_refunded: 0,
    application_fee_amount: null,
    balance_transaction: 'txn_3QJbKcLkdIwHu7ix1aB2cD3e',
    billing_details: {
      address: { city: null, country: 'US', line1: null, line2: null, postal_code: '94107', state: null },
      email: 'jenny.rosen@example.com',
      name: 'Jenny Rosen',
      phone: null,
    },
    calculated_statement_descriptor: 'ACME PRESS',
    captured: true,
    created: T_ORDER_S,
    currency: 'usd',
    customer: 'cus_R1xYz2AbCd',
    description: 'Order #1001',
    disputed: false,
    livemode: false,
    metadata: { stream: 'books', order_id: '1001' },
    outcome: {
      network_status: 'approved_by_network',
      risk_level: 'normal',
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: 'pi_3QJbKcLkdIwHu7ix1Xy2Zw3V',
    payment_method: 'pm_1QJbKbLkdIwHu7ixAbCdEfGh',
    payment_method_details: {
      card: { brand: 'visa', last4: '4242', exp_month: 8, exp_year: 2027 },
      type: 'card',
    },
    receipt_email: null,
    receipt_url: 'https://pay.stripe.com/receipts/payment/CAcaFwoV',
    refunded: false,
    status: 'succeeded',
    ...overrides,
  };
}

export function stripeRefund(overrides: Json = {}): Json {
  return {
    id: 're_3QJbKcLkdIwHu7ix1Ab2Cd3E',
    object: 'refund',
    amount: 1000,
    balance_transaction: 'txn_3QJbKcLkdIwHu7ix1Ef4Gh5I',
    charge: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
    created: T_ORDER_S + 86_400,
    currency: 'usd',
    metadata: {},
    payment_intent: 'pi_3QJbKcLkdIwHu7ix1Xy2Zw3V',
    reason: 'requested_by_customer',
    receipt_number: null,
    status: 'succeeded',
    ...overrides,
  };
}

/** The charge of a charge.refunded event, with its refunds listed (API versions before 2022-11-15). */
export function stripeRefundedCharge(refunds: Json[], overrides: Json = {}): Json {
  const refunded = refunds.reduce((n, r) => n + (r.amount as number), 0);
  return stripeCharge({
    amount_refunded: refunded,
    refunded: refunded === 5999,
    refunds: {
      object: 'list',
      data: refunds,
      has_more: false,
      total_count: refunds.length,
      url: '/v1/charges/ch_3QJbKcLkdIwHu7ix1Mq2Rs3T/refunds',
    },
    ...overrides,
  });
}

export function stripeDispute(overrides: Json = {}): Json {
  return {
    id: 'dp_1QJcLmLkdIwHu7ixQwErTyUi',
    object: 'dispute',
    amount: 5999,
    balance_transactions: [],
    charge: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
    created: T_ORDER_S + 3 * 86_400,
    currency: 'usd',
    evidence_details: {
      due_by: T_ORDER_S + 10 * 86_400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: 'pi_3QJbKcLkdIwHu7ix1Xy2Zw3V',
    reason: 'fraudulent',
    status: 'needs_response',
    ...overrides,
  };
}

export function stripePayout(overrides: Json = {}): Json {
  return {
    id: 'po_1QJdNoLkdIwHu7ixZxCvBnMa',
    object: 'payout',
    amount: 120_000,
    arrival_date: T_ORDER_S + 2 * 86_400,
    automatic: true,
    balance_transaction: 'txn_1QJdNoLkdIwHu7ixLkJhGfDs',
    created: T_ORDER_S + 86_400,
    currency: 'usd',
    description: 'STRIPE PAYOUT',
    destination: 'ba_1PqRsTLkdIwHu7ixPoIuYtRe',
    failure_code: null,
    livemode: false,
    metadata: {},
    method: 'standard',
    source_type: 'card',
    statement_descriptor: null,
    status: 'paid',
    type: 'bank_account',
    ...overrides,
  };
}

/** A Shopier payment notification, as an integration forwards it (form fields as strings). */
export function shopierPayment(overrides: Json = {}): Json {
  return {
    platform_order_id: '10023',
    payment_id: '387104523',
    installment: '1',
    buyer_name: 'Ayşe',
    buyer_surname: 'Yılmaz',
    buyer_email: 'ayse@example.com.tr',
    product_name: 'Growth Playbook (e-book)',
    price: '149.90',
    currency: '0',
    status: 'success',
    random_nr: '718293',
    signature: 'b3JkZXJfc2lnbmF0dXJlX2Jhc2U2NA==',
    ...overrides,
  };
}
