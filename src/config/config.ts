import { type ParsedPairs, toConfig } from './build.ts';
import { list } from './fields.ts';
import { crossFieldProblems, parsePairs } from './problems.ts';
import { salesforceProblems } from './salesforce.ts';
import { envSchema } from './schema.ts';
import type { Config } from './types.ts';

// The config module's public face: importers keep reading every name from here.
export { type Env, envSchema } from './schema.ts';
export type { Config } from './types.ts';

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
    ...salesforceProblems(env),
  ];
  if (!env['PII_HASH_KEY']?.trim() && opts.storedPiiKey !== true) problems.push(MISSING_PII_KEY);
  const { pairs, pairProblems } = parseFixPairs(env);
  problems.push(...pairProblems);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return toConfig(parsed.data, pairs);
}

/** FIX_REGION_POOLS and FIX_OWNER_SLACK, parsed by hand (key=value lists), with their own problems. */
function parseFixPairs(env: Record<string, string | undefined>): {
  pairs: ParsedPairs;
  pairProblems: string[];
} {
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
  return { pairs: { regionPools, ownerSlack, fxRates: parseFxRates(env, pairProblems) }, pairProblems };
}

/** FX_RATES "EUR=1.08,GBP=1.27": units of REPORTING_CURRENCY per one unit of each currency. */
function parseFxRates(env: Record<string, string | undefined>, problems: string[]): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const [code, value] of parsePairs(env['FX_RATES'] ?? '', 'FX_RATES', problems)) {
    const rate = Number(value);
    if (!/^[A-Za-z]{3}$/.test(code)) problems.push(`FX_RATES: "${code}" is not an ISO 4217 currency code`);
    else if (!Number.isFinite(rate) || rate <= 0)
      problems.push(`FX_RATES: ${code} → "${value}" is not a positive rate`);
    else rates[code.toUpperCase()] = rate;
  }
  return rates;
}

/** Names whose values never reach a log line (pino redact paths and the config printer use these). */
export const SECRET_KEYS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'PII_HASH_KEY',
  'DATABASE_URL',
  'SHOPIFY_WEBHOOK_SECRET',
  'STRIPE_WEBHOOK_SECRET',
  'METRICS_TOKEN',
  'HUBSPOT_TOKEN',
  'SALESFORCE_CLIENT_SECRET',
  'SALESFORCE_REFRESH_TOKEN',
];
