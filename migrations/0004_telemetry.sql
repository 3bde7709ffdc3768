-- Telemetry tiers (DOMAIN.md §6): ingest tokens, Bronze raw events in daily partitions (and the evidence
-- copied out of them), Silver minute and hour rollups, Gold daily SLA snapshots, versioned SLA definitions.

-- Ingest tokens are stored as the SHA-256 hex of the token, never the token: a leaked database grants no
-- ingest access. `prefix` (the token's first 8 characters) lets a person recognise a token in `leak tokens list`.
CREATE TABLE ingest_tokens (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  prefix      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX ingest_tokens_prefix ON ingest_tokens (prefix);

-- Bronze: raw error and slow events, PII already hashed by the application. Daily range partitions are
-- created ahead by ensure_bronze_partition() and dropped by the janitor. There is deliberately NO default
-- partition: DETACH PARTITION … CONCURRENTLY is refused on a table that has one (TELEMETRY.md), and a row
-- for a day without a partition is better refused loudly than parked where retention never reaches it.
-- No primary key: a key on a partitioned table must include `time`, and nothing looks events up by key.
CREATE TABLE bronze_events (
  time         timestamptz NOT NULL,
  service      text NOT NULL,
  name         text NOT NULL,
  level        text,
  ok           boolean,
  duration_ms  double precision,
  message      text,
  trace_id     text,
  user_hash    text,
  email_hash   text,
  attributes   jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Evidence link, set when an incident cites the event. No foreign key on this hot, partitioned table:
  -- the link is written by the incident machinery, and bronze_evidence (below) carries the real one.
  incident_id  bigint
) PARTITION BY RANGE (time);
CREATE INDEX bronze_events_service_time ON bronze_events (service, time DESC);
CREATE INDEX bronze_events_incident ON bronze_events (incident_id) WHERE incident_id IS NOT NULL;

-- Creates bronze_events_YYYYMMDD for [day, day + 1) in UTC if it is missing, and returns its name.
-- Idempotent, and safe when replicas race: IF NOT EXISTS covers the common case, and the two errors a
-- concurrent creator can still cause (the table, or its row type in pg_type, appearing between the
-- check and the insert into the catalog) mean the partition now exists, which is all the caller wanted.
-- The bounds are written with an explicit +00 offset so the session's TimeZone cannot shift the day.
CREATE FUNCTION ensure_bronze_partition(day date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  part text := 'bronze_events_' || to_char(day, 'YYYYMMDD');
BEGIN
  BEGIN
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I PARTITION OF bronze_events FOR VALUES FROM (%L) TO (%L)',
      part,
      to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
  EXCEPTION
    WHEN duplicate_table OR unique_violation THEN NULL;
  END;
  RETURN part;
END $$;

-- Bronze rows that must outlive their partition (incident evidence), copied out before a drop.
CREATE TABLE bronze_evidence (
  time         timestamptz NOT NULL,
  service      text NOT NULL,
  name         text NOT NULL,
  level        text,
  ok           boolean,
  duration_ms  double precision,
  message      text,
  trace_id     text,
  user_hash    text,
  email_hash   text,
  attributes   jsonb NOT NULL DEFAULT '{}'::jsonb,
  incident_id  bigint REFERENCES incidents (id),
  kept_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bronze_evidence_incident ON bronze_evidence (incident_id, time DESC);

-- Silver: rollups per service, metric and tag set. count, errors, sum, min and max are kept in columns
-- because a DDSketch (sketch) loses min and max; quantiles of a coarser bucket are merged from sketches,
-- never averaged. tags_hash is a stable hash of the canonical tag set, so the key stays short.
CREATE TABLE silver_minute (
  service    text NOT NULL,
  metric     text NOT NULL,
  tags       jsonb NOT NULL DEFAULT '{}'::jsonb,
  tags_hash  text NOT NULL,
  minute     timestamptz NOT NULL,
  count      bigint NOT NULL,
  errors     bigint NOT NULL DEFAULT 0,
  sum        double precision NOT NULL DEFAULT 0,
  min        double precision,
  max        double precision,
  p50        double precision,
  p90        double precision,
  p99        double precision,
  sketch     bytea,
  PRIMARY KEY (service, metric, tags_hash, minute)
);
-- The janitor purges by age across every series.
CREATE INDEX silver_minute_minute ON silver_minute (minute);

-- Silver minutes as ingest wrote them, not yet merged into silver_minute. Ingest only inserts here (no
-- reads, no row locks), so concurrent requests never wait on each other; the compactor (a scheduled job)
-- takes the oldest rows with FOR UPDATE SKIP LOCKED, deletes them and merges them into silver_minute in
-- the same transaction. Several rows of one key may wait here; each is already merged within its batch.
CREATE TABLE silver_minute_pending (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service      text NOT NULL,
  metric       text NOT NULL,
  tags         jsonb NOT NULL DEFAULT '{}'::jsonb,
  tags_hash    text NOT NULL,
  minute       timestamptz NOT NULL,
  count        bigint NOT NULL,
  errors       bigint NOT NULL DEFAULT 0,
  sum          double precision NOT NULL DEFAULT 0,
  min          double precision,
  max          double precision,
  sketch       bytea,
  received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE silver_hour (
  service    text NOT NULL,
  metric     text NOT NULL,
  tags       jsonb NOT NULL DEFAULT '{}'::jsonb,
  tags_hash  text NOT NULL,
  hour       timestamptz NOT NULL,
  count      bigint NOT NULL,
  errors     bigint NOT NULL DEFAULT 0,
  sum        double precision NOT NULL DEFAULT 0,
  min        double precision,
  max        double precision,
  p50        double precision,
  p90        double precision,
  p99        double precision,
  sketch     bytea,
  PRIMARY KEY (service, metric, tags_hash, hour)
);
CREATE INDEX silver_hour_hour ON silver_hour (hour);

-- SLA definitions are versioned, never edited in place: a change closes the current version
-- (active_to) and inserts the next one. target is a percentage (99.9).
CREATE TABLE sla_definitions (
  id           text NOT NULL,
  version      integer NOT NULL CHECK (version >= 1),
  service      text NOT NULL,
  metric       text NOT NULL,
  name         text NOT NULL,
  indicator    jsonb NOT NULL,
  target       double precision NOT NULL CHECK (target > 0 AND target < 100),
  window_days  integer NOT NULL CHECK (window_days > 0),
  active_from  timestamptz NOT NULL,
  active_to    timestamptz,
  -- The source document (OpenSLO) as applied, for display and re-export.
  definition   jsonb NOT NULL,
  PRIMARY KEY (id, version),
  CHECK (active_to IS NULL OR active_to > active_from)
);
-- At most one open version per definition.
CREATE UNIQUE INDEX sla_definitions_one_active ON sla_definitions (id) WHERE active_to IS NULL;

-- Gold: one snapshot per definition and day, written once and kept forever.
CREATE TABLE gold_snapshots (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sla_id            text NOT NULL,
  sla_version       integer NOT NULL,
  day               date NOT NULL,
  total             bigint NOT NULL,
  errors            bigint NOT NULL,
  uptime_pct        double precision NOT NULL,
  breaches          integer NOT NULL DEFAULT 0,
  budget_burn       double precision NOT NULL,
  downtime_minutes  integer NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sla_id, day),
  FOREIGN KEY (sla_id, sla_version) REFERENCES sla_definitions (id, version)
);

CREATE FUNCTION gold_snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'gold_snapshots is immutable: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER gold_snapshots_no_update BEFORE UPDATE OR DELETE ON gold_snapshots
  FOR EACH ROW EXECUTE FUNCTION gold_snapshots_immutable();
CREATE TRIGGER gold_snapshots_no_truncate BEFORE TRUNCATE ON gold_snapshots
  FOR EACH STATEMENT EXECUTE FUNCTION gold_snapshots_immutable();
