import type {
  AuditEntry,
  IncidentPatch,
  IncidentStore,
  IncidentTx,
  NewIncident,
  NewTimelineEntry,
  PageDelivery,
  SlackState,
  TimelineEntry,
} from '../../app/incidents/ports.ts';
import type { NewJob } from '../../app/outbox/ports.ts';
import type { Incident } from '../../domain/incidents/incident.ts';
import type { IncidentState } from '../../domain/incidents/lifecycle.ts';
import type { Db, Row, Sql } from './client.ts';
import { epochMs, iso } from './instants.ts';
import { type PatchColumns, patchSets } from './patch.ts';

const COLUMNS = `id::text AS id, dedupe_key, title, state, severity, paging, ${epochMs('opened_at')} AS opened_ms,
  ${epochMs('acknowledged_at')} AS acknowledged_ms, acknowledged_by, ${epochMs('resolved_at')} AS resolved_ms, resolved_by,
  commander, figures, pages_sent, ${epochMs('next_page_at')} AS next_page_ms, channel_id, channel_name, war_room_ts,
  (SELECT coalesce(sum(f.recovered_cents), 0)::float8 FROM fix_runs f
    WHERE f.incident_id = incidents.id AND f.state = 'applied') AS recovered_cents`;

function toIncident(r: Row): Incident {
  return {
    id: r['id'] as string,
    dedupeKey: r['dedupe_key'] as string,
    title: r['title'] as string,
    state: r['state'] as Incident['state'],
    severity: Number(r['severity']) as Incident['severity'],
    paging: r['paging'] as Incident['paging'],
    openedAtMs: r['opened_ms'] as number,
    acknowledgedAtMs: (r['acknowledged_ms'] as number | null) ?? null,
    acknowledgedBy: (r['acknowledged_by'] as string | null) ?? null,
    resolvedAtMs: (r['resolved_ms'] as number | null) ?? null,
    resolvedBy: (r['resolved_by'] as string | null) ?? null,
    commander: (r['commander'] as string | null) ?? null,
    figures: (typeof r['figures'] === 'string'
      ? JSON.parse(r['figures'])
      : r['figures']) as Incident['figures'],
    pagesSent: Number(r['pages_sent']),
    nextPageAtMs: (r['next_page_ms'] as number | null) ?? null,
    channelId: (r['channel_id'] as string | null) ?? null,
    channelName: (r['channel_name'] as string | null) ?? null,
    warRoomTs: (r['war_room_ts'] as string | null) ?? null,
    recoveredCents: Number(r['recovered_cents'] ?? 0),
  };
}

function toEntry(r: Row): TimelineEntry {
  return {
    id: r['id'] as string,
    incidentId: r['incident_id'] as string,
    kind: r['kind'] as TimelineEntry['kind'],
    actor: r['actor'] as string,
    atMs: r['at_ms'] as number,
    data: (typeof r['data'] === 'string' ? JSON.parse(r['data']) : r['data']) as Record<string, unknown>,
  };
}

const json = (v: unknown): Record<string, unknown> =>
  (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

const ENTRY_COLUMNS = `id::text AS id, incident_id::text AS incident_id, kind, actor, ${epochMs('at')} AS at_ms, data`;

/** Patch keys → columns and how each value is written. */
const PATCH: PatchColumns<IncidentPatch> = {
  state: ['state', (v) => v],
  title: ['title', (v) => v],
  severity: ['severity', (v) => v],
  paging: ['paging', (v) => v],
  figures: ['figures', (v) => JSON.stringify(v)],
  acknowledgedAtMs: ['acknowledged_at', iso],
  acknowledgedBy: ['acknowledged_by', (v) => v],
  resolvedAtMs: ['resolved_at', iso],
  resolvedBy: ['resolved_by', (v) => v],
  commander: ['commander', (v) => v],
  pagesSent: ['pages_sent', (v) => v],
  nextPageAtMs: ['next_page_at', iso],
};

/** Advisory lock keys: migrations 0x1eac_0001, scan persistence 0x1eac_0002, audit chain 0x1eac_0003. */
const INCIDENT_KEY_LOCK = 0x1eac_0004;

export function incidentTx(tx: Sql): IncidentTx {
  const one = async (text: string, params: unknown[]) => {
    const [r] = await tx.query(text, params);
    return r ? toIncident(r) : null;
  };
  return {
    async lockKey(dedupeKey) {
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [INCIDENT_KEY_LOCK, dedupeKey]);
    },
    findOpen: (key) =>
      one(`SELECT ${COLUMNS} FROM incidents WHERE dedupe_key = $1 AND state <> 'resolved' FOR UPDATE`, [key]),
    findLastResolved: (key) =>
      one(
        `SELECT ${COLUMNS} FROM incidents WHERE dedupe_key = $1 AND state = 'resolved'
         ORDER BY resolved_at DESC, incidents.id DESC LIMIT 1 FOR UPDATE`,
        [key],
      ),
    get: (id) => one(`SELECT ${COLUMNS} FROM incidents WHERE id = $1 FOR UPDATE`, [id]),
    insert: (d: NewIncident) =>
      // The partial unique index decides: a concurrent declare for the same key inserts nothing here.
      one(
        `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, commander, figures, next_page_at)
         VALUES ($1, $2, 'detected', $3, $4, $5, $6, $7, $8)
         ON CONFLICT (dedupe_key) WHERE state <> 'resolved' DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          d.dedupeKey,
          d.title,
          d.severity,
          d.paging,
          iso(d.openedAtMs),
          d.commander,
          JSON.stringify(d.figures),
          iso(d.nextPageAtMs),
        ],
      ),
    async update(id, expected, patch) {
      const params: unknown[] = [id, typeof expected === 'string' ? [expected] : [...expected]];
      const sets = patchSets(PATCH, patch, params);
      return one(
        `UPDATE incidents SET ${sets} WHERE id = $1 AND state = ANY($2::text[]) RETURNING ${COLUMNS}`,
        params,
      );
    },
    async addEvent(e: NewTimelineEntry) {
      const rows = await tx.query(
        `INSERT INTO incident_events (incident_id, kind, actor, at, data, source_key)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source_key) DO NOTHING RETURNING id`,
        [e.incidentId, e.kind, e.actor, iso(e.atMs), JSON.stringify(e.data), e.sourceKey ?? null],
      );
      return rows.length === 1;
    },
    audit: (a) => writeAudit(tx, a),
    enqueue: (j) => enqueueJob(tx, j),
  };
}

async function writeAudit(tx: Sql, a: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (at, actor, action, target_type, target_id, before, after, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '', '')`,
    [
      iso(a.atMs),
      a.actor,
      a.action,
      a.targetType,
      a.targetId,
      a.before === undefined ? null : JSON.stringify(a.before),
      a.after === undefined ? null : JSON.stringify(a.after),
    ],
  );
}

/**
 * Re-arming a job that already ran (or is running) bumps its generation: the worker then runs it
 * again with the newest state instead of a second row, and a stale run cannot mark it done.
 */
async function enqueueJob(tx: Sql, j: NewJob): Promise<void> {
  await tx.query(
    `INSERT INTO jobs (kind, key, incident_id, payload, run_after)
         VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()))
         ON CONFLICT (key) DO UPDATE SET state = 'pending', generation = jobs.generation + 1,
           payload = EXCLUDED.payload, run_after = LEAST(jobs.run_after, EXCLUDED.run_after), done_at = NULL`,
    [j.kind, j.key, j.incidentId, JSON.stringify(j.payload), iso(j.runAfterMs)],
  );
}

const SLACK_COLUMNS = 'channel_id, channel_name, topic, invited, war_room_ts, pinned, announced_ts';
const SLACK_PATCH: Record<keyof SlackState, string> = {
  channelId: 'channel_id',
  channelName: 'channel_name',
  topic: 'topic',
  invited: 'invited',
  warRoomTs: 'war_room_ts',
  pinned: 'pinned',
  announcedTs: 'announced_ts',
};

export function incidentStore(db: Db): IncidentStore {
  const one = async (text: string, params: unknown[] = []) => {
    const [r] = await db.query(text, params);
    return r ? toIncident(r) : null;
  };
  const many = async (text: string, params: unknown[] = []) => (await db.query(text, params)).map(toIncident);
  return {
    transaction: (fn) => db.transaction((tx) => fn(incidentTx(tx))),
    get: (id) => one(`SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]),
    slackState: (id) => slackState(db, id),
    setSlackState: (id, patch) => setSlackState(db, id, patch),
    // Bug fix: COLUMNS and ENTRY_COLUMNS select `id::text AS id`, and a bare `ORDER BY id` names that text
    // output column ('9' sorted after '10'): latest() returned incident 9 of 12 and the timelines dropped the
    // newest entries. Every ORDER BY here names the table's bigint column.
    byChannel: (channelId) =>
      one(`SELECT ${COLUMNS} FROM incidents WHERE channel_id = $1 ORDER BY incidents.id DESC LIMIT 1`, [
        channelId,
      ]),
    listOpen: () =>
      many(
        `SELECT ${COLUMNS} FROM incidents WHERE state <> 'resolved' ORDER BY severity, opened_at, incidents.id`,
      ),
    latest: () => one(`SELECT ${COLUMNS} FROM incidents ORDER BY incidents.id DESC LIMIT 1`),
    lastResolved: (key) =>
      one(
        `SELECT ${COLUMNS} FROM incidents WHERE dedupe_key = $1 AND state = 'resolved'
         ORDER BY resolved_at DESC, incidents.id DESC LIMIT 1`,
        [key],
      ),
    pageDeliveries: (incidentId) => pageDeliveries(db, incidentId),
    duePages: (nowMs) =>
      many(
        `SELECT ${COLUMNS} FROM incidents WHERE next_page_at <= $1 AND state = 'detected' ORDER BY next_page_at, incidents.id`,
        [iso(nowMs)],
      ),
    async timeline(incidentId, limit) {
      const rows = await db.query(
        `SELECT * FROM (SELECT ${ENTRY_COLUMNS} FROM incident_events WHERE incident_id = $1
           ORDER BY incident_events.id DESC LIMIT $2) t ORDER BY id::bigint`,
        [incidentId, limit],
      );
      return rows.map(toEntry);
    },
    async recentTimeline(limit) {
      const rows = await db.query(
        `SELECT ${ENTRY_COLUMNS} FROM incident_events ORDER BY incident_events.id DESC LIMIT $1`,
        [limit],
      );
      return rows.map(toEntry);
    },
  };
}

async function slackState(db: Db, id: string): Promise<Required<SlackState>> {
  const [r] = await db.query(`SELECT ${SLACK_COLUMNS} FROM incidents WHERE id = $1`, [id]);
  if (!r) throw new Error(`incident ${id} not found`);
  return {
    channelId: (r['channel_id'] as string | null) ?? null,
    channelName: (r['channel_name'] as string | null) ?? null,
    topic: (r['topic'] as string | null) ?? null,
    invited: r['invited'] === true,
    warRoomTs: (r['war_room_ts'] as string | null) ?? null,
    pinned: r['pinned'] === true,
    announcedTs: (r['announced_ts'] as string | null) ?? null,
  };
}

async function setSlackState(db: Db, id: string, patch: SlackState): Promise<void> {
  const entries = Object.entries(patch) as [keyof SlackState, unknown][];
  if (entries.length === 0) return;
  const params: unknown[] = [id];
  const sets = entries.map(([k, v]) => {
    params.push(v);
    return `${SLACK_PATCH[k]} = $${params.length}`;
  });
  await db.query(`UPDATE incidents SET ${sets.join(', ')} WHERE id = $1`, params);
}

async function pageDeliveries(db: Db, incidentId: string): Promise<PageDelivery[]> {
  const rows = await db.query(
    `SELECT key, state, payload, progress FROM jobs WHERE incident_id = $1 AND kind = 'incident.page'
         ORDER BY id`,
    [incidentId],
  );
  return rows.map((r) => ({
    key: r['key'] as string,
    pending: r['state'] === 'pending',
    // Only incident.page rows are selected, and their payload was written by a typed enqueue.
    payload: json(r['payload']) as unknown as PageDelivery['payload'],
    progress: json(r['progress']),
  }));
}

export type { IncidentState };
