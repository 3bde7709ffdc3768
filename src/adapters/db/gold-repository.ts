import type { AuditEntry } from '../../app/incidents/ports.ts';
import type { SlaDayQuery, SlaDayReads } from '../../app/sla/day-snapshot.ts';
import type { GoldSnapshots, SlaDayTotals } from '../../app/telemetry/ports.ts';
import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import type { GoldSnapshot } from '../../domain/sla/snapshot.ts';
import type { Db } from './client.ts';
import { incidentTx } from './incidents-repository.ts';
import { epochMs, iso } from './instants.ts';
import { rowSelect } from './sla-select-sql.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const fromB64 = (v: unknown) =>
  typeof v === 'string' && v !== '' ? new Uint8Array(Buffer.from(v, 'base64')) : null;

type SeriesRow = {
  tags_hash: string;
  at_ms: number;
  count: number;
  errors: number;
  good: boolean;
  sketch: string | null;
};

type DayQuery = SlaDayQuery;
type Merge = (a: Uint8Array | null, b: Uint8Array | null) => Uint8Array | null;

/**
 * Gold snapshots (gold_snapshots, migration 0004) and the Silver reads the SLA engine needs. Sketches are
 * merged with the injected SketchOps (this adapter cannot import the sketch library).
 */
export function goldRepository(db: Db, sketchOps: Pick<SketchOps, 'merge'>): GoldSnapshots & SlaDayReads {
  const merge: Merge = (a, b) => (a && b ? sketchOps.merge(a, b) : (a ?? b));
  return {
    dayTotals: (q) => dayTotals(db, merge, q),
    lastSnapshotDay: (slaId) => lastSnapshotDay(db, slaId),
    downtimeMinutes: (slaId, dayMs, untilMs) => downtimeMinutes(db, slaId, dayMs, untilMs),
    insertSnapshot: (s, audit) => insertSnapshot(db, s, audit),
  };
}

/**
 * A day's rows of the series, narrowed by the indicator's filters: each row's bad events by the indicator
 * as `errors` (availability), and whether its events can be good at all (latency with a good filter).
 */
function series(table: 'silver_minute' | 'silver_hour', q: DayQuery, sketches: boolean) {
  const col = table === 'silver_hour' ? 'hour' : 'minute';
  const params: unknown[] = [q.service, q.metric, iso(q.dayMs), iso(q.dayMs + DAY_MS)];
  const select = q.indicator ? rowSelect(q.indicator, params) : { and: '', bad: 'errors', good: 'true' };
  const text = `SELECT tags_hash, ${epochMs(col)} AS at_ms,
            count::float8 AS count, (${select.bad})::float8 AS errors, ${select.good} AS good,
            ${sketches ? "encode(sketch, 'base64')" : 'NULL::text'} AS sketch
     FROM ${table}
     WHERE service = $1 AND metric = $2 AND ${col} >= $3::timestamptz AND ${col} < $4::timestamptz${select.and}
     ORDER BY ${col}`;
  return { text, params };
}

const hourKey = (tags: string, atMs: number) => `${tags}\u0000${Math.floor(atMs / HOUR_MS)}`;

/** Per (tag set, hour): the minutes, unless the hour row holds more events (minutes purged). */
function hoursToReadWhole(minutes: readonly SeriesRow[], hours: readonly SeriesRow[]): Set<string> {
  const minuteCount = new Map<string, number>();
  for (const m of minutes) {
    const k = hourKey(m.tags_hash, Number(m.at_ms));
    minuteCount.set(k, (minuteCount.get(k) ?? 0) + Number(m.count));
  }
  const fromHour = new Set<string>();
  for (const h of hours) {
    const k = hourKey(h.tags_hash, Number(h.at_ms));
    if (Number(h.count) > (minuteCount.get(k) ?? 0)) fromHour.add(k);
  }
  return fromHour;
}

type MinuteSum = { count: number; errors: number; sketch: Uint8Array | null };

async function dayTotals(db: Db, merge: Merge, q: DayQuery): Promise<SlaDayTotals> {
  const { target, sketches = false } = q;
  const m = series('silver_minute', q, sketches);
  const h = series('silver_hour', q, sketches);
  const minutes = await db.query<SeriesRow>(m.text, m.params);
  const hours = await db.query<SeriesRow>(h.text, h.params);
  // Only rows whose events can be good bring their values: the rest are all bad (latency, good filter).
  const valuesOf = (r: SeriesRow) => (r.good === true ? fromB64(r.sketch) : null);
  const fromHour = hoursToReadWhole(minutes, hours);

  const out: SlaDayTotals = {
    total: 0,
    errors: 0,
    errorMinutes: 0,
    sketchBytes: null,
    minuteSketches: [],
  };
  for (const h of hours) {
    if (!fromHour.has(hourKey(h.tags_hash, Number(h.at_ms)))) continue;
    out.total += Number(h.count);
    out.errors += Number(h.errors);
    if (sketches) out.sketchBytes = merge(out.sketchBytes, valuesOf(h));
  }
  const perMinute = new Map<number, MinuteSum>();
  for (const m of minutes) {
    if (fromHour.has(hourKey(m.tags_hash, Number(m.at_ms)))) continue;
    const at = Number(m.at_ms);
    const count = Number(m.count);
    const errors = Number(m.errors);
    out.total += count;
    out.errors += errors;
    const sketch = sketches ? valuesOf(m) : null;
    const cur = perMinute.get(at);
    if (cur) {
      cur.count += count;
      cur.errors += errors;
      cur.sketch = merge(cur.sketch, sketch);
    } else perMinute.set(at, { count, errors, sketch });
  }
  // 1 − T carries floating point noise (1 − 0.999 = 0.0010000000000000009): read "exceeds" with a
  // relative tolerance, as burn.ts does, so a minute exactly at the budget is no breach.
  const budget = (1 - target) * (1 + 1e-9);
  for (const m of perMinute.values()) {
    if (m.count > 0 && m.errors / m.count > budget) out.errorMinutes++;
    if (sketches && m.sketch) {
      out.sketchBytes = merge(out.sketchBytes, m.sketch);
      out.minuteSketches.push({ count: m.count, sketchBytes: m.sketch });
    }
  }
  return out;
}

async function lastSnapshotDay(db: Db, slaId: string): Promise<number | null> {
  const [r] = await db.query<{ day_ms: number | null }>(
    `SELECT (extract(epoch FROM max(day)::timestamp AT TIME ZONE 'UTC') * 1000)::float8 AS day_ms
         FROM gold_snapshots WHERE sla_id = $1`,
    [slaId],
  );
  return r?.day_ms === null || r?.day_ms === undefined ? null : Number(r.day_ms);
}

/**
 * The spans an incident was open, from its timeline (DETECTED or REOPENED up to the next RESOLVED),
 * so the healthy gap before a reopen is not downtime; an incident without a timeline (written by
 * hand) counts from opened_at to resolved_at. Each span is clipped to the day (up to untilMs when
 * given: today so far); open ones run to its end.
 */
async function downtimeMinutes(db: Db, slaId: string, dayMs: number, untilMs?: number): Promise<number> {
  const [r] = await db.query<{ minutes: number | null }>(
    `WITH sla AS (
           SELECT id, opened_at, resolved_at FROM incidents WHERE dedupe_key = 'sla:' || $1::text
         ), ev AS (
           SELECT e.incident_id, e.kind, e.at,
                  lead(e.at) OVER (PARTITION BY e.incident_id ORDER BY e.at, e.id) AS next_at
           FROM incident_events e JOIN sla ON sla.id = e.incident_id
           WHERE e.kind IN ('DETECTED', 'REOPENED', 'RESOLVED')
         ), spans AS (
           SELECT at AS from_at, next_at AS to_at FROM ev WHERE kind IN ('DETECTED', 'REOPENED')
           UNION ALL
           SELECT opened_at, resolved_at FROM sla
           WHERE NOT EXISTS (SELECT 1 FROM ev WHERE ev.incident_id = sla.id)
         )
         SELECT sum(extract(epoch FROM
                  least(coalesce(to_at, $3::timestamptz), $3::timestamptz) - greatest(from_at, $2::timestamptz))) / 60.0
                AS minutes
         FROM spans WHERE from_at < $3::timestamptz AND (to_at IS NULL OR to_at > $2::timestamptz)`,
    [slaId, iso(dayMs), iso(Math.min(dayMs + DAY_MS, untilMs ?? dayMs + DAY_MS))],
  );
  return r?.minutes === null || r?.minutes === undefined ? 0 : Math.round(Number(r.minutes));
}

function insertSnapshot(db: Db, s: GoldSnapshot, audit: AuditEntry): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO gold_snapshots
             (sla_id, sla_version, day, total, errors, uptime_pct, breaches, budget_burn, downtime_minutes)
           VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (sla_id, day) DO NOTHING RETURNING id`,
      [
        s.slaId,
        s.slaVersion,
        iso(s.dayMs).slice(0, 10),
        s.total,
        s.errors,
        s.uptimePct,
        s.breaches,
        s.budgetBurn,
        s.downtimeMinutes,
      ],
    );
    if (inserted.length === 0) return false;
    await incidentTx(tx).audit(audit);
    return true;
  });
}
