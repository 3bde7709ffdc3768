import type { TelemetryStore } from '../../app/telemetry/ports.ts';
import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import type { Db } from './client.ts';
import { compactPending } from './silver-compact.ts';
import { mergeByKey } from './telemetry-sql.ts';
import {
  bronzeParams,
  daysOf,
  ensurePartitions,
  isNoPartition,
  pendingParams,
  WRITE,
} from './telemetry-write.ts';

/** How many partition days a store remembers as existing before it starts over (a bound, never reached). */
const MAX_KNOWN_DAYS = 1_000;

/**
 * The Bronze/Silver write side (TelemetryStore). Sketches are merged, and the Silver p50/p90/p99 columns
 * computed, by the injected SketchOps (the composition root passes adapters/telemetry/sketch-ops.ts).
 *
 * Ingest (`write`, telemetry-write.ts) is insert-only: Bronze rows, and the batch's Silver minutes into
 * silver_minute_pending, so concurrent requests never wait on each other's row locks. `compact` (a
 * scheduled job; silver-compact.ts) later drains the pending rows into silver_minute (silver-merge.ts);
 * until it runs, silver_minute lags ingest by up to its period.
 */
export function telemetryStore(db: Db, sketches: Pick<SketchOps, 'merge' | 'quantiles'>): TelemetryStore {
  /**
   * Bronze days whose partition this store has seen exist: the partition check is skipped for them (one
   * statement less per write). A stale entry only costs a retry (see write).
   */
  const knownDays = new Set<string>();
  const ensure = async (days: readonly string[]) => {
    if (days.length === 0) return;
    await ensurePartitions(db, days);
    if (knownDays.size + days.length > MAX_KNOWN_DAYS) knownDays.clear();
    for (const d of days) knownDays.add(d);
  };
  return {
    async write({ bronze, silver }) {
      // Entries of one key merge first: the pending table then holds one row per key and request. No
      // sort: an insert takes no row locks, so the order does not matter here.
      const rows = mergeByKey(silver, sketches.merge, false);
      if (bronze.length === 0 && rows.length === 0) return;
      const params = [...bronzeParams(bronze), ...pendingParams(rows)];
      const days = daysOf(bronze);
      if (days.some((d) => !knownDays.has(d))) await ensure(days);
      try {
        await db.query(WRITE, params);
      } catch (e) {
        // A remembered partition was dropped since (the janitor): nothing was written; make it and retry.
        if (!isNoPartition(e)) throw e;
        knownDays.clear();
        await ensure(days);
        await db.query(WRITE, params);
      }
    },

    async compact(limit = 50_000) {
      return db.transaction((tx) => compactPending(tx, limit, sketches));
    },
  };
}
