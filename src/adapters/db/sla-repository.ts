import type { SlaChange, SlaDefinitions } from '../../app/telemetry/ports.ts';
import type { SlaDefinition } from '../../domain/sla/definition.ts';
import type { SlaIndicator } from '../../domain/sla/indicator.ts';
import { AppError } from '../../shared/errors.ts';
import type { Db, Row } from './client.ts';
import { incidentTx } from './incidents-repository.ts';
import { epochMs, iso } from './instants.ts';

/** The `sla_definitions` columns toDefinition reads (validity as epoch ms). */
export const SLA_DEFINITION_COLUMNS = `id, version, service, metric, name, indicator, target, window_days,
  ${epochMs('active_from')} AS active_from_ms, ${epochMs('active_to')} AS active_to_ms`;

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** A `sla_definitions` row, selected with SLA_DEFINITION_COLUMNS, as its definition. */
export function toDefinition(r: Row): SlaDefinition {
  return {
    id: r['id'] as string,
    service: r['service'] as string,
    metric: r['metric'] as string,
    name: r['name'] as string,
    indicator: json<SlaIndicator>(r['indicator']),
    target: Number(r['target']),
    windowDays: Number(r['window_days']),
    version: Number(r['version']),
    activeFromMs: Number(r['active_from_ms']),
    activeToMs:
      r['active_to_ms'] === null || r['active_to_ms'] === undefined ? null : Number(r['active_to_ms']),
  };
}

/** What the `definition` column keeps: the definition's terms as applied (no version or validity). */
const terms = (d: SlaDefinition) => ({
  id: d.id,
  service: d.service,
  metric: d.metric,
  name: d.name,
  indicator: d.indicator,
  target: d.target,
  windowDays: d.windowDays,
});

/**
 * SLA definitions in `sla_definitions` (migration 0004): a change closes the open row and inserts the next
 * version; no other column is ever updated. The partial unique index (one open version per id) and the
 * primary key (id, version) turn a concurrent apply of the same id into a CONFLICT instead of two heads.
 */
export function slaRepository(db: Db): SlaDefinitions {
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

    async apply(changes: readonly SlaChange[]) {
      if (changes.length === 0) return;
      await db.transaction(async (tx) => {
        const audit = incidentTx(tx).audit;
        for (const c of changes) {
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
                JSON.stringify(terms(d)),
              ],
            );
            if (opened.length !== 1)
              throw new AppError(
                'CONFLICT',
                `SLA ${d.id} version ${d.version} already exists or another version is active (applied concurrently?): try again`,
              );
          }
          if (c.audit) await audit(c.audit);
        }
      });
    },
  };
}
