import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Message } from './fake-slack-messages.ts';
import { type FakeChannel, FakeWorkspace } from './fake-slack-state.ts';
import { FAKE_BOT } from './fake-slack-wire.ts';

export { FAKE_BOT };

/**
 * A fake Slack on 127.0.0.1: the Web API (`POST /api/<method>`), response URLs (`POST /response/<id>`) and,
 * for Socket Mode, a WebSocket endpoint (`/socket`) that says hello. Every HTTP call is recorded so tests
 * assert what the bot sent, and where. Nothing here reaches the network.
 *
 * The Web API keeps a workspace's state (fake-slack-state.ts: channels, messages, pins, user groups, views)
 * and answers like Slack, errors included; methods it does not model answer `{ ok: true }`. Faults (HTTP
 * 429 with Retry-After, 5xx, platform errors, an outage, a lost response) are injected per method so the
 * delivery path can be tested against what Slack really does to it.
 */
export interface RecordedCall {
  kind: 'api' | 'response' | 'upload';
  /** Web API method (`chat.postMessage`) or the response id. */
  name: string;
  headers: IncomingHttpHeaders;
  /** Form fields or JSON body; a form's `blocks` JSON string is parsed into `blocksParsed`. */
  body: Record<string, unknown>;
  raw: string;
}

export interface FakeSlack {
  baseUrl: string;
  /** For SLACK_API_URL. */
  apiUrl: string;
  calls: RecordedCall[];
  responseUrl(id: string): string;
  /** Overrides the answer to one Web API method. */
  reply(method: string, body: Record<string, unknown>): void;
  waitFor(pred: (c: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** The next `times` calls of `method` fail this way (after being recorded, before any state change). */
  failNext(method: string, fault: Fault, times?: number): void;
  /** Every Web API method but auth.test answers HTTP `status` for the next `ms` (429s carry Retry-After). */
  outage(ms: number, status?: number): void;
  /** The next call of `method` takes effect (a message is stored) but its response is lost: the socket dies. */
  dropResponseOnce(method: string): void;
  /** A channel made outside the bot (another user's, say); returns its id. Defaults: creator the bot, public. */
  seedChannel(o: {
    name: string;
    /** A fixed id (e.g. the ALERTS_CHANNEL a config names); generated otherwise. */
    id?: string;
    creator?: string;
    members?: string[];
    topic?: string;
    archived?: boolean;
  }): string;
  setUsergroup(id: string, users: readonly string[]): void;
  channels(): Array<Omit<FakeChannel, 'created'>>;
  /** Oldest first, thread replies included. */
  messages(channelId: string): Message[];
  /** Pinned message timestamps, oldest first. */
  pins(channelId: string): string[];
  /** The last view published to a user's App Home. */
  views(userId: string): unknown;
  ephemerals(): Array<{ channel: string; user: string; text: string; ts: string }>;
  /**
   * Files uploaded the external way (files.getUploadURLExternal → POST /upload/<id> → files
   * .completeUploadExternal), oldest first; `channel` is null until completed into one.
   */
  files(): FakeFile[];
  /** Forgets state, faults, overrides and recorded calls. */
  reset(): void;
  /** WebSocket connections accepted so far (Socket Mode). */
  readonly sockets: number;
  close(): Promise<void>;
}

export interface FakeFile {
  id: string;
  filename: string;
  /** The length files.getUploadURLExternal announced; a POST of another size is refused (as Slack does). */
  length: number;
  bytes: Buffer | null;
  title: string | null;
  channel: string | null;
  initialComment: string | null;
}

/** HTTP 429 (with `retry-after` seconds), a 5xx, or a platform error (`{ ok: false, error }` on a 200). */
export type Fault = { status: 429; retryAfter: number } | { status: number } | { error: string };

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const body: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
  if (typeof body['blocks'] === 'string') {
    // Malformed blocks are the workspace's to refuse (invalid_blocks), not a crash of the fake.
    try {
      body['blocksParsed'] = JSON.parse(body['blocks']);
    } catch {}
  }
  return body;
}

/** Minimal RFC 6455 server side: handshake, one text frame out, ping → pong, close → close. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
function frame(opcode: number, payload: Buffer): Buffer {
  if (payload.length < 126) return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
  if (payload.length > 0xffff) throw new Error('fake WebSocket frames stay under 64 KiB');
  return Buffer.concat([
    Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff]),
    payload,
  ]);
}
function acceptWebSocket(key: string, socket: Socket, hello: object): void {
  const accept = createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  socket.write(frame(0x1, Buffer.from(JSON.stringify(hello))));
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const opcode = buf[0]! & 0x0f;
      let len = buf[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        socket.destroy();
        return;
      }
      // Client frames are always masked (4-byte key).
      if (buf.length < at + 4 + len) return;
      const mask = buf.subarray(at, at + 4);
      const payload = Buffer.from(buf.subarray(at + 4, at + 4 + len).map((b, i) => b ^ mask[i % 4]!));
      buf = buf.subarray(at + 4 + len);
      if (opcode === 0x9) socket.write(frame(0xa, payload));
      else if (opcode === 0x8) {
        socket.end(frame(0x8, payload.subarray(0, 2)));
        return;
      }
    }
  });
  socket.on('error', () => {});
}

/** `port`: listen there (a test that first points the app at a closed port); any free port by default. */
export async function startFakeSlack(opts: { port?: number } = {}): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const replies = new Map<string, Record<string, unknown>>();
  const waiters: Array<{ pred: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }> = [];
  const openSockets = new Set<Socket>();
  let sockets = 0;
  let baseUrl = '';
  let ws = new FakeWorkspace('');
  const faults = new Map<string, Fault[]>();
  const drops = new Set<string>();
  let outage: { until: number; status: number } | null = null;
  let files: FakeFile[] = [];
  let fileSeq = 0;

  /** The external upload flow, which the workspace state (fake-slack-state.ts) does not model. */
  const fileMethods: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    'files.getUploadURLExternal'(body) {
      const filename = typeof body['filename'] === 'string' ? body['filename'] : '';
      const length = Number(body['length']);
      if (filename === '' || !Number.isInteger(length) || length <= 0)
        return { ok: false, error: 'invalid_arguments' };
      const id = `F${String(++fileSeq).padStart(8, '0')}`;
      files.push({ id, filename, length, bytes: null, title: null, channel: null, initialComment: null });
      return { ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id };
    },
    'files.completeUploadExternal'(body) {
      let list: Array<{ id?: unknown; title?: unknown }>;
      try {
        list = typeof body['files'] === 'string' ? JSON.parse(body['files']) : (body['files'] as typeof list);
      } catch {
        return { ok: false, error: 'invalid_arguments' };
      }
      if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
      const found = list.map((f) => files.find((x) => x.id === f.id));
      if (found.some((f) => f === undefined || f.bytes === null))
        return { ok: false, error: 'file_not_found' };
      const channel = typeof body['channel_id'] === 'string' ? body['channel_id'] : null;
      const comment = typeof body['initial_comment'] === 'string' ? body['initial_comment'] : null;
      found.forEach((f, i) => {
        f!.title = typeof list[i]!.title === 'string' ? (list[i]!.title as string) : f!.filename;
        f!.channel = channel;
        f!.initialComment = comment;
      });
      return { ok: true, files: found.map((f) => ({ id: f!.id, title: f!.title })) };
    },
  };

  /** The fault this call meets, if any: an outage first, then a queued one for the method. */
  const faultFor = (method: string): Fault | undefined => {
    if (outage && Date.now() >= outage.until) outage = null;
    if (outage && method !== 'auth.test') {
      const { status, until } = outage;
      return status === 429 ? { status, retryAfter: Math.ceil((until - Date.now()) / 1000) } : { status };
    }
    const queue = faults.get(method);
    const fault = queue?.shift();
    if (queue?.length === 0) faults.delete(method);
    return fault;
  };

  const record = (c: RecordedCall) => {
    calls.push(c);
    for (const w of [...waiters]) {
      if (w.pred(c)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(c);
      }
    }
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    const path = new URL(req.url ?? '/', baseUrl).pathname;
    if (path.startsWith('/upload/')) {
      // The upload URL takes the file's raw bytes (not a Web API call: no token, no form).
      const id = path.slice('/upload/'.length);
      record({ kind: 'upload', name: id, headers: req.headers, body: { length: bytes.length }, raw: '' });
      const file = files.find((f) => f.id === id);
      if (!file || file.bytes !== null || bytes.length !== file.length) {
        res.writeHead(file ? 400 : 404, { 'content-type': 'text/plain' });
        return res.end(file ? 'bad upload' : 'unknown upload');
      }
      file.bytes = bytes;
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(`OK - ${bytes.length}`);
    }
    const body = parseBody(raw, req.headers['content-type']);
    const json = (status: number, payload: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (path.startsWith('/api/')) {
      const method = path.slice('/api/'.length);
      record({ kind: 'api', name: method, headers: req.headers, body, raw });
      const fault = faultFor(method);
      if (fault && 'error' in fault) return json(200, { ok: false, error: fault.error });
      if (fault) {
        const retry = 'retryAfter' in fault ? { 'retry-after': String(fault.retryAfter) } : {};
        res.writeHead(fault.status, { 'content-type': 'application/json', ...retry });
        return res.end(
          JSON.stringify({ ok: false, error: fault.status === 429 ? 'ratelimited' : 'fatal_error' }),
        );
      }
      const override = replies.get(method);
      if (override) return json(200, override);
      if (method === 'auth.test') return json(200, { ok: true, url: `${baseUrl}/`, ...FAKE_BOT });
      if (method === 'apps.connections.open')
        return json(200, { ok: true, url: `${baseUrl.replace('http', 'ws')}/socket` });
      const answer = (fileMethods[method] ?? ws.methods[method])?.(body) ?? { ok: true };
      // A lost response: Slack did the work, the caller never hears of it.
      if (drops.delete(method)) return void req.socket.destroy();
      return json(200, answer);
    }
    if (path.startsWith('/response/')) {
      record({ kind: 'response', name: path.slice('/response/'.length), headers: req.headers, body, raw });
      return json(200, { ok: true });
    }
    json(404, { ok: false, error: 'unknown_path' });
  });
  server.on('upgrade', (req, socket: Socket) => {
    const key = req.headers['sec-websocket-key'];
    if (new URL(req.url ?? '/', baseUrl).pathname !== '/socket' || typeof key !== 'string')
      return socket.destroy();
    sockets++;
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
    acceptWebSocket(key, socket, { type: 'hello', num_connections: 1, connection_info: { app_id: 'A0001' } });
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ws = new FakeWorkspace(baseUrl);

  return {
    baseUrl,
    apiUrl: `${baseUrl}/api/`,
    calls,
    responseUrl: (id) => `${baseUrl}/response/${id}`,
    reply: (method, body) => void replies.set(method, body),
    waitFor(pred, timeoutMs = 5_000) {
      const found = calls.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(
              new Error(
                `fake Slack: no matching call within ${timeoutMs} ms (saw ${calls.map((c) => c.name).join(', ') || 'nothing'})`,
              ),
            );
          }
        }, timeoutMs).unref();
      });
    },
    failNext(method, fault, times = 1) {
      faults.set(method, [...(faults.get(method) ?? []), ...Array.from({ length: times }, () => fault)]);
    },
    outage(ms, status = 503) {
      outage = { until: Date.now() + ms, status };
    },
    dropResponseOnce: (method) => void drops.add(method),
    seedChannel: (o) => ws.seedChannel(o).id,
    setUsergroup: (id, users) => void ws.usergroups.set(id, [...users]),
    channels: () => ws.channels(),
    messages: (channelId) => structuredClone(ws.messagesByChannel.get(channelId) ?? []),
    pins: (channelId) => [...(ws.pinsByChannel.get(channelId) ?? [])].sort(),
    views: (userId) => structuredClone(ws.viewsByUser.get(userId)),
    ephemerals: () => structuredClone(ws.ephemerals),
    files: () => files.map((f) => ({ ...f, bytes: f.bytes === null ? null : Buffer.from(f.bytes) })),
    reset() {
      ws = new FakeWorkspace(baseUrl);
      files = [];
      faults.clear();
      drops.clear();
      replies.clear();
      outage = null;
      calls.length = 0;
    },
    get sockets() {
      return sockets;
    },
    async close() {
      for (const s of openSockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
