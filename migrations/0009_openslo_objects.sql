-- OpenSLO objects other than SLOs (Service, SLI, DataSource, AlertPolicy, AlertCondition,
-- AlertNotificationTarget), each kept as last applied by `leak sla apply`, so that a later file can refer
-- to it by name (an SLO's spec.service, indicatorRef, alertPolicies, …). SLOs live on as sla_definitions.
-- A DataSource is kept without its connectionDetails (they may hold credentials; the bot connects to nothing).
CREATE TABLE openslo_objects (
  kind        text NOT NULL,
  name        text NOT NULL,
  document    jsonb NOT NULL,
  applied_at  timestamptz NOT NULL,
  PRIMARY KEY (kind, name)
);
