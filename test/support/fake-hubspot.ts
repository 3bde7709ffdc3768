import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HubSpot CRM API on node:http for the e2e suite and the sync bench, answering in HubSpot's
 * documented shapes: objects list and search (contacts, deals), companies batch read, v4 associations
 * batch read, owners, deal pipelines; bearer-token auth (401 INVALID_AUTHENTICATION once revoked); a
 * rolling per-10-second limit with X-HubSpot-RateLimit-* headers and 429 + Retry-After past it; the
 * search endpoints' own per-second limit (and no rate-limit headers on their answers); a daily allowance.
 * For write-back (issue 16): contacts and deals batch read and batch update, tasks and notes batch create
 * with their associations, answered 200 / 201 or 207 Multi-Status naming the ids it refuses (refuse()).
 */

type Props = Record<string, string | null>;
export type ObjectType = 'contacts' | 'deals' | 'companies';

interface Stored {
  id: string;
  properties: Props;
  createdAt: string;
  updatedAt: string;
  /** Epoch ms of the last modification (the modified property and updatedAt both say it). */
  modifiedMs: number;
  companyId: string | null;
}

export interface FakeOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface FakeStage {
  id: string;
  label: string;
  probability: string;
  isClosed: boolean;
}

export interface FakeHubspotOptions {
  token?: string;
  /** Calls per window (X-HubSpot-RateLimit-Max) and the window (…-Interval-Milliseconds). */
  burst?: { max: number; intervalMs: number };
  searchPerSecond?: number;
  daily?: number;
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
  authorization: string | undefined;
}

const MODIFIED: Record<ObjectType, string> = {
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  companies: 'hs_lastmodifieddate',
};
const SEARCH_CAP = 10_000;

export class FakeHubspot {
  readonly token: string;
  readonly requests: RecordedRequest[] = [];
  readonly objects: Record<ObjectType, Map<string, Stored>> = {
    contacts: new Map(),
    deals: new Map(),
    companies: new Map(),
  };
  owners: FakeOwner[] = [];
  stages: FakeStage[] = [];
  #sorted: Partial<Record<ObjectType, Stored[]>> = {};
  #burst: { max: number; intervalMs: number };
  #searchPerSecond: number;
  #daily: number;
  #dailyUsed = 0;
  #arrivals: number[] = [];
  #searchArrivals: number[] = [];
  #revoked = false;
  #faults: Array<{ status: number; body: unknown; headers?: Record<string, string> }> = [];
  #now: () => number;
  #server = createServer((req, res) => void this.#handle(req, res));
  baseUrl = '';
  /** 429s answered for the burst limit and the search limit. */
  refused = { burst: 0, search: 0 };
  /** Tasks and notes created by batch create, with the ids of the records they are associated with. */
  readonly created: Record<'tasks' | 'notes', CreatedObject[]> = { tasks: [], notes: [] };
  /** Record ids (HubSpot's) whose writes are refused, with the message: refuse(). */
  #refusing = new Map<string, string>();

  constructor(opts: FakeHubspotOptions = {}) {
    this.token = opts.token ?? `pat-na1-${randomUUID()}`;
    this.#burst = opts.burst ?? { max: 100, intervalMs: 10_000 };
    this.#searchPerSecond = opts.searchPerSecond ?? 4;
    this.#daily = opts.daily ?? 250_000;
    this.#now = opts.now ?? Date.now;
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

  /** Adds or changes a record; its modified time is `modifiedMs` (default now). */
  upsert(
    type: ObjectType,
    id: string,
    properties: Props,
    o: { modifiedMs?: number; companyId?: string | null } = {},
  ) {
    const modifiedMs = o.modifiedMs ?? this.#now();
    const prev = this.objects[type].get(id);
    const createdAt = prev?.createdAt ?? properties['createdate'] ?? new Date(modifiedMs).toISOString();
    const updatedAt = new Date(modifiedMs).toISOString();
    this.objects[type].set(id, {
      id,
      properties: { ...prev?.properties, ...properties, hs_object_id: id, [MODIFIED[type]]: updatedAt },
      createdAt,
      updatedAt,
      modifiedMs,
      companyId: o.companyId === undefined ? (prev?.companyId ?? null) : o.companyId,
    });
    delete this.#sorted[type];
  }

  /** Writes to (and tasks or notes on) these HubSpot ids are refused in the batch's 207 answer. */
  refuse(ids: readonly string[], message = 'Property values were not valid'): void {
    for (const id of ids) this.#refusing.set(id, message);
  }

  /** Calls answered (not refused by a limit or a fault) to `method path`, e.g. `POST /crm/v3/objects/deals/batch/update`. */
  calls(method: string, path: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && r.path === path && r.status > 0 && r.status < 400,
    );
  }

  revoke(): void {
    this.#revoked = true;
  }

  /** Midnight in the account's time zone: the daily allowance starts again. */
  newDay(): void {
    this.#dailyUsed = 0;
  }

  /** The next answers (in order) are these faults, before any other check. */
  failNext(status: number, body: unknown, headers?: Record<string, string>): void {
    this.#faults.push({ status, body, ...(headers ? { headers } : {}) });
  }

  /** Requests that reached a handler (not refused), by path prefix. */
  count(pathPrefix: string): number {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix) && r.status < 400).length;
  }

  #sortedOf(type: ObjectType): Stored[] {
    this.#sorted[type] ??= [...this.objects[type].values()].sort((a, b) => Number(a.id) - Number(b.id));
    return this.#sorted[type]!;
  }

  #send(
    res: ServerResponse,
    req: RecordedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    req.status = status;
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  #rateHeaders(search: boolean): Record<string, string> {
    if (search) return {};
    const now = this.#now();
    const inWindow = this.#arrivals.filter((t) => t > now - this.#burst.intervalMs).length;
    return {
      'X-HubSpot-RateLimit-Max': String(this.#burst.max),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.#burst.max - inWindow)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(this.#burst.intervalMs),
      'X-HubSpot-RateLimit-Daily': String(this.#daily),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, this.#daily - this.#dailyUsed)),
    };
  }

  /** A 429 when a window is full, else null (and the call is counted). */
  #limit(search: boolean): { body: unknown; headers: Record<string, string> } | null {
    const now = this.#now();
    const prune = (xs: number[], span: number) => {
      while (xs.length > 0 && xs[0]! <= now - span) xs.shift();
    };
    prune(this.#arrivals, this.#burst.intervalMs);
    prune(this.#searchArrivals, 1000);
    const refuse = (policy: string, message: string, oldest: number, span: number) => ({
      body: {
        status: 'error',
        message,
        errorType: 'RATE_LIMIT',
        correlationId: randomUUID(),
        policyName: policy,
      },
      headers: { 'Retry-After': String(Math.max(1, Math.ceil((oldest + span - now) / 1000))) },
    });
    if (this.#arrivals.length >= this.#burst.max) {
      this.refused.burst++;
      return refuse(
        'TEN_SECONDLY_ROLLING',
        'You have reached your ten_secondly_rolling limit.',
        this.#arrivals[0]!,
        this.#burst.intervalMs,
      );
    }
    if (search && this.#searchArrivals.length >= this.#searchPerSecond) {
      this.refused.search++;
      return refuse('SECONDLY', 'You have reached your secondly limit.', this.#searchArrivals[0]!, 1000);
    }
    this.#arrivals.push(now);
    if (search) this.#searchArrivals.push(now);
    this.#dailyUsed++;
    return null;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      status: 0,
      body,
      authorization: req.headers.authorization,
    };
    this.requests.push(rec);
    const fault = this.#faults.shift();
    if (fault) return this.#send(res, rec, fault.status, fault.body, fault.headers);
    if (this.#revoked || req.headers.authorization !== `Bearer ${this.token}`)
      return this.#send(res, rec, 401, {
        status: 'error',
        message:
          'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        correlationId: randomUUID(),
        category: 'INVALID_AUTHENTICATION',
      });
    const search = url.pathname.endsWith('/search');
    const limited = this.#limit(search);
    if (limited) return this.#send(res, rec, 429, limited.body, limited.headers);
    const answer = this.#route(rec.method, url, body);
    this.#send(res, rec, answer.status, answer.body, this.#rateHeaders(search));
  }

  #route(method: string, url: URL, body: unknown): { status: number; body: unknown } {
    const p = url.pathname;
    const list = /^\/crm\/v3\/objects\/(contacts|deals)$/.exec(p);
    const search = /^\/crm\/v3\/objects\/(contacts|deals)\/search$/.exec(p);
    if (method === 'GET' && p === '/crm/v3/owners') return { status: 200, body: this.#owners(url) };
    if (method === 'GET' && p === '/crm/v3/pipelines/deals') return { status: 200, body: this.#pipelines() };
    if (method === 'GET' && list) return { status: 200, body: this.#list(list[1] as ObjectType, url) };
    if (method === 'POST' && search) return this.#search(search[1] as ObjectType, body as SearchBody);
    if (method === 'POST' && p === '/crm/v3/objects/companies/batch/read')
      return this.#batchRead(body as BatchBody);
    const objectBatch = /^\/crm\/v3\/objects\/(contacts|deals)\/batch\/(read|update)$/.exec(p);
    if (method === 'POST' && objectBatch?.[2] === 'read')
      return this.#objectsRead(objectBatch[1] as ObjectType, body as BatchBody);
    if (method === 'POST' && objectBatch?.[2] === 'update')
      return this.#objectsUpdate(objectBatch[1] as ObjectType, body as UpdateBody);
    const create = /^\/crm\/v3\/objects\/(tasks|notes)\/batch\/create$/.exec(p);
    if (method === 'POST' && create) return this.#create(create[1] as 'tasks' | 'notes', body as CreateBody);
    if (method === 'POST' && p === '/crm/v4/associations/deals/companies/batch/read')
      return { status: 200, body: this.#associations(body as BatchBody) };
    return {
      status: 404,
      body: { status: 'error', message: `no route ${method} ${p}`, category: 'OBJECT_NOT_FOUND' },
    };
  }

  #view(type: ObjectType, o: Stored, properties: readonly string[]) {
    const props: Props = {};
    for (const k of ['createdate', MODIFIED[type], 'hs_object_id', ...properties])
      props[k] = o.properties[k] ?? null;
    return { id: o.id, properties: props, createdAt: o.createdAt, updatedAt: o.updatedAt, archived: false };
  }

  #list(type: ObjectType, url: URL) {
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 10));
    const properties = (url.searchParams.get('properties') ?? '').split(',').filter((s) => s !== '');
    const all = this.#sortedOf(type);
    const from = Number(url.searchParams.get('after') ?? 0);
    const slice = all.slice(from, from + limit);
    const withAssoc = url.searchParams.get('associations') === 'companies';
    const results = slice.map((o) => ({
      ...this.#view(type, o, properties),
      ...(withAssoc && o.companyId
        ? {
            associations: {
              companies: {
                results: [
                  { id: o.companyId, type: 'deal_to_company' },
                  { id: o.companyId, type: 'deal_to_company_unlabeled' },
                ],
              },
            },
          }
        : {}),
    }));
    const next = from + limit < all.length ? String(from + limit) : null;
    return {
      results,
      ...(next === null
        ? {}
        : {
            paging: { next: { after: next, link: `${this.baseUrl}/crm/v3/objects/${type}?after=${next}` } },
          }),
    };
  }

  #search(type: ObjectType, b: SearchBody): { status: number; body: unknown } {
    const limit = Math.min(200, b.limit ?? 10);
    const after = Number(b.after ?? 0);
    if (after + limit > SEARCH_CAP)
      return {
        status: 400,
        body: { status: 'error', message: 'Cannot page beyond 10000 results', category: 'VALIDATION_ERROR' },
      };
    const filters = b.filterGroups?.[0]?.filters ?? [];
    const valueIn = (o: Stored, prop: string) =>
      prop === MODIFIED[type] ? o.modifiedMs : Number(o.properties[prop]);
    const ok = (o: Stored) =>
      filters.every((f) => {
        const v = valueIn(o, f.propertyName);
        const x = Number(f.value);
        return { GTE: v >= x, GT: v > x, EQ: v === x, LT: v < x, LTE: v <= x }[f.operator] ?? false;
      });
    const sort = b.sorts?.[0]?.propertyName ?? 'hs_object_id';
    const matched = [...this.objects[type].values()]
      .filter(ok)
      .sort((x, y) => valueIn(x, sort) - valueIn(y, sort) || Number(x.id) - Number(y.id));
    const page = matched.slice(after, after + limit);
    const more = after + limit < matched.length;
    return {
      status: 200,
      body: {
        total: matched.length,
        results: page.map((o) => this.#view(type, o, b.properties ?? [])),
        ...(more ? { paging: { next: { after: String(after + limit) } } } : {}),
      },
    };
  }

  #batchRead(b: BatchBody): { status: number; body: unknown } {
    const found = b.inputs.flatMap((i) => {
      const c = this.objects.companies.get(i.id);
      return c ? [this.#view('companies', c, b.properties ?? [])] : [];
    });
    const missing = b.inputs.filter((i) => !this.objects.companies.has(i.id)).map((i) => i.id);
    const stamp = new Date(this.#now()).toISOString();
    return {
      status: missing.length > 0 ? 207 : 200,
      body: {
        status: 'COMPLETE',
        results: found,
        ...(missing.length > 0
          ? {
              numErrors: 1,
              errors: [
                {
                  status: 'error',
                  category: 'OBJECT_NOT_FOUND',
                  message: 'Could not get some COMPANY objects',
                  context: { ids: missing },
                },
              ],
            }
          : {}),
        startedAt: stamp,
        completedAt: stamp,
      },
    };
  }

  /** A batch answer: 200 (or `okStatus`) when all went through, else 207 with one error per message. */
  #batchAnswer(
    results: unknown[],
    refused: Map<string, string[]>,
    category: string,
    okStatus = 200,
    key = 'ids',
  ) {
    const stamp = new Date(this.#now()).toISOString();
    const errors = [...refused].map(([message, ids]) => ({
      status: 'error',
      category,
      message,
      context: { [key]: ids },
    }));
    return {
      status: errors.length > 0 ? 207 : okStatus,
      body: {
        status: 'COMPLETE',
        results,
        ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
        requestedAt: stamp,
        startedAt: stamp,
        completedAt: stamp,
      },
    };
  }

  #objectsRead(type: ObjectType, b: BatchBody): { status: number; body: unknown } {
    const found = b.inputs.flatMap((i) => {
      const o = this.objects[type].get(i.id);
      return o ? [this.#view(type, o, b.properties ?? [])] : [];
    });
    const missing = b.inputs.filter((i) => !this.objects[type].has(i.id)).map((i) => i.id);
    const refused = new Map(
      missing.length > 0 ? [[`Could not get some ${type.slice(0, -1).toUpperCase()} objects`, missing]] : [],
    );
    return this.#batchAnswer(found, refused, 'OBJECT_NOT_FOUND');
  }

  #objectsUpdate(type: ObjectType, b: UpdateBody): { status: number; body: unknown } {
    if (b.inputs.length > 100)
      return {
        status: 400,
        body: {
          status: 'error',
          message: 'Batch input cannot exceed 100 items',
          category: 'VALIDATION_ERROR',
        },
      };
    const refused = new Map<string, string[]>();
    const results: unknown[] = [];
    for (const i of b.inputs) {
      const why = this.#refusing.get(i.id) ?? (this.objects[type].has(i.id) ? null : 'Object not found');
      if (why !== null) {
        refused.set(why, [...(refused.get(why) ?? []), i.id]);
        continue;
      }
      this.upsert(type, i.id, i.properties);
      results.push(this.#view(type, this.objects[type].get(i.id)!, Object.keys(i.properties)));
    }
    return this.#batchAnswer(results, refused, 'VALIDATION_ERROR');
  }

  #create(type: 'tasks' | 'notes', b: CreateBody): { status: number; body: unknown } {
    if (b.inputs.length > 100)
      return {
        status: 400,
        body: {
          status: 'error',
          message: 'Batch input cannot exceed 100 items',
          category: 'VALIDATION_ERROR',
        },
      };
    const refused = new Map<string, string[]>();
    const results: unknown[] = [];
    for (const i of b.inputs) {
      const to = i.associations?.map((a) => a.to.id) ?? [];
      const why = to.map((id) => this.#refusing.get(id)).find((m) => m !== undefined);
      if (why !== undefined) {
        refused.set(why, [...(refused.get(why) ?? []), i.objectWriteTraceId ?? '']);
        continue;
      }
      const id = String(900_000 + this.created.tasks.length + this.created.notes.length);
      const stamp = new Date(this.#now()).toISOString();
      this.created[type].push({
        id,
        properties: i.properties,
        associations: (i.associations ?? []).map((a) => ({
          id: a.to.id,
          typeId: a.types[0]?.associationTypeId ?? 0,
        })),
      });
      results.push({
        id,
        properties: { ...i.properties, hs_object_id: id },
        createdAt: stamp,
        updatedAt: stamp,
        archived: false,
        ...(i.objectWriteTraceId ? { objectWriteTraceId: i.objectWriteTraceId } : {}),
      });
    }
    return this.#batchAnswer(results, refused, 'VALIDATION_ERROR', 201, 'objectWriteTraceId');
  }

  #associations(b: BatchBody) {
    const stamp = new Date(this.#now()).toISOString();
    return {
      status: 'COMPLETE',
      results: b.inputs.flatMap((i) => {
        const d = this.objects.deals.get(i.id);
        if (!d?.companyId) return [];
        return [
          {
            from: { id: i.id },
            to: [
              {
                toObjectId: Number(d.companyId),
                associationTypes: [
                  { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
                  { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
                ],
              },
            ],
          },
        ];
      }),
      startedAt: stamp,
      completedAt: stamp,
    };
  }

  #owners(url: URL) {
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 100));
    const from = Number(url.searchParams.get('after') ?? 0);
    const stamp = '2024-01-01T00:00:00.000Z';
    const results = this.owners.slice(from, from + limit).map((o) => ({
      ...o,
      type: 'PERSON',
      userId: Number(o.id) + 1000,
      createdAt: stamp,
      updatedAt: stamp,
      archived: false,
    }));
    const next = from + limit < this.owners.length ? String(from + limit) : null;
    return { results, ...(next === null ? {} : { paging: { next: { after: next, link: '' } } }) };
  }

  #pipelines() {
    const stamp = '2024-01-01T00:00:00.000Z';
    return {
      results: [
        {
          label: 'Sales Pipeline',
          displayOrder: 0,
          id: 'default',
          stages: this.stages.map((s, i) => ({
            label: s.label,
            displayOrder: i,
            metadata: { isClosed: String(s.isClosed), probability: s.probability },
            id: s.id,
            createdAt: stamp,
            updatedAt: stamp,
            archived: false,
          })),
          createdAt: stamp,
          updatedAt: stamp,
          archived: false,
        },
      ],
    };
  }
}

interface SearchBody {
  filterGroups?: Array<{ filters: Array<{ propertyName: string; operator: string; value: string }> }>;
  sorts?: Array<{ propertyName: string; direction: string }>;
  properties?: string[];
  limit?: number;
  after?: string;
}

export interface CreatedObject {
  id: string;
  properties: Record<string, string>;
  /** The records it is associated with (HubSpot ids) and the association type. */
  associations: { id: string; typeId: number }[];
}

interface UpdateBody {
  inputs: Array<{ id: string; properties: Props }>;
}

interface CreateBody {
  inputs: Array<{
    properties: Record<string, string>;
    associations?: Array<{ to: { id: string }; types: Array<{ associationTypeId: number }> }>;
    objectWriteTraceId?: string;
  }>;
}

interface BatchBody {
  inputs: Array<{ id: string }>;
  properties?: string[];
}

/** HubSpot's default deal pipeline stages (ids, labels, probabilities as its API returns them). */
export const DEFAULT_STAGES: FakeStage[] = [
  { id: 'appointmentscheduled', label: 'Appointment Scheduled', probability: '0.2', isClosed: false },
  { id: 'qualifiedtobuy', label: 'Qualified To Buy', probability: '0.4', isClosed: false },
  { id: 'presentationscheduled', label: 'Presentation Scheduled', probability: '0.6', isClosed: false },
  { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', probability: '0.8', isClosed: false },
  { id: 'contractsent', label: 'Contract Sent', probability: '0.9', isClosed: false },
  { id: 'closedwon', label: 'Closed Won', probability: '1.0', isClosed: true },
  { id: 'closedlost', label: 'Closed Lost', probability: '0.0', isClosed: true },
];

export async function startFakeHubspot(opts: FakeHubspotOptions = {}): Promise<FakeHubspot> {
  const fake = new FakeHubspot(opts);
  fake.stages = DEFAULT_STAGES;
  return fake.start();
}
