import { generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small Salesforce org on node:http for the e2e suite, answering in Salesforce's documented shapes:
 * the OAuth token endpoint (JWT bearer, its RS256 signature verified with the connected app's
 * certificate key, and refresh token; `invalid_grant` once revoked), SOQL through the REST query
 * resource (the SELECT/WHERE/ORDER BY subset the connector sends, parent fields such as `Account.Name`,
 * `nextRecordsUrl` paging), Bulk API 2.0 query jobs (create, poll, CSV results paged by
 * `Sforce-Locator`), `Sforce-Limit-Info` on every API answer, 401 INVALID_SESSION_ID for an expired
 * session and 403 REQUEST_LIMIT_EXCEEDED past the daily allowance.
 */

type Value = string | number | boolean | null;
export type Row = Record<string, Value>;
export type SObject = 'Lead' | 'Opportunity' | 'User' | 'OpportunityStage' | 'Account';

export interface FakeSalesforceOptions {
  /** API requests per 24 h (the `M` of `api-usage=N/M`). */
  daily?: number;
  /** Records per REST query page (Salesforce's default is 2,000). */
  batchSize?: number;
  /** Polls a Bulk job answers InProgress before JobComplete. */
  bulkPolls?: number;
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  authorization: string | undefined;
  /** The SOQL of a query or Bulk job. */
  soql: string | null;
  /** The JSON body of a write (sObject Collections). */
  body: unknown;
}

/** A record created through sObject Collections (Task, ContentNote, ContentDocumentLink). */
export type Created = Row & { Id: string };
type CreatedType = 'Task' | 'ContentNote' | 'ContentDocumentLink';
const CREATED_PREFIX: Record<CreatedType, string> = {
  Task: '00T',
  ContentNote: '069',
  ContentDocumentLink: '06A',
};

const V = '/services/data/v62.0';
const DATETIMES = new Set(['CreatedDate', 'SystemModstamp', 'LastModifiedDate']);
const PREFIX: Record<SObject, string> = {
  Lead: '00Q',
  Opportunity: '006',
  User: '005',
  OpportunityStage: '01J',
  Account: '001',
};

/** A Salesforce-looking 18-character id, in creation order: `006000000000000007AAA`. */
export const sfId = (object: SObject, n: number) => `${PREFIX[object]}${String(n).padStart(12, '0')}AAA`;

// ------------------------------------------------------------------------------------------- mini SOQL

type Cond =
  | { op: 'and' | 'or'; left: Cond; right: Cond }
  | { field: string; cmp: string; value: Value; time: number | null };

interface Query {
  fields: string[];
  object: SObject;
  where: Cond | null;
  order: string[];
}

function tokenize(s: string): string[] {
  const re = /\s*('(?:[^'\\]|\\.)*'|>=|<=|!=|[(),=<>]|[A-Za-z0-9_.:+-]+)/y;
  const out: string[] = [];
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (m === null) break;
    out.push(m[1]!);
  }
  if (re.lastIndex < s.trimEnd().length) throw new Error(`unexpected token at ${re.lastIndex}`);
  return out;
}

function parseSoql(text: string): Query {
  const t = tokenize(text);
  let i = 0;
  const next = () => t[i++]!;
  const upper = () => t[i]?.toUpperCase();
  if (next().toUpperCase() !== 'SELECT') throw new Error('expected SELECT');
  const fields: string[] = [];
  do fields.push(next());
  while (t[i] === ',' && i++);
  if (next().toUpperCase() !== 'FROM') throw new Error('expected FROM');
  const object = next() as SObject;
  const literal = (tok: string): { value: Value; time: number | null } => {
    if (tok.startsWith("'")) return { value: tok.slice(1, -1).replace(/\\(.)/g, '$1'), time: null };
    if (/^(true|false)$/i.test(tok)) return { value: tok.toLowerCase() === 'true', time: null };
    if (/^\d{4}-\d\d-\d\dT/.test(tok)) return { value: tok, time: Date.parse(tok) };
    return { value: Number(tok), time: null };
  };
  const factor = (): Cond => {
    if (t[i] === '(') {
      i++;
      const c = expr();
      if (next() !== ')') throw new Error('expected )');
      return c;
    }
    const field = next();
    const cmp = next();
    if (cmp.toUpperCase() === 'IN') {
      // `Id IN ('a', 'b')`: an OR of equalities.
      if (next() !== '(') throw new Error('expected (');
      let c: Cond | null = null;
      for (;;) {
        const one: Cond = { field, cmp: '=', ...literal(next()) };
        c = c === null ? one : { op: 'or', left: c, right: one };
        const sep = next();
        if (sep === ')') return c;
        if (sep !== ',') throw new Error('expected , or )');
      }
    }
    return { field, cmp, ...literal(next()) };
  };
  const term = (): Cond => {
    let c = factor();
    while (upper() === 'AND') {
      i++;
      c = { op: 'and', left: c, right: factor() };
    }
    return c;
  };
  const expr = (): Cond => {
    let c = term();
    while (upper() === 'OR') {
      i++;
      c = { op: 'or', left: c, right: term() };
    }
    return c;
  };
  let where: Cond | null = null;
  if (upper() === 'WHERE') {
    i++;
    where = expr();
  }
  const order: string[] = [];
  if (upper() === 'ORDER') {
    i += 2;
    do order.push(next());
    while (t[i] === ',' && i++);
  }
  if (i !== t.length) throw new Error(`unexpected '${t[i]}'`);
  return { fields, object, where, order };
}

function test(c: Cond, row: Row): boolean {
  if ('op' in c)
    return c.op === 'and' ? test(c.left, row) && test(c.right, row) : test(c.left, row) || test(c.right, row);
  const raw = row[c.field] ?? null;
  const a = c.time !== null && typeof raw === 'string' ? Date.parse(raw) : raw;
  const b = c.time ?? c.value;
  if (a === null) return c.cmp === '=' ? b === null : c.cmp === '!=' ? b !== null : false;
  const x = a as string | number | boolean;
  const y = b as string | number | boolean;
  switch (c.cmp) {
    case '=':
      return x === y;
    case '!=':
      return x !== y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
  }
  throw new Error(`operator ${c.cmp}`);
}

const restTime = (iso: string) => new Date(iso).toISOString().replace('Z', '+0000');

// --------------------------------------------------------------------------------------------- the org

export class FakeSalesforce {
  readonly clientId = `3MVG9${randomUUID().replaceAll('-', '')}`;
  readonly clientSecret = `SECRET${randomUUID().replaceAll('-', '')}`;
  readonly refreshToken = `5Aep861${randomUUID().replaceAll('-', '')}`;
  readonly username = 'integration@northwind.example';
  /** The connected app's private key, on disk as SALESFORCE_JWT_KEY_FILE reads it. */
  readonly keyFile: string;
  readonly #publicKey;
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: Array<{ grant: string; status: number }> = [];
  readonly objects: Record<SObject, Map<string, Row>> = {
    Lead: new Map(),
    Opportunity: new Map(),
    User: new Map(),
    OpportunityStage: new Map(),
    Account: new Map(),
  };
  baseUrl = '';
  #daily: number;
  #used = 0;
  #batchSize: number;
  #bulkPolls: number;
  #now: () => number;
  #tokens = new Set<string>();
  #revoked = false;
  #expireIn: number | null = null;
  /** Open query locators: the rows of the query and the query (for its select list). */
  #cursors = new Map<string, Row[]>();
  #cursorQueries = new Map<string, Query>();
  #jobs = new Map<string, { query: Query; rows: Row[]; polls: number }>();
  /** Records created by write-back, by type. */
  readonly created: Record<CreatedType, Created[]> = { Task: [], ContentNote: [], ContentDocumentLink: [] };
  /** Record ids (Lead/Opportunity Ids) whose writes are refused per record, with the error. */
  #refused = new Map<string, { statusCode: string; message: string; fields: string[] }>();
  #faults: Array<{ status: number; body: unknown; headers?: Record<string, string> }> = [];
  #server = createServer((req, res) => void this.#handle(req, res));

  constructor(opts: FakeSalesforceOptions = {}) {
    this.#daily = opts.daily ?? 100_000;
    this.#batchSize = opts.batchSize ?? 2000;
    this.#bulkPolls = opts.bulkPolls ?? 1;
    this.#now = opts.now ?? Date.now;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.#publicKey = publicKey;
    this.keyFile = join(mkdtempSync(join(tmpdir(), 'fake-sf-')), 'server.key');
    writeFileSync(this.keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    this.baseUrl = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  /** Adds or changes a record; SystemModstamp is `modifiedMs` (default now), to the second as Salesforce's. */
  upsert(object: SObject, id: string, fields: Row, o: { modifiedMs?: number } = {}): void {
    const modified = new Date(Math.floor((o.modifiedMs ?? this.#now()) / 1000) * 1000).toISOString();
    const prev = this.objects[object].get(id);
    this.objects[object].set(id, {
      CreatedDate: modified,
      ...prev,
      ...fields,
      Id: id,
      SystemModstamp: modified,
    });
  }

  /** Every session Salesforce issued ends (a timeout, a password change): the next call is a 401. */
  expireSessions(): void {
    this.#tokens.clear();
  }

  /** The connected app's access is revoked: grants are refused (and sessions end). */
  revoke(): void {
    this.#revoked = true;
    this.#tokens.clear();
  }

  /** Sessions end after `calls` more API calls (mid-sync, as a session timeout would end them). */
  expireSessionsAfter(calls: number): void {
    this.#expireIn = calls;
  }

  /** Another 24 hours: the API allowance starts again. */
  newDay(): void {
    this.#used = 0;
  }

  /** Writes naming these ids (updates, tasks and notes on them) fail per record with this error. */
  refuse(ids: readonly string[], message: string, statusCode = 'FIELD_CUSTOM_VALIDATION_EXCEPTION'): void {
    for (const id of ids) this.#refused.set(id, { statusCode, message, fields: [] });
  }

  failNext(status: number, body: unknown, headers?: Record<string, string>): void {
    this.#faults.push({ status, body, ...(headers ? { headers } : {}) });
  }

  /** API requests that were answered 2xx, by method and path prefix. */
  count(method: string, pathPrefix: string): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix) && r.status < 300)
      .length;
  }

  // -------------------------------------------------------------------------------------------- HTTP

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    try {
      if (req.method === 'POST' && url.pathname === '/services/oauth2/token') return this.#token(body, res);
      this.#api(req, url, body, res);
    } catch (e) {
      this.#json(res, 400, [{ message: (e as Error).message, errorCode: 'MALFORMED_QUERY' }]);
    }
  }

  #json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  }

  #token(form: string, res: ServerResponse) {
    const p = new URLSearchParams(form);
    const grant = p.get('grant_type') ?? '';
    const refuse = (description: string) => {
      this.tokenRequests.push({ grant, status: 400 });
      this.#json(res, 400, { error: 'invalid_grant', error_description: description });
    };
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const problem = this.#checkAssertion(p.get('assertion') ?? '');
      if (problem !== null) return refuse(problem);
    } else if (grant === 'refresh_token') {
      if (p.get('client_id') !== this.clientId || p.get('refresh_token') !== this.refreshToken)
        return refuse('authentication failure');
    } else {
      this.tokenRequests.push({ grant, status: 400 });
      return this.#json(res, 400, {
        error: 'unsupported_grant_type',
        error_description: 'grant type not supported',
      });
    }
    if (this.#revoked)
      return refuse(
        grant === 'refresh_token' ? 'expired access/refresh token' : "user hasn't approved this consumer",
      );
    const token = `00DFAKE00000000001!AQ${randomUUID().replaceAll('-', '')}`;
    this.#tokens.add(token);
    this.tokenRequests.push({ grant, status: 200 });
    this.#json(res, 200, {
      access_token: token,
      instance_url: this.baseUrl,
      id: `${this.baseUrl}/id/00DFAKE00000000001/${sfId('User', 1)}`,
      token_type: 'Bearer',
      issued_at: String(this.#now()),
      signature: 'ZmFrZS1zaWduYXR1cmU=',
    });
  }

  /** Why Salesforce would refuse the JWT (its signature, issuer, subject, audience, expiry), or null. */
  #checkAssertion(jwt: string): string | null {
    const [h, c, s] = jwt.split('.');
    if (!h || !c || !s) return 'invalid assertion';
    const signed = verify('sha256', Buffer.from(`${h}.${c}`), this.#publicKey, Buffer.from(s, 'base64url'));
    if (!signed) return 'invalid assertion';
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
    if (claims['iss'] !== this.clientId) return 'invalid client credentials';
    if (claims['sub'] !== this.username) return "user hasn't approved this consumer";
    if (claims['aud'] !== this.baseUrl) return 'audience is invalid';
    const exp = Number(claims['exp']) * 1000;
    if (!(exp > this.#now()) || exp > this.#now() + 3 * 60_000 + 1000) return 'expired authorization code';
    return null;
  }

  #api(req: IncomingMessage, url: URL, body: string, res: ServerResponse) {
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      status: 0,
      authorization: req.headers.authorization,
      soql: url.searchParams.get('q'),
      body: body === '' ? null : body.startsWith('{') ? (JSON.parse(body) as unknown) : body,
    };
    this.requests.push(rec);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}, csv = false) => {
      rec.status = status;
      const h = { 'Sforce-Limit-Info': `api-usage=${this.#used}/${this.#daily}`, ...headers };
      if (csv) {
        res.writeHead(status, { 'content-type': 'text/csv', ...h });
        res.end(payload as string);
      } else this.#json(res, status, payload, h);
    };
    if (this.#expireIn !== null && this.#expireIn-- <= 0) {
      this.#expireIn = null;
      this.#tokens.clear();
    }
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (!this.#tokens.has(bearer))
      return send(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    if (this.#used >= this.#daily)
      return send(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    this.#used++;
    const fault = this.#faults.shift();
    if (fault) return send(fault.status, fault.body, fault.headers);
    const p = url.pathname;
    if (req.method === 'GET' && p === `${V}/query`) {
      const q = parseSoql(url.searchParams.get('q') ?? '');
      return send(200, this.#page(q, this.#select(q), `${randomUUID()}`, 0));
    }
    const more = /^\/services\/data\/v62\.0\/query\/(01g[^-]+)-(\d+)$/.exec(p);
    if (req.method === 'GET' && more) {
      const rows = this.#cursors.get(more[1]!);
      if (!rows) return send(400, [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
      return send(200, this.#continue(more[1]!, rows, Number(more[2])));
    }
    if ((req.method === 'PATCH' || req.method === 'POST') && p === `${V}/composite/sobjects`)
      return send(200, this.#collection(req.method, body));
    if (req.method === 'POST' && p === `${V}/jobs/query`) {
      const job = JSON.parse(body) as { operation: string; query: string };
      rec.soql = job.query;
      const q = parseSoql(job.query);
      const id = `750FAKE${String(this.#jobs.size + 1).padStart(8, '0')}AAA`;
      this.#jobs.set(id, { query: q, rows: this.#select(q), polls: 0 });
      return send(200, this.#jobInfo(id, 'UploadComplete'));
    }
    const job = /^\/services\/data\/v62\.0\/jobs\/query\/([^/]+)(\/results)?$/.exec(p);
    const j = job ? this.#jobs.get(job[1]!) : undefined;
    if (req.method === 'GET' && job && j === undefined)
      return send(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    if (req.method === 'GET' && job && !job[2]) {
      const state = j!.polls++ < this.#bulkPolls ? 'InProgress' : 'JobComplete';
      return send(200, this.#jobInfo(job[1]!, state));
    }
    if (req.method === 'GET' && job && job[2]) {
      const offset = Number(Buffer.from(url.searchParams.get('locator') ?? 'MA==', 'base64').toString() || 0);
      const max = Number(url.searchParams.get('maxRecords') ?? 50_000);
      const part = j!.rows.slice(offset, offset + max);
      const done = offset + max >= j!.rows.length;
      return send(
        200,
        this.#csv(j!.query.fields, part),
        {
          'Sforce-Locator': done ? 'null' : Buffer.from(String(offset + max)).toString('base64'),
          'Sforce-NumberOfRecords': String(part.length),
        },
        true,
      );
    }
    send(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  }

  /** sObject Collections: one `{id, success, errors}` per record, in request order (allOrNone false). */
  #collection(method: string, body: string) {
    const { records } = JSON.parse(body) as { records: Array<Row & { attributes: { type: string } }> };
    if (records.length > 200) throw new Error('EXCEEDED_ID_LIMIT: record limit is 200');
    return records.map((r) => {
      const { attributes, ...fields } = r;
      const type = attributes.type;
      const fail = (statusCode: string, message: string, f: string[] = []) => ({
        id: method === 'PATCH' ? (r['id'] ?? null) : null,
        success: false,
        errors: [{ statusCode, message, fields: f }],
      });
      const target = String(r['id'] ?? r['WhatId'] ?? r['WhoId'] ?? r['LinkedEntityId'] ?? '');
      const refused = this.#refused.get(target);
      if (refused) return fail(refused.statusCode, refused.message, refused.fields);
      if (method === 'PATCH') {
        const object = type as SObject;
        const id = String(r['id'] ?? '');
        if (!this.objects[object]?.has(id)) return fail('ENTITY_IS_DELETED', 'entity is deleted');
        const owner = fields['OwnerId'];
        if (owner !== undefined && this.objects.User.get(String(owner))?.['IsActive'] !== true)
          return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['OwnerId']);
        delete fields['id'];
        this.upsert(object, id, fields);
        return { id, success: true, errors: [] };
      }
      if (!(type in this.created)) return fail('INVALID_TYPE', `sObject type '${type}' is not supported`);
      const list = this.created[type as CreatedType];
      const id = `${CREATED_PREFIX[type as CreatedType]}${String(list.length + 1).padStart(12, '0')}AAA`;
      list.push({ ...fields, Id: id });
      return { id, success: true, errors: [] };
    });
  }

  #jobInfo(id: string, state: string) {
    const j = this.#jobs.get(id)!;
    return {
      id,
      operation: 'query',
      object: j.query.object,
      createdById: sfId('User', 1),
      createdDate: restTime(new Date(this.#now()).toISOString()),
      systemModstamp: restTime(new Date(this.#now()).toISOString()),
      state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: 62.0,
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      ...(state === 'JobComplete'
        ? { numberRecordsProcessed: j.rows.length, retries: 0, totalProcessingTime: 120 }
        : {}),
    };
  }

  #select(q: Query): Row[] {
    const rows = [...this.objects[q.object].values()].filter((r) => q.where === null || test(q.where, r));
    const key = (r: Row, f: string) => (DATETIMES.has(f) ? Date.parse(String(r[f])) : String(r[f] ?? ''));
    if (q.order.length > 0)
      rows.sort((a, b) => {
        for (const f of q.order) {
          const x = key(a, f);
          const y = key(b, f);
          if (x < y) return -1;
          if (x > y) return 1;
        }
        return 0;
      });
    return rows;
  }

  /** A record as the REST API answers it: attributes, the selected fields, parents as nested records. */
  #rest(object: SObject, fields: string[], r: Row): Record<string, unknown> {
    const out: Record<string, unknown> = {
      attributes: { type: object, url: `${V}/sobjects/${object}/${r['Id']}` },
    };
    for (const f of fields) {
      const [parent, child] = f.split('.');
      if (child === undefined) {
        const v = r[f] ?? null;
        out[f] = DATETIMES.has(f) && typeof v === 'string' ? restTime(v) : v;
        continue;
      }
      const acc = this.objects.Account.get(String(r[`${parent}Id`] ?? ''));
      if (acc === undefined) out[parent!] = null;
      else {
        const nested = (out[parent!] as Record<string, unknown> | undefined) ?? {
          attributes: { type: 'Account', url: `${V}/sobjects/Account/${acc['Id']}` },
        };
        nested[child] = acc[child] ?? null;
        out[parent!] = nested;
      }
    }
    return out;
  }

  #page(q: Query, rows: Row[], cursor: string, offset: number) {
    const id = `01g${cursor.replaceAll('-', '')}`;
    const part = rows.slice(offset, offset + this.#batchSize);
    const done = offset + this.#batchSize >= rows.length;
    if (!done) {
      this.#cursors.set(id, rows);
      this.#cursorQueries.set(id, q);
    }
    return {
      totalSize: rows.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `${V}/query/${id}-${offset + this.#batchSize}` }),
      records: part.map((r) => this.#rest(q.object, q.fields, r)),
    };
  }

  #continue(id: string, rows: Row[], offset: number) {
    const q = this.#cursorQueries.get(id)!;
    return this.#page(q, rows, id.slice(3), offset);
  }

  #csv(fields: string[], rows: Row[]): string {
    const cell = (v: unknown) =>
      v === null || v === undefined ? '' : `"${String(v).replaceAll('"', '""')}"`;
    const lines = [fields.map((f) => `"${f}"`).join(',')];
    for (const r of rows)
      lines.push(
        fields
          .map((f) => {
            const [parent, child] = f.split('.');
            if (child === undefined) return cell(r[f]);
            return cell(this.objects.Account.get(String(r[`${parent}Id`] ?? ''))?.[child]);
          })
          .join(','),
      );
    return `${lines.join('\n')}\n`;
  }
}

export async function startFakeSalesforce(opts: FakeSalesforceOptions = {}): Promise<FakeSalesforce> {
  return new FakeSalesforce(opts).start();
}
