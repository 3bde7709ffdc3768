import type { IncidentPolicy } from '../domain/incidents/incident.ts';
import { list } from './fields.ts';
import { salesforceSlice } from './salesforce.ts';
import type { Env } from './schema.ts';
import type { Config } from './types.ts';

/**
 * The parsed environment shaped into Config, one slice per part of the service. The pair lists
 * (FIX_REGION_POOLS, FIX_OWNER_SLACK) come in already parsed: their problems are listed with the others.
 */
export interface ParsedPairs {
  regionPools: Record<string, string[]>;
  ownerSlack: Record<string, string>;
  fxRates: Record<string, number>;
}

export function toConfig(e: Env, pairs: ParsedPairs): Config {
  const apiUrl = e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`;
  return {
    env: e.NODE_ENV,
    db: { url: e.DATABASE_URL, pgliteDir: e.PGLITE_DIR },
    demo: { dir: e.DEMO_DIR },
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl,
      socketMode: e.SLACK_APP_TOKEN !== undefined,
    },
    http: { port: e.PORT, metricsToken: e.METRICS_TOKEN },
    logLevel: e.LOG_LEVEL,
    piiHashKey: e.PII_HASH_KEY ?? null,
    budget: {
      monthlyBudgetCents: e.REVENUE_BUDGET_USD,
      pageBurn: e.PAGE_BURN,
      warnBurn: e.WARN_BURN,
      sev1Burn: e.SEV1_BURN,
      sev1HighIssues: e.SEV1_HIGH_ISSUES,
      sev2Burn: e.SEV2_BURN,
      sev3Burn: e.SEV3_BURN,
    },
    thresholds: {
      leadSlaMinutes: e.LEAD_SLA_MINUTES,
      leadNextStepDays: e.LEAD_NEXT_STEP_DAYS,
      staleOppDays: e.STALE_OPP_DAYS,
    },
    incidents: incidentsSlice(e),
    schedule: {
      enabled: e.SCHEDULER_ENABLED,
      scanCron: e.SCAN_CRON,
      pagerCron: e.PAGER_CRON,
      timezone: e.SCHEDULE_TIMEZONE,
    },
    slaReport: {
      channel: e.SLA_REPORT_CHANNEL ?? e.ALERTS_CHANNEL ?? null,
      cron: e.SLA_REPORT_CRON,
      timezone: e.SLA_REPORT_TIMEZONE,
    },
    delivery: { pollMs: e.DELIVERY_POLL_MS },
    telemetry: telemetrySlice(e),
    commerce: commerceSlice(e, pairs),
    fixes: fixesSlice(e, pairs),
    revops: {
      digest: { channel: e.DIGEST_CHANNEL ?? null, cron: e.DIGEST_CRON, timezone: e.DIGEST_TIMEZONE },
      stuck: { minDays: e.REVOPS_STUCK_DAYS, minCents: Math.round(e.REVOPS_STUCK_MIN_USD * 100) },
      leakBudgetCents: e.REVOPS_LEAK_BUDGET_USD ?? null,
      watchCron: e.REVOPS_WATCH_CRON,
    },
    crm: {
      hubspot: e.HUBSPOT_TOKEN ? { token: e.HUBSPOT_TOKEN.trim(), apiUrl: e.HUBSPOT_API_URL } : null,
      salesforce: salesforceSlice(e),
      mappingFile: e.CRM_MAPPING_FILE ?? null,
      dailyShare: e.CRM_DAILY_SHARE,
      scheduledMaxMs: Math.round(e.CRM_SYNC_MAX_MINUTES * 60_000),
    },
  };
}

function commerceSlice(e: Env, pairs: ParsedPairs): Config['commerce'] {
  return {
    shopifySecret: e.SHOPIFY_WEBHOOK_SECRET,
    stripeSecret: e.STRIPE_WEBHOOK_SECRET,
    maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
    timezone: e.REVENUE_TIMEZONE,
    dipThreshold: e.REVENUE_DIP_THRESHOLD,
    dipMinCents: Math.round(e.REVENUE_DIP_MIN_USD * 100),
    watchCron: e.REVENUE_WATCH_CRON,
    reportingCurrency: e.REPORTING_CURRENCY ?? null,
    fxRates: pairs.fxRates,
  };
}

function incidentsSlice(e: Env): Config['incidents'] {
  return {
    privateChannels: e.INCIDENT_CHANNEL_PRIVATE,
    policy: {
      channelSeverity: e.INCIDENT_CHANNEL_SEVERITY as IncidentPolicy['channelSeverity'],
      pageRepeatMs: e.PAGE_REPEAT_MINUTES * 60_000,
      escalateAfterRepeats: e.PAGE_ESCALATE_AFTER,
      reopenWindowMs: e.INCIDENT_REOPEN_MINUTES * 60_000,
    },
    targets: {
      onCallGroup: e.ONCALL_USERGROUP ?? null,
      secondaryGroup: e.SECONDARY_USERGROUP ?? null,
      commander: e.INCIDENT_COMMANDER ?? null,
      responders: e.INCIDENT_RESPONDERS,
      alertsChannel: e.ALERTS_CHANNEL ?? null,
    },
  };
}

function telemetrySlice(e: Env): Config['telemetry'] {
  return {
    slowMs: e.TELEMETRY_SLOW_MS,
    bronzeRetentionDays: e.BRONZE_RETENTION_DAYS,
    slaAlerts: {
      resetMs: e.SLA_RESET_MINUTES * 60_000,
      reopenWindowMs: e.INCIDENT_REOPEN_MINUTES * 60_000,
      minEvents: e.SLA_MIN_EVENTS,
    },
    adminChannel: e.ADMIN_CHANNEL ?? e.ALERTS_CHANNEL ?? null,
    tagCardinalityLimit: e.TAG_CARDINALITY_LIMIT,
    minuteRetentionDays: e.SILVER_MINUTE_RETENTION_DAYS,
    hourRetentionDays: e.SILVER_HOUR_RETENTION_DAYS,
  };
}

function fixesSlice(e: Env, pairs: ParsedPairs): Config['fixes'] {
  return {
    approval: {
      approverUsers: e.FIX_APPROVERS,
      approverGroup: e.FIX_APPROVER_GROUP ?? null,
      fourEyesRecords: e.FIX_FOUR_EYES_RECORDS,
      fourEyesCents: Math.round(e.FIX_FOUR_EYES_USD * 100),
      ttlMs: Math.round(e.FIX_PREVIEW_TTL_HOURS * 3_600_000),
      rollbackWindowMs: Math.round(e.FIX_ROLLBACK_HOURS * 3_600_000),
    },
    ownerPool: list(e.FIX_OWNER_POOL),
    regionPools: pairs.regionPools,
    ownerSlack: pairs.ownerSlack,
    managerChannel: e.FIX_MANAGER_CHANNEL ?? null,
  };
}
