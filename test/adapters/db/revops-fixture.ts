/**
 * A small hand-made RevOps dataset for revops-reads.test.ts, inserted by SQL (not through the imports),
 * with the figures it must give worked out by hand in the test. The period is the quarter
 * [2026-09-01, 2026-12-01); t = 2026-12-01T00:00Z is its end. Amounts are cents.
 */

// Deals. Days in stage are to t: D2 45 days exactly, D5 44 days 23:59:59, D3 91 days, D4 122 days.
export const DEALS_SQL = `
INSERT INTO revops_deals (deal_id, account, segment, owner, stage, amount_cents, created_at, last_stage_change,
  probability, source_channel) VALUES
('D1',  'a1',  'SMB', 'ann', 'Discovery',   100000,  '2026-10-01T00:00Z', '2026-11-21T00:00Z',        0.1, 'Paid'),
('D2',  'a2',  'MM',  'ann', 'Demo',        6000000, '2026-08-01T00:00Z', '2026-10-17T00:00Z',        0.3, 'Events'),
('D3',  'a3',  'ENT', 'bob', 'Negotiation', 5000000, '2026-05-01T00:00Z', '2026-09-01T00:00Z',        0.6, 'Paid'),
('D4',  'a4',  'ENT', 'bob', 'Negotiation', 4999999, '2026-05-01T00:00Z', '2026-08-01T00:00Z',        0.6, 'Paid'),
('D5',  'a5',  'SMB', 'ann', 'Demo',        7000000, '2026-07-01T00:00Z', '2026-10-17T00:00:01Z',     0.3, 'Events'),
('D6',  'a6',  'SMB', 'bob', 'Discovery',   50000,   '2026-11-30T12:00Z', '2026-11-30T12:00Z',        0.1, 'Referral'),
('D7',  'a7',  'MM',  'cat', 'Closed_Won',  2000000, '2026-09-10T00:00Z', '2026-10-15T00:00Z',        1,   'Paid'),
('D8',  'a8',  'MM',  'cat', 'Closed_Lost', 500000,  '2026-06-01T00:00Z', '2026-09-01T00:00Z',        0,   'Events'),
('D9',  'a9',  'SMB', 'ann', 'Closed_Lost', 300000,  '2026-09-05T00:00Z', '2026-11-30T23:59:59.999Z', 0,   ''),
('D10', 'a10', 'SMB', 'ann', 'Closed_Won',  800000,  '2026-08-15T00:00Z', '2026-12-01T00:00Z',        1,   'Paid'),
('D11', 'a11', 'ENT', 'bob', 'Closed_Won',  900000,  '2026-03-01T00:00Z', '2026-08-31T23:59:59Z',     1,   'Paid'),
('D12', 'a12', 'MM',  'cat', 'Negotiation', 400000,  '2026-11-01T00:00Z', '2026-12-05T00:00Z',        0.6, 'Paid'),
('D13', 'a13', 'SMB', 'dan', 'Demo',        150000,  '2026-12-02T00:00Z', '2026-12-02T00:00Z',        0.3, 'Paid'),
('D14', 'a14', 'SMB', 'ann', 'Closed_Won',  200000,  '2026-11-01T00:00Z', '2026-11-15T00:00Z',        1,   'Referral');`;

// Customers and MRR history. Monthly MRR (Aug | Sep Oct Nov):
//   C1 1000 | 1500 1500 1200      expansion in Sep, contraction in Nov
//   C2 2000 |    0 2500 2500      churn in Sep, reactivation in Oct (first paid in June)
//   C3    0 | 3000 3000    0      new in Sep, churn in Nov (churn_date 2026-11-05, price)
//   C4 10000|10000    0    0      no history rows: mrr 10000 from March to its churn month October
//   C5    0 |    0  700  700      no history rows: new in October
//   C6  500 |    0    0  400      a 0-MRR row in Sep (churn), reactivation in Nov
//   C7 history only in 2024 and no churn date: not a no-history customer, pays nothing now
//   C8    0 |    0    0  900      paid in 2025 (before every month read), back in Nov: reactivation
//   C9 no history, mrr 0: never pays
export const CUSTOMERS_SQL = `
INSERT INTO revops_customers (customer_id, account, segment, start_date, mrr_cents, churn_date, churn_reason) VALUES
('C1', 'c1', 'SMB', '2026-07-10', 1200,  NULL,         NULL),
('C2', 'c2', 'MM',  '2026-06-01', 2500,  NULL,         NULL),
('C3', 'c3', 'MM',  '2026-09-15', 3000,  '2026-11-05', 'price'),
('C4', 'c4', 'ENT', '2026-03-20', 10000, '2026-10-10', 'budget'),
('C5', 'c5', 'SMB', '2026-10-02', 700,   NULL,         NULL),
('C6', 'c6', 'SMB', '2025-05-01', 400,   NULL,         NULL),
('C7', 'c7', 'ENT', '2024-01-01', 5000,  NULL,         NULL),
('C8', 'c8', 'SMB', '2025-03-01', 900,   NULL,         NULL),
('C9', 'c9', 'MM',  '2026-10-01', 0,     NULL,         NULL);
INSERT INTO revops_mrr_history (customer_id, month, mrr_cents) VALUES
('C1', '2026-07-01', 1000), ('C1', '2026-08-01', 1000), ('C1', '2026-09-01', 1500), ('C1', '2026-10-01', 1500),
('C1', '2026-11-01', 1200),
('C2', '2026-06-01', 2000), ('C2', '2026-07-01', 2000), ('C2', '2026-08-01', 2000), ('C2', '2026-10-01', 2500),
('C2', '2026-11-01', 2500),
('C3', '2026-09-01', 3000), ('C3', '2026-10-01', 3000),
('C6', '2026-08-01', 500), ('C6', '2026-09-01', 0), ('C6', '2026-11-01', 400),
('C7', '2024-01-01', 5000),
('C8', '2025-03-01', 800), ('C8', '2025-04-01', 800), ('C8', '2025-06-01', 800), ('C8', '2026-11-01', 900);`;

export const SPEND_SQL = `
INSERT INTO revops_marketing_spend (day, channel, campaign, segment, geo, spend_cents, impressions, clicks, leads,
  mqls, sqls, opportunities, won) VALUES
('2026-09-01', 'Paid',     'p', 'SMB', 'US', 100000, 9000, 900, 100, 40, 20, 10, 4),
('2026-11-30', 'Paid',     'p', 'MM',  'US', 50000,  1000, 100, 50,  10, 5,  2,  1),
('2026-12-01', 'Paid',     'p', 'SMB', 'US', 999999, 1,    1,   1,   1,  1,  1,  1),
('2026-08-31', 'Events',   'e', 'ENT', 'EU', 777,    1,    1,   1,   1,  1,  1,  1),
('2026-10-10', 'Events',   'e', 'ENT', 'EU', 200000, 0,    0,   20,  8,  4,  2,  1),
('2026-10-10', 'Events',   'e', '',    'EU', 30000,  0,    0,   10,  0,  0,  0,  0),
('2026-10-11', 'Referral', 'r', 'SMB', '',   0,      0,    0,   5,   3,  2,  1,  1);`;

/** Funnel records for the fallback (revops_deals empty): see the funnel test for what each one is. */
export const RECORDS_SQL = `
INSERT INTO records (id, type, company, owner, source, stage, created_at, last_touch_at, value_cents) VALUES
('R1', 'opp',  'r1', 'ann', 'web', 'Discovery',   '2026-10-01T00:00Z', '2026-11-01T00:00Z', 1000000),
('R2', 'opp',  'r2', 'bob', 'web', 'closed_won',  '2026-09-15T00:00Z', '2026-10-20T00:00Z', 2000000),
('R3', 'opp',  'r3', 'bob', 'web', 'Closed Lost', '2026-08-01T00:00Z', NULL,                300000),
('R4', 'opp',  'r4', 'bob', 'web', 'Archived',    '2026-10-01T00:00Z', '2026-10-02T00:00Z', 999),
('R5', 'opp',  'r5', 'cat', 'ads', 'Proposal',    '2026-06-01T00:00Z', '2026-10-01T00:00Z', 500000),
('R6', 'lead', 'r6', 'cat', 'ads', 'Negotiation', '2026-10-01T00:00Z', '2026-10-02T00:00Z', 800000),
('R7', 'opp',  'r7', 'cat', 'ads', 'Negotiation', '2026-11-01T00:00Z', '2026-11-11T00:00Z', 100000),
('R8', 'opp',  'r8', 'ann', 'ads', 'CLOSED WON',  '2026-11-05T00:00Z', '2026-11-20T00:00Z', 700000);`;
