/**
 * The database named by DATABASE_URL cannot be used at all: refused, unknown host, timed out, or the server
 * turned the login away. The message is one line for an operator (host and port, never the password).
 */
export class DatabaseUnreachable extends Error {
  constructor(where: string, reason: string) {
    super(`cannot reach the database at ${where} (${reason}): check DATABASE_URL`);
    this.name = 'DatabaseUnreachable';
  }
}

/** Network failures (node and postgres.js codes), and Postgres refusing the connection itself. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
]);
// 28xxx: authorization (bad password, unknown role); 3D000: no such database; 08xxx: connection
// exceptions; 57P03: the server is starting up or shutting down.
const REFUSED_LOGIN = /^(28|08)|^3D000$|^57P03$/;

/** host:port of a postgres URL, with no user or password; `the configured host` if it cannot be read. */
function whereOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the configured host';
  }
}

/** `e` as DatabaseUnreachable when it means the database cannot be used at all, else null. */
export function unreachable(e: unknown, url: string): DatabaseUnreachable | null {
  const err = e as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  if (NETWORK_CODES.has(code)) return new DatabaseUnreachable(whereOf(url), code);
  // A PostgresError's message names the role or database, never the password.
  if (err?.name === 'PostgresError' && REFUSED_LOGIN.test(code))
    return new DatabaseUnreachable(whereOf(url), String(err.message));
  return null;
}
