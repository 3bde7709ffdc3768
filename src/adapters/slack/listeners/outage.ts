/**
 * Tells a database outage apart from a bug, for the error boundary (errors.ts), without importing the
 * database adapter (adapters never import each other, ARCHITECTURE.md): by the codes its drivers use.
 *
 * - postgres.js rethrows the socket's own error (`connect ECONNREFUSED 10.0.0.5:5432`: code, syscall,
 *   address) and names a lost connection CONNECTION_CLOSED / CONNECTION_ENDED / CONNECTION_DESTROYED, a
 *   login that never completed CONNECT_TIMEOUT;
 * - the server itself refuses with SQLSTATE class 08 (connection exception) or 57P01–57P03 (shut down,
 *   crashed, starting up);
 * - db/unreachable.ts's DatabaseUnreachable, by name.
 *
 * A Slack Web API call that fails the same way arrives wrapped (`slack_webapi_request_error`), and a
 * fetch() failure as a TypeError whose `cause` has the code, so a bare network code at the top level is
 * the database's: only the driver's own codes are looked for in a cause.
 */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
const DRIVER = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
const SERVER_DOWN = /^(08[0-9A-Z]{3}|57P0[123])$/;

/** The code that says the database is unreachable (for the log), or null when `err` is something else. */
export function databaseOutage(err: unknown): string | null {
  for (
    let e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (DRIVER.has(code)) return code;
    if (depth === 0 && NETWORK.has(code)) return code;
    if (e.name === 'PostgresError' && SERVER_DOWN.test(code)) return code;
    if (e.name === 'DatabaseUnreachable') return 'unreachable';
    e = e.cause as typeof e;
  }
  return null;
}

/** What the user reads when their request met a database outage: what is wrong, and what happens next. */
export const DATABASE_OUTAGE_TEXT =
  'The database is unreachable, so this could not be done right now. Scheduled work (scans, pages, Slack ' +
  'updates) resumes by itself when it is back, and nothing already recorded is lost. Please try again in a few minutes.';
