import type { SlaDefinition } from '../../domain/sla/definition.ts';
import type { SlaIndicator } from '../../domain/sla/indicator.ts';
import type { IsoWeek } from '../../domain/sla/report.ts';
import { type GoldSnapshot, snapshotOf, utcDayOf } from '../../domain/sla/snapshot.ts';
import { DAY_MS } from '../../shared/time.ts';
import type { GoldSnapshots, SlaDayTotals } from '../telemetry/ports.ts';
import type { SketchOps } from '../telemetry/sketch-ports.ts';

/**
 * One UTC day of an SLA computed from Silver: what the nightly engine writes to Gold, and what the weekly
 * report shows for a day Gold does not hold yet (issue 10, item 12). One computation for both, so a live
 * day in the report is the snapshot the engine will store, figure for figure.
 */

/** A day of a series as GoldSnapshots reads it, and the indicator whose tag filters narrow and judge its rows. */
export type SlaDayQuery = Parameters<GoldSnapshots['dayTotals']>[0] & { indicator?: SlaIndicator };

/** The Gold reads of a day snapshot: dayTotals honours the indicator's filters (adapters/db/gold-repository.ts). */
export interface SlaDayReads {
  dayTotals(q: SlaDayQuery): Promise<SlaDayTotals>;
  downtimeMinutes: GoldSnapshots['downtimeMinutes'];
}

export interface DaySnapshotDeps {
  gold: SlaDayReads;
  /** Ranks a stored sketch's values below a latency threshold (approximate within the sketch's 1%). */
  sketches: Pick<SketchOps, 'rankBelow'>;
}

/**
 * The snapshot of `def` for the UTC day starting at `dayMs`. Incident downtime counts up to `untilMs`:
 * the day's end for a complete day, now for today (an open incident has not been down until midnight yet).
 */
export async function computeDaySnapshot(
  deps: DaySnapshotDeps,
  def: SlaDefinition,
  dayMs: number,
  untilMs: number = dayMs + DAY_MS,
): Promise<GoldSnapshot> {
  const latency = def.indicator.kind === 'latency' ? def.indicator : null;
  const totals = await deps.gold.dayTotals({
    service: def.service,
    metric: def.metric,
    dayMs,
    target: def.target,
    sketches: latency !== null,
    indicator: def.indicator,
  });
  let slowOrBad: number | undefined;
  let badMinutes = totals.errorMinutes;
  if (latency !== null) {
    // Good = faster than the threshold; an event without a duration is not, so it counts as bad.
    const below = totals.sketchBytes ? deps.sketches.rankBelow(totals.sketchBytes, latency.thresholdMs) : 0;
    slowOrBad = Math.max(0, totals.total - below);
    const budget = (1 - def.target) * (1 + 1e-9);
    badMinutes = 0;
    for (const m of totals.minuteSketches) {
      const slow = Math.max(0, m.count - deps.sketches.rankBelow(m.sketchBytes, latency.thresholdMs));
      if (m.count > 0 && slow / m.count > budget) badMinutes++;
    }
  }
  const downtime = await deps.gold.downtimeMinutes(def.id, dayMs, Math.min(untilMs, dayMs + DAY_MS));
  return snapshotOf(
    def,
    {
      dayMs,
      total: totals.total,
      errors: totals.errors,
      ...(slowOrBad === undefined ? {} : { slowOrBad }),
      badMinutes,
    },
    downtime,
  );
}

/** The version of an SLA in force at `atMs` among `versions`, or undefined. */
const inForce = (versions: readonly SlaDefinition[], atMs: number): SlaDefinition | undefined =>
  versions.find((v) => v.activeFromMs <= atMs && (v.activeToMs === null || v.activeToMs > atMs));

/**
 * The days of `week` up to today that have no Gold snapshot yet, computed live for every SLA in force on
 * them (only `service`'s when given). Like the engine, a day is judged by the version in force when it
 * ends (today: now), and an SLA has no day before the one it came into force on.
 */
export async function liveSnapshots(
  deps: DaySnapshotDeps,
  q: {
    week: IsoWeek;
    nowMs: number;
    service: string | null;
    definitions: readonly SlaDefinition[];
    snapshots: readonly GoldSnapshot[];
  },
): Promise<GoldSnapshot[]> {
  const byId = new Map<string, SlaDefinition[]>();
  for (const d of q.definitions)
    if (q.service === null || d.service === q.service) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  const inGold = new Set(q.snapshots.map((s) => `${s.slaId}\u0000${s.dayMs}`));
  const lastDay = Math.min(utcDayOf(q.nowMs), q.week.endMs - DAY_MS);

  const out: GoldSnapshot[] = [];
  for (const [id, versions] of byId)
    for (let dayMs = q.week.startMs; dayMs <= lastDay; dayMs += DAY_MS) {
      if (inGold.has(`${id}\u0000${dayMs}`)) continue;
      const untilMs = Math.min(dayMs + DAY_MS, q.nowMs);
      if (untilMs <= dayMs) continue; // today has not begun (now is its first instant)
      const def = inForce(versions, untilMs - 1);
      if (def !== undefined) out.push(await computeDaySnapshot(deps, def, dayMs, untilMs));
    }
  return out;
}
