-- RevOps analytics (issue 14, DOMAIN.md §9): the three imports the figures are computed from. Each table is
-- the current state of what its CSV says, upserted by its natural key, so re-importing a corrected file
-- replaces rows instead of adding them. Amounts are integer cents. Figures are aggregated here in SQL
-- (adapters/db/revops-*.ts); nothing loads every row into the process.

-- Pipeline deals: one row per deal in its current stage. `last_stage_change` is when it entered that
-- stage (for a closed deal: when it closed), so days in stage and closing dates come from it.
CREATE TABLE revops_deals (
  deal_id            text PRIMARY KEY,
  account            text NOT NULL,
  segment            text NOT NULL CHECK (segment IN ('SMB', 'MM', 'ENT')),
  owner              text NOT NULL DEFAULT '',
  stage              text NOT NULL
                     CHECK (stage IN ('Discovery', 'Demo', 'Negotiation', 'Closed_Won', 'Closed_Lost')),
  amount_cents       bigint NOT NULL CHECK (amount_cents >= 0),
  created_at         timestamptz NOT NULL,
  expected_close     date,
  last_stage_change  timestamptz NOT NULL,
  -- 0..1, the deal's own win probability as the CRM states it.
  probability        double precision NOT NULL CHECK (probability >= 0 AND probability <= 1),
  source_channel     text NOT NULL DEFAULT '',
  imported_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revops_deals_open ON revops_deals (last_stage_change)
  WHERE stage IN ('Discovery', 'Demo', 'Negotiation');
CREATE INDEX revops_deals_closed ON revops_deals (last_stage_change)
  WHERE stage IN ('Closed_Won', 'Closed_Lost');

-- Customers and their subscription: the MRR they pay now (or paid when they churned).
CREATE TABLE revops_customers (
  customer_id   text PRIMARY KEY,
  account       text NOT NULL,
  segment       text NOT NULL CHECK (segment IN ('SMB', 'MM', 'ENT')),
  plan          text NOT NULL DEFAULT '',
  start_date    date NOT NULL,
  mrr_cents     bigint NOT NULL CHECK (mrr_cents >= 0),
  churn_date    date,
  churn_reason  text,
  imported_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (churn_date IS NULL OR churn_date >= start_date)
);

-- The monthly MRR history: what each customer paid in each calendar month (month = its first day).
-- A month with no row is a month the customer paid nothing. Customers with no history rows at all are
-- read as paying `mrr_cents` from their start month up to (not including) their churn month.
CREATE TABLE revops_mrr_history (
  customer_id  text NOT NULL REFERENCES revops_customers (customer_id) ON DELETE CASCADE,
  month        date NOT NULL CHECK (extract(day FROM month) = 1),
  mrr_cents    bigint NOT NULL CHECK (mrr_cents >= 0),
  PRIMARY KEY (customer_id, month)
);
CREATE INDEX revops_mrr_history_month ON revops_mrr_history (month);

-- Marketing spend and its funnel, one row per day × channel × campaign × segment × geo.
CREATE TABLE revops_marketing_spend (
  day            date NOT NULL,
  channel        text NOT NULL,
  campaign       text NOT NULL DEFAULT '',
  segment        text NOT NULL DEFAULT '' CHECK (segment IN ('', 'SMB', 'MM', 'ENT')),
  geo            text NOT NULL DEFAULT '',
  spend_cents    bigint NOT NULL CHECK (spend_cents >= 0),
  impressions    bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
  clicks         bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
  leads          bigint NOT NULL DEFAULT 0 CHECK (leads >= 0),
  mqls           bigint NOT NULL DEFAULT 0 CHECK (mqls >= 0),
  sqls           bigint NOT NULL DEFAULT 0 CHECK (sqls >= 0),
  opportunities  bigint NOT NULL DEFAULT 0 CHECK (opportunities >= 0),
  won            bigint NOT NULL DEFAULT 0 CHECK (won >= 0),
  imported_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, channel, campaign, segment, geo)
);
