import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { type BudgetPolicy, DEFAULT_BUDGET_POLICY } from '../domain/budget/budget.ts';
import { type ApprovalPolicy, DEFAULT_APPROVAL_POLICY } from '../domain/fixpacks/run.ts';
import { DEFAULT_INCIDENT_POLICY, type IncidentPolicy } from '../domain/incidents/incident.ts';
import { DEFAULT_THRESHOLDS, type RuleThresholds } from '../domain/rules/catalog.ts';
import { DEFAULT_SLA_ALERT_POLICY, type SlaAlertPolicy } from '../domain/sla/alerting.ts';
import { DEFAULT_MIN_EVENTS } from '../domain/sla/burn.ts';
import { parseDollarsToCents } from '../shared/money.ts';

/**
 * The one schema over the environment (ARCHITECTURE.md habit 7). Nothing else reads process.env.
 * Every problem is collected and reported together; the caller exits before opening a socket.
 */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());
const num = (def: number, check: (n: z.ZodNumber) => z.ZodNumber) =>
  z.preprocess(blankToUndefined, check(z.coerce.number()).default(def));

const slackId = (prefix: RegExp, example: string) =>
  z.preprocess(blankToUndefined, z.string().regex(prefix, `must be a Slack id like ${example}`).optional());
const userIds = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('')
    .transform((s, ctx) => {
      const ids = s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      const bad = ids.filter((x) => !/^[UW][A-Z0-9]+$/.test(x));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `not Slack user ids (U…): ${bad.join(', ')}` });
        return z.NEVER;
      }
      return ids;
    }),
);
/**
 * A schedule, checked with node-cron's own validator: an expression the scheduler would refuse is listed
 * here with every other problem, before any socket opens, instead of failing once everything is connected.
 */
const cron = (def: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(def)
      .superRefine((expr, ctx) => {
        const v = validateDetailed(expr);
        if (!v.valid)
          ctx.addIssue({
            code: 'custom',
            message: `"${expr}" is not a cron expression (${v.errors.map((e) => e.message).join('; ')}); e.g. */15 * * * *`,
          });
      }),
  );
const bool = (def: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  );
const dollars = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('50000')
    .transform((s, ctx) => {
      const c = parseDollarsToCents(s);
      if (c === null || c === 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive dollar amount, e.g. 50000' });
        return z.NEVER;
      }
      return c;
    }),
);

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
});

const list = (s: string, sep = ','): string[] =>
  s
    .split(sep)
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** `NA=Alice|Bob; EMEA=Carol` → { NA: ['Alice', 'Bob'], EMEA: ['Carol'] }. */
function parsePairs(s: string, name: string, problems: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of list(s, ';').flatMap((p) => (name === 'FIX_OWNER_SLACK' ? list(p, ',') : [p]))) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      problems.push(`${name}: "${part}" is not key=value`);
      continue;
    }
    out.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return out;
}

/**
 * Rules across variables, checked on the raw environment rather than in a zod refinement: zod skips a
 * refinement once any field fails its type, so a bad PORT would hide a missing signing secret until
 * the next start. Here every problem is reported in the same run.
 */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const v = (k: string) => (env[k]?.trim() ? env[k]!.trim() : undefined);
  const problems: string[] = [];
  if (v('SLACK_BOT_TOKEN') && !v('SLACK_SIGNING_SECRET') && !v('SLACK_APP_TOKEN'))
    problems.push(
      'SLACK_SIGNING_SECRET is required in HTTP mode (no SLACK_APP_TOKEN) so requests can be verified',
    );
  const warn = Number(v('WARN_BURN') ?? DEFAULT_BUDGET_POLICY.warnBurn);
  const page = Number(v('PAGE_BURN') ?? DEFAULT_BUDGET_POLICY.pageBurn);
  if (Number.isFinite(warn) && Number.isFinite(page) && warn >= page)
    problems.push('WARN_BURN must be below PAGE_BURN');
  const minuteDays = Number(v('SILVER_MINUTE_RETENTION_DAYS') ?? 30);
  const hourDays = Number(v('SILVER_HOUR_RETENTION_DAYS') ?? 90);
  if (Number.isFinite(minuteDays) && Number.isFinite(hourDays) && hourDays < minuteDays)
    problems.push(
      'SILVER_HOUR_RETENTION_DAYS must not be below SILVER_MINUTE_RETENTION_DAYS (hours are kept longer)',
    );
  for (const name of ['SCHEDULE_TIMEZONE', 'SLA_REPORT_TIMEZONE']) {
    const tz = v(name);
    if (tz === undefined) continue;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      problems.push(`${name} "${tz}" is not an IANA time zone (e.g. UTC, Europe/Berlin)`);
    }
  }
  return problems;
}

export type Env = z.infer<typeof envSchema>;

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
  http: { port: number };
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
  fixes: {
    approval: ApprovalPolicy;
    ownerPool: string[];
    regionPools: Record<string, string[]>;
    ownerSlack: Record<string, string>;
    managerChannel: string | null;
  };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /**
   * The caller may run without PII_HASH_KEY on a random key generated once per database and stored there:
   * the demo (`leak demo`) and the test suite say so explicitly. Everyone else must configure the key
   * (issue 10 item 7): no key is written in the source to fall back on.
   */
  storedPiiKey?: boolean;
}

export const MISSING_PII_KEY =
  'PII_HASH_KEY is required: the secret key of the contact-email hash (e.g. `openssl rand -base64 32`)';

/** Parses the environment once. Throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined>, opts: LoadOptions = {}): Config {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`)),
    ...crossFieldProblems(env),
  ];
  if (!env['PII_HASH_KEY']?.trim() && opts.storedPiiKey !== true) problems.push(MISSING_PII_KEY);
  const pairProblems: string[] = [];
  const regionPools = Object.fromEntries(
    parsePairs(env['FIX_REGION_POOLS'] ?? '', 'FIX_REGION_POOLS', pairProblems).map(([k, v]) => [
      k,
      list(v, '|'),
    ]),
  );
  const ownerSlack = Object.fromEntries(
    parsePairs(env['FIX_OWNER_SLACK'] ?? '', 'FIX_OWNER_SLACK', pairProblems),
  );
  for (const [owner, user] of Object.entries(ownerSlack))
    if (!/^[UW][A-Z0-9]+$/.test(user))
      pairProblems.push(`FIX_OWNER_SLACK: ${owner} → "${user}" is not a Slack user id (U…)`);
  problems.push(...pairProblems);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
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
    http: { port: e.PORT },
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
    incidents: {
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
    },
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
    telemetry: {
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
    },
    fixes: {
      approval: {
        approverUsers: e.FIX_APPROVERS,
        approverGroup: e.FIX_APPROVER_GROUP ?? null,
        fourEyesRecords: e.FIX_FOUR_EYES_RECORDS,
        fourEyesCents: Math.round(e.FIX_FOUR_EYES_USD * 100),
        ttlMs: Math.round(e.FIX_PREVIEW_TTL_HOURS * 3_600_000),
        rollbackWindowMs: Math.round(e.FIX_ROLLBACK_HOURS * 3_600_000),
      },
      ownerPool: list(e.FIX_OWNER_POOL),
      regionPools,
      ownerSlack,
      managerChannel: e.FIX_MANAGER_CHANNEL ?? null,
    },
  };
}

/** Names whose values never reach a log line (pino redact paths and the config printer use these). */
export const SECRET_KEYS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'PII_HASH_KEY',
  'DATABASE_URL',
];
