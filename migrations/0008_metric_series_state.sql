-- The cumulative→delta state of OTLP metric series (issue 13, item 5): per cumulative sum or histogram
-- series, its last point, so that a restart of the bot, or a second replica behind a load balancer, neither
-- counts a series' run total again nor loses an interval. domain/telemetry/delta.ts holds the rules;
-- adapters/db/series-state-repository.ts writes a batch's new states in the same statement as its Silver
-- minutes, and only if every series' row still holds the version the deltas were computed from.

-- One row per series. The key (domain/telemetry/delta.ts seriesKey: the JSON of service, metric and the
-- sorted attributes) can be longer than a btree entry may be (attributes come from senders), so the primary
-- key is its SHA-256. `state` is the last cumulative point minus its identity, as JSON (every numeric field
-- a kind has, so a new kind needs no new column); kind, start_time and last_time repeat parts of it for
-- people and for a future purge of idle series. `version` goes up by one at every write: the
-- compare-and-set that makes concurrent writers (replicas) safe. Updated on every batch and never through an
-- indexed column, hence the fill factor, which leaves room on the page for HOT updates.
CREATE TABLE metric_series_state (
  series_hash  bytea PRIMARY KEY,
  series_key   text NOT NULL,
  service      text NOT NULL,
  metric       text NOT NULL,
  kind         text NOT NULL,
  start_time   timestamptz,
  last_time    timestamptz NOT NULL,
  state        jsonb NOT NULL,
  version      bigint NOT NULL CHECK (version > 0),
  updated_at   timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 70);

-- The last step of that write: `written` rows of metric_series_state were written out of `expected`. Fewer
-- means another writer changed (or created) one of the batch's series between the statement's snapshot and
-- its upsert; raising undoes the whole statement (Silver minutes included), and the caller computes again
-- from the rows as they are now. serialization_failure: the standard "retry me" code.
CREATE FUNCTION metric_series_state_written(expected bigint, written bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  IF written <> expected THEN
    RAISE EXCEPTION 'metric_series_state: % of % series written, another writer moved the rest on',
      written, expected USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN written;
END $$;
