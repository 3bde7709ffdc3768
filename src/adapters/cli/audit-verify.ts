import type { AuditVerdict } from '../../app/incidents/ports.ts';
import { formatCount } from '../../shared/format.ts';

const rowsText = (n: number) => `${formatCount(n)} ${n === 1 ? 'row' : 'rows'}`;

/**
 * The `leak audit verify` line: where it goes (a broken chain is reported on stderr), what it says, and
 * the exit code (1 when broken). The verification itself is the caller's (the entry point owns the DB).
 */
export function renderAuditVerdict(
  v: AuditVerdict,
  opts: { json: boolean },
): { stream: 'out' | 'err'; text: string; code: 0 | 1 } {
  const code = v.ok ? 0 : 1;
  if (opts.json) return { stream: 'out', text: `${JSON.stringify(v)}\n`, code };
  if (v.ok) return { stream: 'out', text: `audit log ok: ${rowsText(v.rows)}, chain intact\n`, code };
  const at = v.firstBad ? ` at row ${v.firstBad.id}: ${v.firstBad.reason}` : '';
  return { stream: 'err', text: `audit log BROKEN${at} (${rowsText(v.rows)} checked)\n`, code };
}
