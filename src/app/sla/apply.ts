import {
  canonicalJson,
  openSloToDefinitions,
  reviseDefinition,
  type SlaDefinition,
  type StoredObject,
} from '../../domain/sla/definition.ts';
import { byTags, FAILURE_TAGS } from '../../domain/sla/indicator.ts';
import { DAY_MS } from '../../shared/time.ts';
import { actorLabel, type Clock, type Ctx } from '../context.ts';
import type { SlaChange, SlaDefinitions } from '../telemetry/ports.ts';

/** What `leak sla apply` needs besides the definitions: the OpenSLO objects kept between applies. */
export interface OpenSloObjects {
  /** Every object applied earlier (kinds other than SLO), as last applied. */
  openSloObjects(): Promise<StoredObject[]>;
  /** The SLA changes and the objects to keep (upserted by kind and name), in one transaction. */
  applyAll(changes: readonly SlaChange[], objects: readonly StoredObject[], atMs: number): Promise<void>;
  /**
   * A series' Silver events and failed events since sinceMs (minute and hour rows), and whether any of
   * its tag sets carries one of `failureTags`.
   */
  errorSignal(q: {
    service: string;
    metric: string;
    sinceMs: number;
    failureTags: readonly string[];
  }): Promise<{ events: number; errors: number; failureTagged: boolean }>;
}

export interface SlaApplyDeps {
  /**
   * The definitions, and (the database repository has them) the objects kept between applies. A store of
   * definitions alone still applies: nothing is then kept for later files, and no series is probed.
   */
  slas: SlaDefinitions & Partial<OpenSloObjects>;
  clock: Clock;
}

export type SlaOutcome = 'new' | 'unchanged' | 'revised';
export type ObjectOutcome = 'stored' | 'updated' | 'unchanged';

export type SlaApplyResult =
  | {
      ok: true;
      results: { id: string; version: number; outcome: SlaOutcome }[];
      /** The file's other documents, kept for later applies. */
      objects: { kind: string; name: string; outcome: ObjectOutcome }[];
      /** Accepted, but not doing all it may seem to: each prefixed with its document. */
      warnings: string[];
    }
  | { ok: false; errors: string[] };

/** How far back apply looks for a series' failures before it warns that an SLO may never see one. */
export const ERROR_SIGNAL_LOOKBACK_MS = 7 * DAY_MS;

/**
 * `leak sla apply` (issue 5, DOMAIN.md §6): OpenSLO documents (parsed from YAML) → SLA definitions.
 * All or nothing: every document is validated first (against this file and the objects applied earlier)
 * and any problem rejects the whole set, listing every problem. Then each definition is compared with its
 * active version: a new id opens version 1, equal terms change nothing, different terms close the active
 * version now and open the next one. Every change, with its audit row (sla.defined / sla.revised /
 * openslo.stored), and the file's other documents are written in one transaction.
 */
export async function applySlaDocuments(
  deps: SlaApplyDeps,
  ctx: Ctx,
  docs: readonly unknown[],
): Promise<SlaApplyResult> {
  const nowMs = deps.clock.now();
  const stored = (await deps.slas.openSloObjects?.()) ?? [];
  const parsed = openSloToDefinitions(docs, nowMs, stored);
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
  const objects = objectChanges(parsed.objects, stored, actor, nowMs, changes);
  const warnings = [
    ...parsed.warnings,
    ...(await signalWarnings(deps, parsed.definitions, parsed.labels, nowMs)),
  ];
  const changed = parsed.objects.filter(
    (o) => objects.find((x) => x.kind === o.kind && x.name === o.name)?.outcome !== 'unchanged',
  );
  if (deps.slas.applyAll) await deps.slas.applyAll(changes, changed, nowMs);
  else await deps.slas.apply(changes.filter((c) => c.open !== undefined || c.close !== undefined));
  ctx.log.info(
    {
      requestId: ctx.requestId,
      results: results.map((r) => `${r.id}@${r.version}:${r.outcome}`),
      warnings: warnings.length,
    },
    'sla definitions applied',
  );
  return { ok: true, results, objects, warnings };
}

/** Each object's outcome against its stored version; a changed one gets an audit row among `changes`. */
function objectChanges(
  objects: readonly StoredObject[],
  stored: readonly StoredObject[],
  actor: string,
  nowMs: number,
  changes: SlaChange[],
): { kind: string; name: string; outcome: ObjectOutcome }[] {
  return objects.map((o) => {
    const before = stored.find((s) => s.kind === o.kind && s.name === o.name);
    if (before !== undefined && canonicalJson(before.document) === canonicalJson(o.document))
      return { kind: o.kind, name: o.name, outcome: 'unchanged' };
    changes.push({
      audit: {
        actor,
        action: 'openslo.stored',
        targetType: 'openslo',
        targetId: `${o.kind}/${o.name}`,
        before: before?.document ?? null,
        after: o.document,
        atMs: nowMs,
      },
    });
    return { kind: o.kind, name: o.name, outcome: before === undefined ? 'stored' : 'updated' };
  });
}

/**
 * An availability SLO that counts failed events (no tag filter) over a series that has events but has
 * never failed, and whose tag sets carry no attribute ingest derives failures from, can never see a bad
 * event as things stand: warned (not refused: the failures may simply not have happened yet).
 */
async function signalWarnings(
  deps: SlaApplyDeps,
  definitions: readonly SlaDefinition[],
  labels: Readonly<Record<string, string>>,
  nowMs: number,
): Promise<string[]> {
  const out: string[] = [];
  const probe = deps.slas.errorSignal;
  if (probe === undefined) return out;
  for (const d of definitions) {
    if (d.indicator.kind !== 'availability' || byTags(d.indicator)) continue;
    const s = await probe.call(deps.slas, {
      service: d.service,
      metric: d.metric,
      sinceMs: nowMs - ERROR_SIGNAL_LOOKBACK_MS,
      failureTags: FAILURE_TAGS,
    });
    if (s.events === 0 || s.errors > 0 || s.failureTagged) continue;
    out.push(
      `${labels[d.id] ?? `SLO ${d.id}`}: availability counts failed events, but ${d.service}'s ${JSON.stringify(d.metric)} has had ${s.events} events in the last 7 days, none failed, and none carries ${FAILURE_TAGS.join(', ')}: this SLO may never see a bad event; give its SLI a bad (or good) filter over the metric's attributes`,
    );
  }
  return out;
}
