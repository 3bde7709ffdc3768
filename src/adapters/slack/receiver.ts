import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConnection } from './connection.ts';
import { verifySlackRequest } from './signature.ts';

/**
 * How Slack's requests come in over HTTP: read with a cap, verified (both sides of the replay window), held
 * until Slack has answered auth.test, then handed to Bolt's HTTPReceiver. The port itself belongs to
 * adapters/http/server.ts, which mounts this handler beside the health and ingest routes.
 */

/** Where Slack delivers commands, interactions and events (manifest.yml points all three here). */
export const EVENTS_PATH = '/slack/events';
/** Slack payloads are small; Bolt's own default cap is 4 MB, which is far more than any of ours. */
const BODY_LIMIT_BYTES = 1 << 20;
/**
 * How long a Slack request that arrives before Slack has answered auth.test waits for it (at start, usually
 * milliseconds): inside the 3 seconds Slack gives an ack. Still unanswered, it gets a 503.
 */
const CONNECT_WAIT_MS = 2_000;

export interface SlackReceiverDeps {
  /** Bolt's receiver in HTTP mode; undefined in Socket Mode (then no request is taken). */
  httpReceiver: HTTPReceiver | undefined;
  signingSecret: string;
  /** Unix seconds, for the signature window. */
  nowSec: () => number;
  log: Logger;
  connection: Pick<SlackConnection, 'connected'>;
  /** Told, per request handed to Bolt, the seconds from its arrival to the ack sent (the ack metric). */
  onAck?: (kind: SlackRequestKind, seconds: number) => void;
}

/** A slash command, an interaction (button, modal, shortcut: a form with `payload`), an Events API delivery. */
export type SlackRequestKind = 'command' | 'interaction' | 'event';

/** What Slack sent, from the content type and the form's fields (Bolt tells them apart the same way). */
function kindOf(req: IncomingMessage, raw: Buffer): SlackRequestKind {
  if (header(req, 'content-type') !== 'application/x-www-form-urlencoded') return 'event';
  return new URLSearchParams(raw.toString()).has('payload') ? 'interaction' : 'command';
}

/**
 * Times the ack: from the request's arrival (before its body is read and verified) to the answer Bolt
 * sends (the ack, or Bolt's own 404 after 3 s when no listener acked). A client that left is not an ack.
 */
function timeAck(
  deps: SlackReceiverDeps,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  t0: number,
) {
  const { onAck } = deps;
  if (!onAck) return;
  const kind = kindOf(req, raw);
  res.once('finish', () => onAck(kind, (performance.now() - t0) / 1000));
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const empty = (res: ServerResponse, status: number, headers: Record<string, string> = {}) => {
  res.writeHead(status, headers);
  res.end();
};

/**
 * The replay window has two sides. Bolt rejects a stale timestamp but accepts one from the future, so the
 * raw body is read and verified here first; a verified request is handed to Bolt with the body attached
 * as `rawBody`, which Bolt reuses instead of reading the (already consumed) stream again.
 */
async function guardSlackRequest(
  deps: SlackReceiverDeps,
  req: IncomingMessage,
  res: ServerResponse,
  r: HTTPReceiver,
  arrivedAt: number,
): Promise<void> {
  const { log, connection } = deps;
  let raw: Buffer;
  try {
    raw = await readBody(req, BODY_LIMIT_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLarge) return empty(res, 413, { connection: 'close' });
    throw e;
  }
  // Slack's certificate check carries no payload; Bolt exempts it from verification and only answers 200.
  // Answer it the same way here, without handing anything on.
  if (header(req, 'content-type') === 'application/x-www-form-urlencoded' && raw.toString() === 'ssl_check=1')
    return empty(res, 200);
  const verdict = verifySlackRequest({
    signingSecret: deps.signingSecret,
    timestamp: header(req, 'x-slack-request-timestamp'),
    signature: header(req, 'x-slack-signature'),
    rawBody: raw,
    nowSec: deps.nowSec(),
  });
  if (!verdict.ok) {
    log.warn({ reason: verdict.reason, path: EVENTS_PATH }, 'slack request rejected');
    return empty(res, 401);
  }
  if (!(await connection.connected(CONNECT_WAIT_MS))) {
    log.warn({ path: EVENTS_PATH }, 'slack request refused: Slack has not answered auth.test yet');
    return empty(res, 503);
  }
  Object.assign(req, { rawBody: raw });
  timeAck(deps, req, res, raw, arrivedAt);
  r.requestListener(req, res);
}

/**
 * The handler of POST /slack/events (HTTP mode) for the process's HTTP server (adapters/http/server.ts):
 * true when it took the request. Without an HTTP receiver (Socket Mode) it takes none.
 */
export function slackRequestHandler(
  deps: SlackReceiverDeps,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { httpReceiver, log } = deps;
  return (req, res) => {
    const arrivedAt = performance.now();
    if (!httpReceiver) return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== EVENTS_PATH) return false;
    if (req.method !== 'POST') {
      empty(res, 405, { allow: 'POST' });
      return true;
    }
    guardSlackRequest(deps, req, res, httpReceiver, arrivedAt).catch((err: unknown) => {
      log.error({ err }, 'slack request failed before dispatch');
      if (!res.headersSent) empty(res, 500);
      else res.end();
    });
    return true;
  };
}
