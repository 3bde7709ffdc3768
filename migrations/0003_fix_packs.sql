-- Fix packs: stored plans and what became of them, the CRM tasks and email drafts they create, and the
-- round-robin counter that makes successive owner assignments rotate.

CREATE TABLE fix_runs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id      bigint REFERENCES incidents (id),
  state            text NOT NULL CHECK (state IN ('planned', 'approved', 'applying', 'applied', 'failed',
                                                  'rolled_back', 'rejected', 'expired')),
  pack             jsonb NOT NULL,
  plan             jsonb NOT NULL,
  -- The records as they were when planned: an approval of a plan whose records changed since is refused.
  snapshot         jsonb NOT NULL,
  requested_by     text NOT NULL,
  approved_by      text,
  rejected_by      text,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  applied_at       timestamptz,
  rolled_back_at   timestamptz,
  inverse          jsonb,
  guard            jsonb,
  verification     text CHECK (verification IN ('pending', 'verified', 'failed')),
  verify_due_at    timestamptz,
  recovered_cents  bigint NOT NULL DEFAULT 0,
  reason           text,
  skipped          jsonb NOT NULL DEFAULT '[]'::jsonb,
  channel_id       text,
  message_ts       text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fix_runs_verify_due ON fix_runs (verify_due_at) WHERE verification = 'pending';
CREATE INDEX fix_runs_planned ON fix_runs (expires_at) WHERE state = 'planned';
CREATE INDEX fix_runs_incident ON fix_runs (incident_id) WHERE incident_id IS NOT NULL;

CREATE TABLE crm_tasks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fix_run_id  bigint NOT NULL REFERENCES fix_runs (id),
  record_id   text NOT NULL,
  assignee    text NOT NULL,
  title       text NOT NULL,
  due_at      timestamptz NOT NULL,
  priority    text NOT NULL CHECK (priority IN ('high', 'normal')),
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Drafts name their recipient kind only: the contact's address is personal data and never stored.
CREATE TABLE email_drafts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fix_run_id  bigint NOT NULL REFERENCES fix_runs (id),
  record_id   text NOT NULL,
  recipient   text NOT NULL CHECK (recipient IN ('contact', 'owner')),
  subject     text NOT NULL,
  body        text NOT NULL,
  status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'discarded')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE fix_round_robin;
