import type { AuditLog, AuditVerdict } from '../../app/incident-ports.ts';
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
        const page = await db.query<{ id: string; prev_hash: string; hash: string; expected: string }>(
          `SELECT id::text AS id, prev_hash, hash,
             audit_row_hash(prev_hash, at, actor, action, target_type, target_id, before, after) AS expected
           FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`,
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
