import type { AuditLog, AuditVerdict } from '../../app/incidents/ports.ts';
import type { Db } from './client.ts';

const PAGE = 5_000;

/**
 * Walks the chain in id order, recomputing each row's hash with the same SQL function the insert trigger
 * used, and checking each row links to the one before it. The first row that fails is named: a changed
 * row fails its own hash; a removed row breaks the next row's link.
 */
export function auditLog(db: Db): AuditLog {
  return {
    async verify(): Promise<AuditVerdict> {
      let prevHash = 'genesis';
      let afterId = '0';
      let rows = 0;
      for (;;) {
        // ORDER BY must name the table's bigint column (a.id): a bare `id` would resolve to the text
        // output column and sort '10' before '9', walking the chain out of order.
        const page = await db.query<{ id: string; prev_hash: string; hash: string; expected: string }>(
          `SELECT a.id::text AS id, a.prev_hash, a.hash,
             audit_row_hash(a.prev_hash, a.at, a.actor, a.action, a.target_type, a.target_id, a.before, a.after)
               AS expected
           FROM audit_log a WHERE a.id > $1 ORDER BY a.id LIMIT $2`,
          [afterId, PAGE],
        );
        for (const r of page) {
          rows++;
          if (r.prev_hash !== prevHash)
            return {
              rows,
              ok: false,
              firstBad: {
                id: r.id,
                reason: 'does not link to the row before it (a row was removed or reordered)',
              },
            };
          if (r.expected !== r.hash)
            return {
              rows,
              ok: false,
              firstBad: { id: r.id, reason: 'its content does not match its hash (the row was changed)' },
            };
          prevHash = r.hash;
          afterId = r.id;
        }
        if (page.length < PAGE) return { rows, ok: true };
      }
    },
  };
}
