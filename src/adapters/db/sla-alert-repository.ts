import type { SlaAlertStore, SlaAlertTx, SlaSignals } from '../../app/sla/alert-ports.ts';
import type { SlaAlertState } from '../../domain/sla/alerting.ts';
import type { BurnAction } from '../../domain/sla/burn.ts';
import type { SlaDefinition } from '../../domain/sla/definition.ts';
import type { SlaEvidence, SlaTrendSide } from '../../domain/sla/figures.ts';
import type { Db, Row, Sql } from './client.ts';
import { incidentTx } from './incidents-repository.ts';
import { epochMs, iso } from './instants.ts';
import { filterSql } from './sla-select-sql.ts';
import {
  availabilityMinutes,
  type FastMemory,
  goldTotals,
  latencyMinutes,
  readSpan,
  type SignalSketches,
} from './sla-signal-reads.ts';

/** How long a trend span read from Silver is reused (late data shows up within this long). */
const TREND_TTL_MS = 10 * 60_000;
const msOf = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Silver and Gold reads of the burn-rate evaluator (sla-signal-reads.ts). A latency SLA counts a minute's
 * slow events from its sketches (count − values below the threshold); each minute's count is remembered
 * with its total, so a 3-day window ranks only the minutes that changed since the last evaluation.
 */
export function slaSignals(db: Db, sketches: SignalSketches): SlaSignals {
  /** Trend spans read lately, by series, indicator and span: how long ago (wall clock) and what. */
  const trends = new Map<string, { atMs: number; side: SlaTrendSide }>();
  const fastByMinute: FastMemory = new Map();

  return {
    minuteCounts(def, fromMs, toMs) {
      if (def.indicator.kind !== 'latency') return availabilityMinutes(db, def, fromMs, toMs);
      const latency = def as SlaDefinition & { indicator: { kind: 'latency' } };
      return latencyMinutes(db, sketches, fastByMinute, latency, fromMs, toMs);
    },

    goldTotals: (slaId, fromDayMs, toDayMs) => goldTotals(db, slaId, fromDayMs, toDayMs),

    async hourSpan(def, fromMs, toMs) {
      // A span of complete hours changes only with late data: while an SLA burns, the evaluator asks for
      // the same two spans every minute, and they are answered from memory for TREND_TTL_MS.
      const now = Date.now();
      for (const [k, v] of trends) if (now - v.atMs > TREND_TTL_MS) trends.delete(k);
      const key = `${def.service}\u0000${def.metric}\u0000${JSON.stringify(def.indicator)}\u0000${fromMs}\u0000${toMs}`;
      const hit = trends.get(key);
      if (hit) return hit.side;
      const side = await readSpan(db, sketches, def, fromMs, toMs);
      trends.set(key, { atMs: now, side });
      return side;
    },
  };
}

type StateRow = SlaAlertState & { evaluatedAtMs: number; action: BurnAction | 'none'; burn: number };

const toState = (r: Row): StateRow => ({
  slaId: r['sla_id'] as string,
  evaluatedAtMs: Number(r['evaluated_ms']),
  action: r['action'] as StateRow['action'],
  burn: Number(r['burn']),
  lastFiredAtMs: msOf(r['last_fired_ms']),
  lastTicketAtMs: msOf(r['last_ticket_ms']),
});

const STATE_COLUMNS = `sla_id, ${epochMs('evaluated_at')} AS evaluated_ms, action, burn,
  ${epochMs('last_fired_at')} AS last_fired_ms,
  ${epochMs('last_ticket_at')} AS last_ticket_ms`;

function alertTx(tx: Sql): SlaAlertTx {
  return {
    ...incidentTx(tx),
    async alertState(slaId) {
      const [r] = await tx.query(
        `SELECT ${STATE_COLUMNS} FROM sla_alert_state WHERE sla_id = $1 FOR UPDATE`,
        [slaId],
      );
      return r ? toState(r) : null;
    },
    async saveAlertState(s) {
      await tx.query(
        `INSERT INTO sla_alert_state (sla_id, evaluated_at, action, burn, last_fired_at, last_ticket_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sla_id) DO UPDATE SET evaluated_at = EXCLUDED.evaluated_at, action = EXCLUDED.action,
           burn = EXCLUDED.burn, last_fired_at = EXCLUDED.last_fired_at, last_ticket_at = EXCLUDED.last_ticket_at
         -- An evaluation older than the stored one (leak sla evaluate racing the job) changes nothing.
         WHERE sla_alert_state.evaluated_at <= EXCLUDED.evaluated_at`,
        [
          s.slaId,
          iso(s.evaluatedAtMs),
          s.action,
          s.burn,
          s.lastFiredAtMs === null ? null : iso(s.lastFiredAtMs),
          s.lastTicketAtMs === null ? null : iso(s.lastTicketAtMs),
        ],
      );
    },
    async linkEvidence(incidentId, def: SlaDefinition, sinceMs, limit): Promise<SlaEvidence[]> {
      // Bronze has no key (partitioned, insert-only): a row is (tableoid, ctid), stable within this transaction.
      const params: unknown[] = [incidentId, def.service, def.metric, iso(sinceMs)];
      const cond = evidenceCondition(def, params);
      params.push(limit);
      const cited = await tx.query(
        `UPDATE bronze_events b SET incident_id = $1
         FROM (SELECT tableoid, ctid FROM bronze_events
               WHERE service = $2 AND name = $3 AND time >= $4::timestamptz AND incident_id IS NULL
                 AND ${cond}
               ORDER BY time DESC LIMIT $${params.length}) pick
         WHERE b.tableoid = pick.tableoid AND b.ctid = pick.ctid
         RETURNING ${epochMs('b.time')} AS time_ms, b.name, b.level, b.message,
                   b.trace_id, b.duration_ms`,
        params,
      );
      return cited
        .map((r) => ({
          timeMs: Number(r['time_ms']),
          name: r['name'] as string,
          level: (r['level'] as string | null) ?? null,
          message: (r['message'] as string | null) ?? null,
          traceId: (r['trace_id'] as string | null) ?? null,
          durationMs: msOf(r['duration_ms']),
        }))
        .sort((a, b) => b.timeMs - a.timeMs);
    },
  };
}

/**
 * Which Bronze events are the SLA's bad ones: failed (ok false, or level ERROR/FATAL), or for latency slow
 * ones too; with filters, by the event's attributes as Silver judges its tags (sla-select-sql.ts).
 */
function evidenceCondition(def: SlaDefinition, params: unknown[]): string {
  const ind = def.indicator;
  const failed = "(ok = false OR upper(coalesce(level, '')) IN ('ERROR', 'FATAL'))";
  const match = (f: NonNullable<typeof ind.where>) =>
    `coalesce(${filterSql(f, params, 'attributes')}, false)`;
  const where = ind.where ? `${match(ind.where)} AND ` : '';
  if (ind.kind === 'availability' && ind.bad) return `${where}${match(ind.bad)}`;
  if (ind.kind === 'availability' && ind.good) return `${where}NOT ${match(ind.good)}`;
  if (ind.kind === 'availability') return `${where}${failed}`;
  params.push(ind.thresholdMs);
  const slow = `duration_ms >= $${params.length}`;
  return `${where}(${failed} OR ${slow}${ind.good ? ` OR NOT ${match(ind.good)}` : ''})`;
}

export function slaAlertStore(db: Db): SlaAlertStore {
  return {
    transaction: (fn) => db.transaction((tx) => fn(alertTx(tx))),
    async states() {
      return (await db.query(`SELECT ${STATE_COLUMNS} FROM sla_alert_state ORDER BY sla_id`)).map(toState);
    },
  };
}
