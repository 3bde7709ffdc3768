/**
 * Failure read from OpenTelemetry's semantic-convention attributes, for telemetry that carries no `ok`:
 * metric points (fold.ts) and spans without an explicit status (otlp-traces.ts). Without it a counter or
 * histogram of `http.response.status_code=500` counted as good, and an availability SLA over metrics
 * showed 0.00× while 30% of requests failed.
 *
 * A point or span is a failure when any of these holds:
 * - `error.type` is present and not empty. The conventions set it exactly when the operation failed by
 *   their own side-specific rules (a client's 4xx is `error.type="404"`, a server's is not an error), so it
 *   is the most precise signal and needs no knowledge of the side.
 * - `http.response.status_code` (or the pre-1.21 `http.status_code`) is 500 or more, on any metric or
 *   span, server or client: a 5xx is the server's failure whichever side reports it. 4xx are never read as
 *   failures from the status alone: for a server they are the caller's mistake (the conventions leave the
 *   span status unset), and a client's 4xx already carries `error.type`.
 * - `rpc.grpc.status_code` names a failure: on the client side every code but OK (0); on the server side
 *   only the codes the conventions call server errors: UNKNOWN (2), DEADLINE_EXCEEDED (4),
 *   UNIMPLEMENTED (12), INTERNAL (13), UNAVAILABLE (14), DATA_LOSS (15). NOT_FOUND, INVALID_ARGUMENT,
 *   PERMISSION_DENIED… are gRPC's 4xx: the caller's, as for HTTP.
 *
 * The side of a metric comes from its name: `http.client.*`, `rpc.client.*` and `messaging.client.*` are
 * client metrics, anything else is read as the server's (the SLAs here are about the services that report).
 * Status codes are read from integers or digit strings; anything else is not a status.
 */
export type Side = 'server' | 'client';

type Attrs = Readonly<Record<string, unknown>>;

const CLIENT_PREFIXES = ['http.client.', 'rpc.client.', 'messaging.client.'];

/** The side a metric is reported from, by its name (see above). */
export const sideOfMetric = (metric: string): Side =>
  CLIENT_PREFIXES.some((p) => metric.startsWith(p)) ? 'client' : 'server';

/** gRPC codes that are a server's failure (semantic conventions, gRPC span status). */
const GRPC_SERVER_ERRORS: ReadonlySet<number> = new Set([2, 4, 12, 13, 14, 15]);

const DIGITS = /^\s*\d{1,4}\s*$/;

/** An integer status code from a number or a digit string; null for anything else. */
export function statusCode(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v === 'string' && DIGITS.test(v)) return Number(v);
  return null;
}

const present = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== false && String(v).trim() !== '';

/** The HTTP status of the attributes (the current key, else the pre-1.21 one), or null. */
export const httpStatusOf = (attrs: Attrs): number | null =>
  statusCode(attrs['http.response.status_code']) ?? statusCode(attrs['http.status_code']);

/** Whether a gRPC status code is a failure on `side`. */
export const isGrpcFailure = (code: number, side: Side): boolean =>
  side === 'client' ? code !== 0 : GRPC_SERVER_ERRORS.has(code);

/** Whether the attributes say the operation failed (the rules above). */
export function isFailure(attrs: Attrs, side: Side): boolean {
  if (present(attrs['error.type'])) return true;
  const http = httpStatusOf(attrs);
  if (http !== null && http >= 500) return true;
  const grpc = statusCode(attrs['rpc.grpc.status_code']);
  return grpc !== null && isGrpcFailure(grpc, side);
}
