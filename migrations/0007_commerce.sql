-- Commerce revenue watch (issue 12, DOMAIN.md §8): every authenticated webhook delivery stored raw before it
-- is parsed, and the ledger the deliveries (and store-export backfills) write, in integer minor units.

-- One row per delivery a sender made, whatever became of it. The body is kept as received except that
-- email addresses are replaced by their keyed hash (`pii:<hex>`) before it is written: the raw store holds
-- no address. (source, delivery_id) makes a sender's retry of the same delivery a no-op.
CREATE TABLE webhook_deliveries (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source        text NOT NULL,
  topic         text NOT NULL DEFAULT '',
  delivery_id   text NOT NULL,
  received_at   timestamptz NOT NULL,
  content_type  text,
  body          text NOT NULL,
  -- received: stored, not parsed yet; parsed: its ledger changes applied; failed: kept for replay, with
  -- its reason; ignored: parsed and moves no money (an untracked topic), with a note.
  status        text NOT NULL DEFAULT 'received'
                CHECK (status IN ('received', 'parsed', 'failed', 'ignored')),
  error         text,
  attempts      integer NOT NULL DEFAULT 0,
  parsed_at     timestamptz,
  UNIQUE (source, delivery_id)
);
CREATE INDEX webhook_deliveries_source_recent ON webhook_deliveries (source, received_at DESC);
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (received_at DESC) WHERE status = 'failed';
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (id) WHERE status = 'received';

-- The ledger. A refund or a dispute is an entry of its own (linked to its sale by sale_external_id), never
-- an edit of the sale; only an entry's own status moves forward, with the instant it settled. Amounts are
-- positive minor units of `currency`; the kind gives the sign on net revenue (domain/commerce/ledger.ts).
CREATE TABLE ledger_entries (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source            text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('sale', 'refund', 'dispute', 'payout')),
  external_id       text NOT NULL,
  sale_external_id  text,
  status            text NOT NULL
                    CHECK (status IN ('PENDING', 'CLEARED', 'VOIDED', 'DISPUTED', 'WON', 'LOST', 'POSTED')),
  amount_cents      bigint NOT NULL CHECK (amount_cents >= 0),
  currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  customer_hash     text,
  stream            text NOT NULL DEFAULT '',
  items             integer NOT NULL DEFAULT 0,
  occurred_at       timestamptz NOT NULL,
  settled_at        timestamptz,
  delivery_id       bigint REFERENCES webhook_deliveries (id),
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, kind, external_id)
);
-- Net revenue counts an entry at settled_at (cleared sale, closed dispute) or occurred_at (refund).
CREATE INDEX ledger_entries_occurred ON ledger_entries (occurred_at);
CREATE INDEX ledger_entries_settled ON ledger_entries (settled_at) WHERE settled_at IS NOT NULL;
CREATE INDEX ledger_entries_source_occurred ON ledger_entries (source, occurred_at DESC);
