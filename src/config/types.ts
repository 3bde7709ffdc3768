import type { BudgetPolicy } from '../domain/budget/budget.ts';
import type { ApprovalPolicy } from '../domain/fixpacks/run.ts';
import type { IncidentPolicy } from '../domain/incidents/incident.ts';
import type { RuleThresholds } from '../domain/rules/catalog.ts';
import type { SlaAlertPolicy } from '../domain/sla/alerting.ts';
import type { SalesforceConfig } from './salesforce.ts';
import type { Env } from './schema.ts';

/** The parsed configuration, grouped by the part of the service that reads it. */
export interface Config {
  env: Env['NODE_ENV'];
  db: { url: string | undefined; pgliteDir: string };
  /** `leak demo`'s own directory: its embedded database, wiped and made afresh by every run. */
  demo: { dir: string };
  slack: {
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
    socketMode: boolean;
  };
  http: {
    port: number;
    /** The bearer token GET /metrics asks of a scraper; undefined: the route is open. */
    metricsToken: string | undefined;
  };
  /** Unset: the server logs at info, the CLI at warn (its stdout is for results). */
  logLevel: Env['LOG_LEVEL'];
  /**
   * Keys the hash of personal data (emails). Null only for a caller that asked for a stored key (the demo,
   * the tests: LoadOptions.storedPiiKey), which then reads the one kept in its database (services.ts).
   */
  piiHashKey: string | null;
  budget: BudgetPolicy;
  thresholds: RuleThresholds;
  incidents: {
    policy: IncidentPolicy;
    /** Incident channels are created private (pipeline data stays with the people invited). */
    privateChannels: boolean;
    targets: {
      onCallGroup: string | null;
      secondaryGroup: string | null;
      commander: string | null;
      responders: string[];
      alertsChannel: string | null;
    };
  };
  schedule: { enabled: boolean; scanCron: string; pagerCron: string; timezone: string };
  /** The weekly SLA report: posted to `channel` (default: the alerts channel; null: not posted). */
  slaReport: { channel: string | null; cron: string; timezone: string };
  delivery: { pollMs: number };
  telemetry: {
    /** An event slower than this is kept raw in Bronze (until per-SLA thresholds exist). */
    slowMs: number;
    /** Bronze keeps this many days (3–7); older events are refused at ingest. */
    bronzeRetentionDays: number;
    /** Burn-rate alerting: reset window (incident resolve, ticket episodes), reopen window, minimum events. */
    slaAlerts: SlaAlertPolicy & { minEvents: number };
    /** Where the janitor alerts on tag cardinality (default: the alerts channel; null: logged only). */
    adminChannel: string | null;
    /** A metric with more distinct tag combinations than this is reported to the admins. */
    tagCardinalityLimit: number;
    /** Silver minute rows are purged after this many days (once their hour exists), hour rows after that. */
    minuteRetentionDays: number;
    hourRetentionDays: number;
  };
  commerce: {
    /** Webhook secrets; a sender whose secret is unset is refused (401) rather than trusted. */
    shopifySecret: string | undefined;
    stripeSecret: string | undefined;
    maxBodyBytes: number;
    /** IANA zone revenue days are cut in. */
    timezone: string;
    dipThreshold: number;
    /** Below this baseline (minor units) no dip is judged (DOMAIN.md §8: $10). */
    dipMinCents: number;
    watchCron: string;
    /** Totals converted into this currency with `fxRates` (units of it per 1 unit of the key); null: per currency. */
    reportingCurrency: string | null;
    fxRates: Record<string, number>;
  };
  fixes: {
    approval: ApprovalPolicy;
    ownerPool: string[];
    regionPools: Record<string, string[]>;
    ownerSlack: Record<string, string>;
    managerChannel: string | null;
  };
  /** RevOps analytics (issue 14): the weekly digest, the stuck-deal thresholds and the leak budget. */
  revops: {
    /**
     * The Monday digest: posted to `channel` (null: not posted; pipeline figures do not fall back to the
     * alerts channel). `timezone` also cuts the calendar periods of `/revops` and `leak revops` (week,
     * month, quarter, dates).
     */
    digest: { channel: string | null; cron: string; timezone: string };
    /** An open deal is stuck from `minDays` whole days in its stage and `minCents` up. */
    stuck: { minDays: number; minCents: number };
    /**
     * Stuck deals worth more than this are a revenue leak: the insight says so and the pipeline watch opens
     * (or feeds) the stuck-deals incident. Null (REVOPS_LEAK_BUDGET_USD unset): never.
     */
    leakBudgetCents: number | null;
    /** When the pipeline watch runs (UTC; default daily 08:00). */
    watchCron: string;
  };
  /** CRM connectors (issue 16): the funnel synced from HubSpot before each scheduled scan. */
  crm: {
    /** Null without HUBSPOT_TOKEN: no sync, the funnel comes from CSV imports only. */
    hubspot: { token: string; apiUrl: string } | null;
    /** Null without SALESFORCE_CLIENT_ID: Salesforce is not synced. */
    salesforce: SalesforceConfig | null;
    /** CRM_MAPPING_FILE: overrides of the default field mapping (YAML); null: the defaults. */
    mappingFile: string | null;
    /** The share of the account's daily API allowance syncs may use (0–1]. */
    dailyShare: number;
    /** A scheduled sync stops (resumably) after this long, so the scan it precedes is not held up. */
    scheduledMaxMs: number;
  };
}
