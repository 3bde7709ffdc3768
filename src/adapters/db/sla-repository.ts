import type { OpenSloObjects } from '../../app/sla/apply.ts';
import type { SlaChange, SlaDefinitions } from '../../app/telemetry/ports.ts';
import {
  type SlaDefinition,
  type SlaTerms,
  type StoredObject,
  termsOf,
} from '../../domain/sla/definition.ts';
import type { SlaIndicator } from '../../domain/sla/indicator.ts';
import { AppError } from '../../shared/errors.ts';
import type { Db, Row, Sql } from './client.ts';
import { incidentTx } from './incidents-repository.ts';
import { epochMs, iso } from './instants.ts';

/** The `sla_definitions` columns toDefinition reads (validity as epoch ms). */
export const SLA_DEFINITION_COLUMNS = `id, version, service, metric, name, indicator, target, window_days,
  ${epochMs('active_from')} AS active_from_ms, ${epochMs('active_to')} AS active_to_ms, definition`;

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/**
 * A `sla_definitions` row, selected with SLA_DEFINITION_COLUMNS, as its definition. The terms without a
 * column of their own (calendar window, burn rules, Slack channels) are read from `definition`, the
 * terms as applied.
 */
export function toDefinition(r: Row): SlaDefinition {
  const applied = r['definition'] === undefined ? {} : json<Partial<SlaTerms>>(r['definition']);
  return {
    id: r['id'] as string,
    service: r['service'] as string,
    metric: r['metric'] as string,
    name: r['name'] as string,
    indicator: json<SlaIndicator>(r['indicator']),
    target: Number(r['target']),
    windowDays: Number(r['window_days']),
    ...(applied.calendar ? { calendar: applied.calendar } : {}),
    ...(applied.rules ? { rules: applied.rules } : {}),
    ...(applied.notify ? { notify: applied.notify } : {}),
    version: Number(r['version']),
    activeFromMs: Number(r['active_from_ms']),
    activeToMs:
      r['active_to_ms'] === null || r['active_to_ms'] === undefined ? null : Number(r['active_to_ms']),
  };
}

async function writeChange(tx: Sql, c: SlaChange): Promise<void> {
  if (c.close) {
    const closed = await tx.query(
      `UPDATE sla_definitions SET active_to = $3
       WHERE id = $1 AND version = $2 AND active_to IS NULL RETURNING id`,
      [c.close.id, c.close.version, iso(c.close.activeToMs)],
    );
    if (closed.length !== 1)
      throw new AppError(
        'CONFLICT',
        `SLA ${c.close.id} version ${c.close.version} is no longer the active version (applied concurrently?): try again`,
      );
  }
  if (c.open) {
    const d = c.open;
    const opened = await tx.query(
      `INSERT INTO sla_definitions
         (id, version, service, metric, name, indicator, target, window_days, active_from, active_to, definition)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        d.id,
        d.version,
        d.service,
        d.metric,
        d.name,
        JSON.stringify(d.indicator),
        d.target,
        d.windowDays,
        iso(d.activeFromMs),
        d.activeToMs === null ? null : iso(d.activeToMs),
        JSON.stringify(termsOf(d)),
      ],
    );
    if (opened.length !== 1)
      throw new AppError(
        'CONFLICT',
        `SLA ${d.id} version ${d.version} already exists or another version is active (applied concurrently?): try again`,
      );
  }
  if (c.audit) await incidentTx(tx).audit(c.audit);
}

/**
 * SLA definitions in `sla_definitions` (migration 0004): a change closes the open row and inserts the next
 * version; no other column is ever updated. The partial unique index (one open version per id) and the
 * primary key (id, version) turn a concurrent apply of the same id into a CONFLICT instead of two heads.
 * Beside them, the OpenSLO objects a later file may refer to (`openslo_objects`, migration 0009).
 */
export function slaRepository(db: Db): SlaDefinitions & OpenSloObjects {
  const applyAll = async (changes: readonly SlaChange[], objects: readonly StoredObject[], atMs: number) => {
    if (changes.length === 0 && objects.length === 0) return;
    await db.transaction(async (tx) => {
      for (const c of changes) await writeChange(tx, c);
      for (const o of objects)
        await tx.query(
          `INSERT INTO openslo_objects (kind, name, document, applied_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (kind, name) DO UPDATE SET document = EXCLUDED.document, applied_at = EXCLUDED.applied_at`,
          [o.kind, o.name, JSON.stringify(o.document), iso(atMs)],
        );
    });
  };
  return {
    async current(id) {
      const [r] = await db.query(
        `SELECT ${SLA_DEFINITION_COLUMNS} FROM sla_definitions WHERE id = $1 AND active_to IS NULL`,
        [id],
      );
      return r ? toDefinition(r) : null;
    },

    async listActive(atMs) {
      const rows = await db.query(
        `SELECT ${SLA_DEFINITION_COLUMNS} FROM sla_definitions
         WHERE active_from <= $1 AND (active_to IS NULL OR active_to > $1) ORDER BY id`,
        [iso(atMs)],
      );
      return rows.map(toDefinition);
    },

    apply: (changes) => applyAll(changes, [], 0),
    applyAll,

    async openSloObjects() {
      const rows = await db.query('SELECT kind, name, document FROM openslo_objects ORDER BY kind, name');
      return rows.map((r) => ({
        kind: r['kind'] as string,
        name: r['name'] as string,
        document: json(r['document']),
      }));
    },

    async errorSignal(q) {
      // Minutes and hours hold the same events twice (hours are rolled up from minutes, which the janitor
      // purges first): the larger of the two sums is the count.
      const part = (table: string, col: string) =>
        `SELECT coalesce(sum(count), 0)::float8 AS events, coalesce(sum(errors), 0)::float8 AS errors,
                coalesce(bool_or(tags ?| $4::text[]), false) AS tagged
         FROM ${table} WHERE service = $1 AND metric = $2 AND ${col} >= $3::timestamptz`;
      const [r] = await db.query(
        `SELECT greatest(m.events, h.events) AS events, greatest(m.errors, h.errors) AS errors,
                m.tagged OR h.tagged AS tagged
         FROM (${part('silver_minute', 'minute')}) m, (${part('silver_hour', 'hour')}) h`,
        [q.service, q.metric, iso(q.sinceMs), [...q.failureTags]],
      );
      return {
        events: Number(r?.['events'] ?? 0),
        errors: Number(r?.['errors'] ?? 0),
        failureTagged: r?.['tagged'] === true,
      };
    },
  };
}
