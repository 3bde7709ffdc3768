import { z } from 'zod';
import { DEFAULT_BUDGET_POLICY } from '../domain/budget/budget.ts';
import { DEFAULT_APPROVAL_POLICY } from '../domain/fixpacks/run.ts';
import { DEFAULT_INCIDENT_POLICY } from '../domain/incidents/incident.ts';
import { DEFAULT_THRESHOLDS } from '../domain/rules/catalog.ts';
import { DEFAULT_SLA_ALERT_POLICY } from '../domain/sla/alerting.ts';
import { DEFAULT_MIN_EVENTS } from '../domain/sla/burn.ts';
import {
  blankToUndefined,
  bool,
  cron,
  dollars,
  num,
  optionalDollars,
  optionalString,
  slackId,
  userIds,
} from './fields.ts';
import { SALESFORCE_ENV } from './salesforce.ts';

/**
 * The one schema over the environment (ARCHITECTURE.md habit 7). Nothing else reads process.env.
 * Every problem is collected and reported together; the caller exits before opening a socket.
 * The keys stay in one object, in this order: zod lists the problems in key order.
 */
export const envSchema = z.object({
  NODE_ENV: z.preprocess(
    blankToUndefined,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  PGLITE_DIR: z.preprocess(blankToUndefined, z.string().default('./.data/pglite')),
  DEMO_DIR: z.preprocess(blankToUndefined, z.string().default('./.data/demo')),
  SLACK_BOT_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^xoxb-/, 'must be a bot token (xoxb-…)')
      .optional(),
  ),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
      .optional(),
  ),
  SLACK_API_URL: z.preprocess(blankToUndefined, z.url().default('https://slack.com/api/')),
  PORT: num(3000, (n) => n.int().min(0).max(65535)),
  METRICS_TOKEN: optionalString,
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  ),
  PII_HASH_KEY: optionalString,
  REVENUE_BUDGET_USD: dollars,
  PAGE_BURN: num(DEFAULT_BUDGET_POLICY.pageBurn, (n) => n.positive()),
  WARN_BURN: num(DEFAULT_BUDGET_POLICY.warnBurn, (n) => n.positive()),
  SEV1_BURN: num(DEFAULT_BUDGET_POLICY.sev1Burn, (n) => n.positive()),
  SEV1_HIGH_ISSUES: num(DEFAULT_BUDGET_POLICY.sev1HighIssues, (n) => n.int().nonnegative()),
  SEV2_BURN: num(DEFAULT_BUDGET_POLICY.sev2Burn, (n) => n.positive()),
  SEV3_BURN: num(DEFAULT_BUDGET_POLICY.sev3Burn, (n) => n.positive()),
  LEAD_SLA_MINUTES: num(DEFAULT_THRESHOLDS.leadSlaMinutes, (n) => n.int().positive()),
  LEAD_NEXT_STEP_DAYS: num(DEFAULT_THRESHOLDS.leadNextStepDays, (n) => n.int().nonnegative()),
  STALE_OPP_DAYS: num(DEFAULT_THRESHOLDS.staleOppDays, (n) => n.int().positive()),
  INCIDENT_CHANNEL_PRIVATE: bool(false),
  INCIDENT_CHANNEL_SEVERITY: num(DEFAULT_INCIDENT_POLICY.channelSeverity, (n) => n.int().min(1).max(4)),
  PAGE_REPEAT_MINUTES: num(DEFAULT_INCIDENT_POLICY.pageRepeatMs / 60_000, (n) => n.int().positive()),
  PAGE_ESCALATE_AFTER: num(DEFAULT_INCIDENT_POLICY.escalateAfterRepeats, (n) => n.int().nonnegative()),
  INCIDENT_REOPEN_MINUTES: num(DEFAULT_INCIDENT_POLICY.reopenWindowMs / 60_000, (n) => n.int().nonnegative()),
  ONCALL_USERGROUP: slackId(/^S[A-Z0-9]+$/, 'S0123ABCD'),
  SECONDARY_USERGROUP: slackId(/^S[A-Z0-9]+$/, 'S0123ABCD'),
  INCIDENT_COMMANDER: slackId(/^[UW][A-Z0-9]+$/, 'U0123ABCD'),
  INCIDENT_RESPONDERS: userIds,
  ALERTS_CHANNEL: slackId(/^[CG][A-Z0-9]+$/, 'C0123ABCD'),
  SCHEDULER_ENABLED: bool(true),
  SCAN_CRON: cron('*/15 * * * *'),
  PAGER_CRON: cron('* * * * *'),
  SCHEDULE_TIMEZONE: z.preprocess(blankToUndefined, z.string().default('UTC')),
  DELIVERY_POLL_MS: num(1000, (n) => n.int().min(50)),
  FIX_APPROVERS: userIds,
  FIX_APPROVER_GROUP: slackId(/^S[A-Z0-9]+$/, 'S0123ABCD'),
  FIX_FOUR_EYES_RECORDS: num(DEFAULT_APPROVAL_POLICY.fourEyesRecords, (n) => n.int().nonnegative()),
  FIX_FOUR_EYES_USD: num(DEFAULT_APPROVAL_POLICY.fourEyesCents / 100, (n) => n.nonnegative()),
  FIX_PREVIEW_TTL_HOURS: num(DEFAULT_APPROVAL_POLICY.ttlMs / 3_600_000, (n) => n.positive()),
  FIX_ROLLBACK_HOURS: num(DEFAULT_APPROVAL_POLICY.rollbackWindowMs / 3_600_000, (n) => n.positive()),
  FIX_OWNER_POOL: z.preprocess(blankToUndefined, z.string().default('')),
  FIX_REGION_POOLS: z.preprocess(blankToUndefined, z.string().default('')),
  FIX_OWNER_SLACK: z.preprocess(blankToUndefined, z.string().default('')),
  FIX_MANAGER_CHANNEL: slackId(/^[CG][A-Z0-9]+$/, 'C0123ABCD'),
  TELEMETRY_SLOW_MS: num(1000, (n) => n.positive()),
  BRONZE_RETENTION_DAYS: num(7, (n) => n.int().min(3).max(7)),
  SLA_RESET_MINUTES: num(DEFAULT_SLA_ALERT_POLICY.resetMs / 60_000, (n) => n.int().positive()),
  SLA_MIN_EVENTS: num(DEFAULT_MIN_EVENTS, (n) => n.int().positive()),
  ADMIN_CHANNEL: slackId(/^[CG][A-Z0-9]+$/, 'C0123ABCD'),
  TAG_CARDINALITY_LIMIT: num(10_000, (n) => n.int().positive()),
  SILVER_MINUTE_RETENTION_DAYS: num(30, (n) => n.int().min(1).max(366)),
  SILVER_HOUR_RETENTION_DAYS: num(90, (n) => n.int().min(1).max(3660)),
  SLA_REPORT_CHANNEL: slackId(/^[CG][A-Z0-9]+$/, 'C0123ABCD'),
  SLA_REPORT_CRON: cron('0 9 * * 1'),
  SLA_REPORT_TIMEZONE: z.preprocess(blankToUndefined, z.string().default('UTC')),
  SHOPIFY_WEBHOOK_SECRET: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  WEBHOOK_MAX_BODY_BYTES: num(1024 * 1024, (n) =>
    n
      .int()
      .min(1024)
      .max(64 * 1024 * 1024),
  ),
  REVENUE_TIMEZONE: z.preprocess(blankToUndefined, z.string().default('UTC')),
  REVENUE_DIP_THRESHOLD: num(0.2, (n) => n.gt(0).lt(1)),
  REVENUE_DIP_MIN_USD: num(10, (n) => n.nonnegative()),
  REVENUE_WATCH_CRON: cron('*/5 * * * *'),
  REPORTING_CURRENCY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code like USD')
      .transform((c) => c.toUpperCase())
      .optional(),
  ),
  FX_RATES: z.preprocess(blankToUndefined, z.string().default('')),
  DIGEST_CHANNEL: slackId(/^[CG][A-Z0-9]+$/, 'C0123ABCD'),
  DIGEST_TIMEZONE: z.preprocess(blankToUndefined, z.string().default('UTC')),
  DIGEST_CRON: cron('0 9 * * 1'),
  REVOPS_STUCK_DAYS: num(45, (n) => n.int().positive()),
  REVOPS_STUCK_MIN_USD: num(50_000, (n) => n.nonnegative()),
  REVOPS_LEAK_BUDGET_USD: optionalDollars,
  REVOPS_WATCH_CRON: cron('0 8 * * *'),
  // CRM connectors (issue 16). Without HUBSPOT_TOKEN nothing is synced and everything works as before.
  HUBSPOT_TOKEN: optionalString,
  HUBSPOT_API_URL: z.preprocess(blankToUndefined, z.url().default('https://api.hubapi.com')),
  // Salesforce (salesforce.ts): without SALESFORCE_CLIENT_ID it is not synced.
  ...SALESFORCE_ENV,
  CRM_MAPPING_FILE: optionalString,
  CRM_DAILY_SHARE: num(0.5, (n) => n.gt(0).max(1)),
  CRM_SYNC_MAX_MINUTES: num(10, (n) => n.positive()),
});

export type Env = z.infer<typeof envSchema>;
