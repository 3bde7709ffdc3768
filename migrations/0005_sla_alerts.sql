-- Burn-rate alerting (issue 5): what the per-minute evaluator remembers of each SLA between runs. SLA
-- incidents live in `incidents` (dedupe_key 'sla:' || sla_id); this row only carries what tickets need
-- (one ticket per burn episode) and the latest evaluation, for `leak sla list` and the logs.
CREATE TABLE sla_alert_state (
  sla_id           text PRIMARY KEY,
  evaluated_at     timestamptz NOT NULL,
  -- 'page', 'ticket' or 'none': the latest evaluation's action.
  action           text NOT NULL CHECK (action IN ('page', 'ticket', 'none')),
  -- Long-window burn of the rule behind the action (else of the fastest rule).
  burn             double precision NOT NULL,
  -- The last evaluation at which any rule fired, and when the current episode's ticket was posted.
  last_fired_at    timestamptz,
  last_ticket_at   timestamptz
);
