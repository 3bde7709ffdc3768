import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths redacted wherever they appear in a log object. Tokens, secrets and connection strings never
 * reach a log line, even when a whole config or request object is logged by mistake.
 */
const REDACT = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'piiHashKey',
  '*.piiHashKey',
  'url',
  'db.url',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-slack-signature"]',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'PII_HASH_KEY',
  'DATABASE_URL',
  'HUBSPOT_TOKEN',
  'crm.hubspot.token',
  'SALESFORCE_CLIENT_SECRET',
  'SALESFORCE_REFRESH_TOKEN',
  'crm.salesforce.auth.refreshToken',
  'crm.salesforce.auth.clientSecret',
];

/** Token-shaped strings are masked even inside messages (e.g. an error text that echoes a request). */
// HubSpot private-app tokens: `pat-<region>-<uuid>` (e.g. pat-na1-…, pat-eu1-…). Salesforce access
// tokens: the org id, `!`, then the session (`00D5g000004EXAMPLE!AQ0AQ…`).
const TOKEN_PATTERN =
  /\bxox[a-z]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+|\bpat-[a-z]{2,4}\d*-[A-Za-z0-9-]+|\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+|postgres(?:ql)?:\/\/[^\s'"]+/g;
export const maskSecrets = (s: string): string => s.replace(TOKEN_PATTERN, '[redacted]');

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'revenue-leak-sre' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as typeof args;
          method.apply(this, masked);
        },
      },
      // The stack starts with the message, so both are masked.
      serializers: {
        err: (e: Error) => {
          const out = pino.stdSerializers.err(e);
          return { ...out, message: maskSecrets(out.message ?? ''), stack: maskSecrets(out.stack ?? '') };
        },
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export type { Logger };
