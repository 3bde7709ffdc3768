-- Incident command: incidents, their timeline, the append-only audit log, the durable outbox of Slack
-- side effects, and the claims that make a scheduled fire run once across replicas.

CREATE TABLE incidents (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedupe_key       text NOT NULL,
  title            text NOT NULL,
  state            text NOT NULL CHECK (state IN ('detected', 'acknowledged', 'resolved')),
  severity         smallint NOT NULL CHECK (severity BETWEEN 1 AND 5),
  paging           text NOT NULL CHECK (paging IN ('PAGE', 'WARN', 'OK')),
  opened_at        timestamptz NOT NULL,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  resolved_at      timestamptz,
  resolved_by      text,
  commander        text,
  -- The figures of the scan that last touched the incident (IncidentFigures): what every message shows.
  figures          jsonb NOT NULL,
  pages_sent       integer NOT NULL DEFAULT 0,
  next_page_at     timestamptz,
  -- Slack side, written by the delivery worker step by step so a retry skips what is done.
  channel_id       text,
  channel_name     text,
  topic            text,
  invited          boolean NOT NULL DEFAULT false,
  war_room_ts      text,
  pinned           boolean NOT NULL DEFAULT false,
  announced_ts     text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- One open incident per cause: the database says no to a second, not a check-then-insert.
CREATE UNIQUE INDEX incidents_one_open ON incidents (dedupe_key) WHERE state <> 'resolved';
CREATE INDEX incidents_channel ON incidents (channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX incidents_next_page ON incidents (next_page_at) WHERE next_page_at IS NOT NULL;

CREATE TABLE incident_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id  bigint NOT NULL REFERENCES incidents (id),
  kind         text NOT NULL,
  actor        text NOT NULL,
  at           timestamptz NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Natural key of the input behind the entry (a reaction, a click); a duplicate delivery adds nothing.
  source_key   text UNIQUE
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);

-- Append-only audit log. Each row's hash covers its content and the previous row's hash, so a row changed
-- or removed behind the application's back breaks the chain at that row (`leak audit verify`).
CREATE TABLE audit_log (
  id           bigint PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor        text NOT NULL,
  action       text NOT NULL,
  target_type  text NOT NULL,
  target_id    text NOT NULL,
  before       jsonb,
  after        jsonb,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE SEQUENCE audit_log_id_seq OWNED BY audit_log.id;

-- The hash input is text the database renders the same way everywhere: epoch microseconds (not a
-- TimeZone-dependent timestamp text) and jsonb's canonical text. Every field is length-prefixed and SQL
-- NULL is marked apart from JSON null, so no text can move between fields without changing the hash.
CREATE FUNCTION audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN '~' ELSE length(v)::text || ':' || v END
$$;

CREATE FUNCTION audit_row_hash(prev text, at timestamptz, actor text, action text, target_type text,
                               target_id text, before jsonb, after jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(
    audit_field(prev) || audit_field((extract(epoch FROM at) * 1000000)::bigint::text) ||
    audit_field(actor) || audit_field(action) || audit_field(target_type) || audit_field(target_id) ||
    audit_field(before::text) || audit_field(after::text), 'UTF8')), 'hex')
$$;

-- Chaining happens in the database, under a transaction-scoped lock, and the id is drawn only once the
-- lock is held: ids then follow chain order even when transactions commit out of order.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_hash text;
BEGIN
  -- Under REPEATABLE READ the snapshot could predate the newest row and fork the chain.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit_log appends need READ COMMITTED, not %', current_setting('transaction_isolation');
  END IF;
  PERFORM pg_advisory_xact_lock(x'1eac0003'::int);
  SELECT hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.id := nextval('audit_log_id_seq');
  NEW.prev_hash := coalesce(last_hash, 'genesis');
  NEW.hash := audit_row_hash(NEW.prev_hash, NEW.at, NEW.actor, NEW.action, NEW.target_type, NEW.target_id,
                             NEW.before, NEW.after);
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The durable outbox: a Slack side effect is a row written in the transaction of the change that causes
-- it, delivered by a worker with retries. `key` is the natural key: enqueueing it again re-arms the job.
CREATE TABLE jobs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          text NOT NULL,
  key           text NOT NULL UNIQUE,
  incident_id   bigint REFERENCES incidents (id),
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  run_after     timestamptz NOT NULL DEFAULT now(),
  locked_until  timestamptz,
  attempts      integer NOT NULL DEFAULT 0,
  generation    integer NOT NULL DEFAULT 0,
  -- What earlier attempts achieved (a posted message's ts, say), so a retry does not redo it.
  progress      jsonb NOT NULL DEFAULT '{}'::jsonb,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  done_at       timestamptz
);
CREATE INDEX jobs_due ON jobs (run_after, id) WHERE state = 'pending';

CREATE TABLE scheduled_runs (
  job         text NOT NULL,
  slot        timestamptz NOT NULL,
  runner      text NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  outcome     text CHECK (outcome IN ('ok', 'failed')),
  error       text,
  PRIMARY KEY (job, slot)
);
