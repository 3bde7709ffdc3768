-- CRM write-back (issue 16): an approved fix's changes to records synced from a CRM are written back to the
-- CRM in batches, one outbox job per batch (keyed by fix run, purpose and batch number, enqueued in the
-- transaction that applies the fix locally). One row per batch says what became of it, so the fix's
-- preview can show each record the CRM refused, and a rollback knows exactly what was written.

CREATE TABLE crm_write_batches (
  fix_run_id  bigint NOT NULL REFERENCES fix_runs (id) ON DELETE CASCADE,
  -- apply: the fix's own changes; revert: a rollback writing the previous values back.
  purpose     text NOT NULL CHECK (purpose IN ('apply', 'revert')),
  batch_no    integer NOT NULL CHECK (batch_no >= 0),
  connector   text NOT NULL,
  -- update: fields of existing records; task, note: objects created and associated with the record.
  op          text NOT NULL CHECK (op IN ('update', 'task', 'note')),
  object      text NOT NULL,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'written', 'partial', 'failed')),
  -- What the batch asks for (domain/crm/writeback.ts items): [{recordId, fields: {owner: {old, new}}}], tasks, notes.
  items       jsonb NOT NULL,
  -- Records the CRM (or the connector) refused, with the reason: [{recordId, field?, reason}].
  refused     jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- Revert only: fields left alone because the CRM's value is no longer what the fix wrote.
  skipped     jsonb NOT NULL DEFAULT '[]'::jsonb,
  error       text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (fix_run_id, purpose, batch_no)
);
