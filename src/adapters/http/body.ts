import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';

/**
 * The request side of the ingest routes (ingest.ts): who is asking, what they send, read with caps, and
 * how every answer is written. Framework-free, like health.ts.
 */

/** A refusal with its status and extra headers. */
export class HttpFail extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** The client went away mid-request: nothing to answer. */
export class ClientGone extends Error {}

/**
 * Writes an answer. A request whose body was not read to its end (refused early) gets `Connection: close`:
 * its remaining bytes are discarded rather than read as the next request.
 */
export function sendBytes(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string | number> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    'cache-control': 'no-store',
    ...(req.complete ? {} : { connection: 'close' }),
    ...headers,
  });
  res.end(body);
}

/** Answers in JSON (sendBytes). */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string | number> = {},
): void {
  sendBytes(req, res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

export const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function bearerToken(req: IncomingMessage): string | null {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '');
  return m ? m[1]! : null;
}

/** How a request body is encoded: OTLP/HTTP allows JSON and binary protobuf. */
export type BodyType = 'json' | 'protobuf';

/** The body's encoding named by its Content-Type (parameters such as charset ignored); null for others. */
export function bodyType(req: IncomingMessage): BodyType | null {
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  return null;
}

/** The body's encoding, if it is one of `allowed`; else 415 naming them. */
export function checkContentType(req: IncomingMessage, allowed: readonly BodyType[] = ['json']): BodyType {
  const type = bodyType(req);
  if (type !== null && allowed.includes(type)) return type;
  const names = allowed.map((t) => (t === 'json' ? 'application/json' : 'application/x-protobuf'));
  throw new HttpFail(
    415,
    `unsupported Content-Type ${JSON.stringify(header(req, 'content-type') ?? '')}: send ${names.join(' or ')}`,
  );
}

/** True for a gzip body; identity or no coding → false; anything else → 415. */
export function isGzip(req: IncomingMessage): boolean {
  const coding = (header(req, 'content-encoding') ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return false;
  if (coding === 'gzip' || coding === 'x-gzip') return true;
  throw new HttpFail(
    415,
    `unsupported Content-Encoding ${JSON.stringify(coding)}: send gzip or no encoding`,
    { 'accept-encoding': 'gzip, identity' },
  );
}

export const tooLarge = (cap: number, what: string): HttpFail =>
  new HttpFail(413, `request body ${what} exceeds the limit of ${cap} bytes`);

/**
 * The body, inflated when gzip, with both sizes capped. On a refusal the request stops being read into
 * memory (its remaining bytes are discarded as they arrive) and the inflater is destroyed at once, so a
 * gzip bomb inflates at most `cap` bytes.
 */
export function readBody(req: IncomingMessage, cap: number, gzip: boolean): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let sent = 0;
    let settled = false;
    let reqEnded = false;
    const gunzip = gzip ? createGunzip() : null;

    const stop = (): void => {
      req.off('data', onRequestData);
      gunzip?.off('data', onOutput);
      gunzip?.destroy();
      chunks = [];
      req.resume(); // discard whatever else arrives; Connection: close ends it
    };
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      stop();
      reject(e);
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    };
    function onOutput(c: Buffer): void {
      size += c.length;
      if (size > cap) fail(tooLarge(cap, gzip ? 'once inflated' : 'size'));
      else chunks.push(c);
    }
    function onRequestData(c: Buffer): void {
      if (gunzip === null) {
        onOutput(c);
        return;
      }
      sent += c.length;
      if (sent > cap) fail(tooLarge(cap, 'size'));
      else if (!gunzip.write(c)) {
        req.pause();
        gunzip.once('drain', () => {
          if (!settled) req.resume();
        });
      }
    }

    if (gunzip !== null) {
      gunzip.on('data', onOutput);
      gunzip.on('end', finish);
      gunzip.on('error', (e) => fail(new HttpFail(400, `body is not valid gzip: ${e.message}`)));
    }
    req.on('data', onRequestData);
    req.on('end', () => {
      reqEnded = true;
      if (gunzip === null) finish();
      else gunzip.end();
    });
    req.on('error', () => fail(new ClientGone()));
    req.on('close', () => {
      if (!reqEnded) fail(new ClientGone());
    });
  });
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpFail(400, `body is not valid JSON: ${(e as Error).message}`);
  }
}
