-- CRM connectors (issue 16): what a sync of the funnel from a CRM (HubSpot first) keeps between runs.
-- One row per connector holds its sync slot (one sync at a time across replicas and the CLI, taken by a
-- conditional UPDATE, with a lease a crashed run loses) and what the alerts remember; one row per object
-- it reads holds the cursor; every run is kept with its spend of the daily API allowance, and the records
-- it could not map with the CRM's id and the reason (as bad CSV rows are kept with an import run).

CREATE TABLE crm_sync_state (
  connector             text PRIMARY KEY,
  state                 text NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'running')),
  run_id                bigint,
  lease_until           timestamptz,
  last_success_at       timestamptz,
  last_error_at         timestamptz,
  last_error_kind       text,
  last_error            text,
  -- The failure kind last alerted (null: none since the last run that got through) and the streak.
  alerted_kind          text,
  consecutive_failures  integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Per object (contacts, deals): incremental reads start at cursor_at (less an overlap); `resume` is where a
-- read stopped early goes on (a paging token, opaque here); full_started_at is set while a full read runs.
CREATE TABLE crm_sync_streams (
  connector        text NOT NULL,
  stream           text NOT NULL,
  cursor_at        timestamptz,
  resume           text,
  full_started_at  timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector, stream)
);

CREATE TABLE crm_sync_runs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connector        text NOT NULL,
  mode             text NOT NULL CHECK (mode IN ('full', 'incremental')),
  actor            text NOT NULL,
  status           text NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
  started_at       timestamptz NOT NULL,
  finished_at      timestamptz,
  seen             integer NOT NULL DEFAULT 0 CHECK (seen >= 0),
  written          integer NOT NULL DEFAULT 0 CHECK (written >= 0),
  rejected         integer NOT NULL DEFAULT 0 CHECK (rejected >= 0),
  -- Spend: API calls made, the account's daily allowance and what was left of it when the run ended.
  calls            integer NOT NULL DEFAULT 0 CHECK (calls >= 0),
  daily_max        integer,
  daily_remaining  integer,
  rate_limited     integer NOT NULL DEFAULT 0 CHECK (rate_limited >= 0),
  waited_ms        bigint NOT NULL DEFAULT 0 CHECK (waited_ms >= 0),
  reason           text,
  failure_kind     text
);
CREATE INDEX crm_sync_runs_connector ON crm_sync_runs (connector, id DESC);

CREATE TABLE crm_sync_rejections (
  run_id  bigint NOT NULL REFERENCES crm_sync_runs (id) ON DELETE CASCADE,
  stream  text NOT NULL,
  crm_id  text NOT NULL,
  reason  text NOT NULL,
  PRIMARY KEY (run_id, stream, crm_id)
);
