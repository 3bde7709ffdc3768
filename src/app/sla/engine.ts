import type { SlaDefinition } from '../../domain/sla/definition.ts';
import { daysToSnapshot, utcDayOf } from '../../domain/sla/snapshot.ts';
import { AppError } from '../../shared/errors.ts';
import { DAY_MS } from '../../shared/time.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { GoldSnapshots, SlaDefinitions } from '../telemetry/ports.ts';
import type { SketchOps } from '../telemetry/sketch-ports.ts';
import { computeDaySnapshot, type SlaDayReads } from './day-snapshot.ts';

export interface SlaEngineDeps {
  slas: SlaDefinitions;
  /** Gold, and the day reads that honour an indicator's tag filters. */
  gold: GoldSnapshots & SlaDayReads;
  /** Ranks a stored sketch's values below a latency threshold (approximate within the sketch's 1%). */
  sketches: Pick<SketchOps, 'rankBelow'>;
}

export interface SlaEngineResult {
  slaId: string;
  /** Start of the UTC day, epoch ms. */
  day: number;
  uptimePct: number;
  /** False when the day already had its snapshot (a rerun changes nothing). */
  inserted: boolean;
}

/**
 * The SLA engine (DOMAIN.md §6, issue 5): one Gold snapshot per definition and complete UTC day, written
 * once with its audit row ("Snapshot created for {service} - 99.95%").
 *
 * - With `day`: that day only, for every definition in force when it ended (its last millisecond). The
 *   day must be complete (before nowMs's day).
 * - Without: backfill. Every day from the earliest still missing (after a definition's last snapshot, not
 *   before its active_from day, at most 90 days back) up to yesterday, oldest first, each judged by the
 *   version in force when it ended. The nightly 00:00 UTC run thus writes yesterday and any missed nights.
 */
export async function runSlaEngine(
  deps: SlaEngineDeps,
  ctx: Ctx,
  opts: { nowMs: number; day?: number },
): Promise<SlaEngineResult[]> {
  const { nowMs } = opts;
  const yesterday = utcDayOf(nowMs) - DAY_MS;
  let days: number[];
  if (opts.day !== undefined) {
    const day = utcDayOf(opts.day);
    if (day > yesterday)
      throw new AppError(
        'VALIDATION',
        `${new Date(day).toISOString().slice(0, 10)} is not a complete UTC day yet (the latest is ${new Date(yesterday).toISOString().slice(0, 10)})`,
      );
    days = [day];
  } else days = daysToSnapshot(null, 0, nowMs);

  const lastById = new Map<string, number | null>();
  const lastOf = async (id: string) => {
    if (!lastById.has(id)) lastById.set(id, await deps.gold.lastSnapshotDay(id));
    return lastById.get(id) ?? null;
  };

  const results: SlaEngineResult[] = [];
  for (const day of days) {
    const defs = await deps.slas.listActive(day + DAY_MS - 1);
    for (const def of defs) {
      if (
        opts.day === undefined &&
        !daysToSnapshot(await lastOf(def.id), def.activeFromMs, nowMs).includes(day)
      )
        continue;
      const r = await snapshotDay(deps, ctx, def, day, nowMs);
      lastById.set(def.id, day);
      results.push(r);
    }
  }
  ctx.log.info(
    {
      requestId: ctx.requestId,
      inserted: results.filter((r) => r.inserted).length,
      skipped: results.filter((r) => !r.inserted).length,
    },
    'sla snapshots',
  );
  return results;
}

async function snapshotDay(
  deps: SlaEngineDeps,
  ctx: Ctx,
  def: SlaDefinition,
  day: number,
  nowMs: number,
): Promise<SlaEngineResult> {
  const snapshot = await computeDaySnapshot(deps, def, day);
  const message = `Snapshot created for ${def.service} - ${snapshot.uptimePct.toFixed(2)}%`;
  const inserted = await deps.gold.insertSnapshot(snapshot, {
    actor: actorLabel(ctx.actor),
    action: 'sla.snapshot_created',
    targetType: 'sla',
    targetId: def.id,
    before: null,
    after: { ...snapshot, day: new Date(day).toISOString().slice(0, 10), message },
    atMs: nowMs,
  });
  return { slaId: def.id, day, uptimePct: snapshot.uptimePct, inserted };
}
