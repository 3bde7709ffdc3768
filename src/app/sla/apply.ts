import { openSloToDefinitions, reviseDefinition } from '../../domain/sla/definition.ts';
import { actorLabel, type Clock, type Ctx } from '../context.ts';
import type { SlaChange, SlaDefinitions } from '../telemetry/ports.ts';

export interface SlaApplyDeps {
  slas: SlaDefinitions;
  clock: Clock;
}

export type SlaOutcome = 'new' | 'unchanged' | 'revised';

export type SlaApplyResult =
  | { ok: true; results: { id: string; version: number; outcome: SlaOutcome }[] }
  | { ok: false; errors: string[] };

/**
 * `leak sla apply` (issue 5, DOMAIN.md §6): OpenSLO documents (parsed from YAML) → SLA definitions.
 * All or nothing: every document is validated first and any problem rejects the whole set, listing every
 * problem. Then each definition is compared with its active version: a new id opens version 1, equal terms
 * change nothing, different terms close the active version now and open the next one. Every change is
 * written, with its audit row (sla.defined / sla.revised), in one transaction.
 */
export async function applySlaDocuments(
  deps: SlaApplyDeps,
  ctx: Ctx,
  docs: readonly unknown[],
): Promise<SlaApplyResult> {
  const nowMs = deps.clock.now();
  const parsed = openSloToDefinitions(docs, nowMs);
  if (!parsed.ok) return parsed;

  const actor = actorLabel(ctx.actor);
  const results: { id: string; version: number; outcome: SlaOutcome }[] = [];
  const changes: SlaChange[] = [];
  for (const incoming of parsed.definitions) {
    const current = await deps.slas.current(incoming.id);
    const r = reviseDefinition(current, incoming, nowMs);
    const audit = { actor, targetType: 'sla', targetId: incoming.id, atMs: nowMs };
    switch (r.kind) {
      case 'unchanged':
        results.push({ id: r.current.id, version: r.current.version, outcome: 'unchanged' });
        break;
      case 'new':
        results.push({ id: r.open.id, version: r.open.version, outcome: 'new' });
        changes.push({
          open: r.open,
          audit: { ...audit, action: 'sla.defined', before: null, after: r.open },
        });
        break;
      case 'revised':
        // A version lasts a while: closing it at the instant it opened would leave it empty.
        if (r.close.activeFromMs >= nowMs)
          return {
            ok: false,
            errors: [
              `SLO ${incoming.id}: version ${r.close.version} became active at this very instant; apply the change again in a moment`,
            ],
          };
        results.push({ id: r.open.id, version: r.open.version, outcome: 'revised' });
        changes.push({
          close: { id: r.close.id, version: r.close.version, activeToMs: nowMs },
          open: r.open,
          audit: { ...audit, action: 'sla.revised', before: current, after: r.open },
        });
        break;
    }
  }
  await deps.slas.apply(changes);
  ctx.log.info(
    { requestId: ctx.requestId, results: results.map((r) => `${r.id}@${r.version}:${r.outcome}`) },
    'sla definitions applied',
  );
  return { ok: true, results };
}
