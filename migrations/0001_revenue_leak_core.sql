-- Revenue Leak SRE: the walking-skeleton schema (records, import runs, scans, findings).
-- Forward only: never edit an applied migration; add a new file. Money is integer cents.

CREATE TABLE records (
  id            text PRIMARY KEY,
  type          text NOT NULL CHECK (type IN ('lead', 'opp')),
  name          text NOT NULL DEFAULT '',
  -- The contact email is personal data: only its keyed SHA-256 is stored.
  email_hash    text,
  domain        text NOT NULL DEFAULT '',
  company       text NOT NULL DEFAULT '',
  source        text NOT NULL DEFAULT '',
  region        text NOT NULL DEFAULT '',
  owner         text NOT NULL DEFAULT '',
  stage         text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL,
  last_touch_at timestamptz,
  next_step     text NOT NULL DEFAULT '',
  value_cents   bigint NOT NULL CHECK (value_cents >= 0),
  notes         text NOT NULL DEFAULT '',
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE import_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file          text NOT NULL,
  dry_run       boolean NOT NULL,
  actor         text NOT NULL,
  status        text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  total_rows    integer,
  imported_rows integer,
  rejected_rows integer,
  error         text
);

-- One row per rejected input line, so a million-row file with many bad rows stays queryable.
CREATE TABLE import_rejections (
  import_run_id bigint NOT NULL REFERENCES import_runs (id),
  line          integer NOT NULL,
  reason        text NOT NULL,
  PRIMARY KEY (import_run_id, line)
);

CREATE TABLE scans (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  as_of               timestamptz NOT NULL,
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz NOT NULL DEFAULT now(),
  actor               text NOT NULL,
  records_count       integer NOT NULL,
  issues_count        integer NOT NULL,
  high_issues         integer NOT NULL,
  total_at_risk_cents bigint NOT NULL,
  budget_cents        bigint NOT NULL,
  burn_rate           double precision NOT NULL,
  budget_remaining    double precision NOT NULL,
  paging              text NOT NULL CHECK (paging IN ('OK', 'WARN', 'PAGE')),
  incident_severity   smallint NOT NULL CHECK (incident_severity BETWEEN 1 AND 5),
  -- False for a backfill (as_of older than the newest reconciled scan): it stores its totals only.
  reconciled          boolean NOT NULL,
  new_issues          integer NOT NULL DEFAULT 0,
  reopened_issues     integer NOT NULL DEFAULT 0,
  cleared_issues      integer NOT NULL DEFAULT 0,
  top_causes          jsonb NOT NULL,
  affected_segments   jsonb NOT NULL,
  slos                jsonb NOT NULL
);
CREATE INDEX scans_as_of_idx ON scans (as_of);

-- One row per issue id (`${record_id}_${issue_type}`): first seen, last seen, open or cleared.
-- A scan writes only what changed (new, repriced, reopened, cleared findings), never every open row:
-- at a million records every 15 minutes, rewriting each open finding would be most of the scan's cost
-- and all of the table's bloat. So an open finding's last_seen_at is NULL, meaning "seen by the newest
-- reconciled scan" (findings_seen resolves it); clearing stores the last scan that did see it.
-- Scan ids are plain columns: scans are append-only, and a foreign key costs lookups on every write.
CREATE TABLE findings (
  issue_id             text PRIMARY KEY,
  record_id            text NOT NULL,
  issue_type           text NOT NULL,
  rule_key             text NOT NULL,
  severity             smallint NOT NULL,
  severity_label       text NOT NULL,
  estimated_loss_cents bigint NOT NULL,
  status               text NOT NULL CHECK (status IN ('open', 'cleared')),
  first_seen_at        timestamptz NOT NULL,
  first_scan_id        bigint NOT NULL,
  changed_scan_id      bigint NOT NULL,
  last_seen_at         timestamptz,
  last_seen_scan_id    bigint,
  cleared_at           timestamptz,
  cleared_scan_id      bigint,
  CHECK ((status = 'cleared') = (cleared_at IS NOT NULL)),
  CHECK ((status = 'cleared') = (last_seen_at IS NOT NULL))
);

CREATE VIEW findings_seen AS
SELECT f.*,
       COALESCE(f.last_seen_at, (SELECT max(as_of) FROM scans WHERE reconciled)) AS seen_until
FROM findings f;
