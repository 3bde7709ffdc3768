import type { Clock, Ctx } from '../context.ts';
import type { TelemetryRollups, TelemetryStore } from './ports.ts';

/**
 * Merges every pending Silver minute into silver_minute (ingest only appends). The per-minute sla-burn job,
 * `leak sla evaluate`, `leak sla report` and the demo run it before reading Silver, so they see every
 * acknowledged event. Answers the rows merged.
 */
export async function compactSilver(store: Pick<TelemetryStore, 'compact'>): Promise<number> {
  let compacted = 0;
  for (;;) {
    const n = await store.compact();
    if (n === 0) return compacted;
    compacted += n;
  }
}

export interface HourRollupDeps {
  rollups: Pick<TelemetryRollups, 'rollUpHours'>;
  clock: Clock;
}

/**
 * The hourly rollup: Silver hours merged from their minutes (sketches merged, never averaged); minutes that
 * arrive late re-roll their hour at the next run. Answers the hour rows written.
 */
export async function rollUpSilverHours(deps: HourRollupDeps, _ctx: Ctx): Promise<number> {
  return deps.rollups.rollUpHours(deps.clock.now());
}
