import type {
  SavedSeries,
  SeriesStateStore,
  SeriesStateWrite,
  SeriesWriteOutcome,
  SilverMinute,
} from '../../../src/app/telemetry/ports.ts';

/**
 * SeriesStateStore in memory, with the adapter's contract (series-state-repository.ts): the batch is
 * written only when every series' row holds its `prev` version; else nothing is, and the rows that moved
 * are answered. `races` makes that many next writes fail as if a writer racing inside the statement had
 * not committed yet (nothing written, nothing moved); `beforeWrite` runs at the start of every write (another
 * writer committing meanwhile); `fail` makes writes throw (storage down).
 */
export class InMemorySeriesStore implements SeriesStateStore {
  readonly rows = new Map<string, SavedSeries>();
  readonly silver: SilverMinute[] = [];
  readonly calls: { states: SeriesStateWrite[]; written: boolean }[] = [];
  races = 0;
  fail: Error | null = null;
  beforeWrite: (() => void) | null = null;

  async write(batch: {
    states: readonly SeriesStateWrite[];
    silver: SilverMinute[];
  }): Promise<SeriesWriteOutcome> {
    const states = structuredClone([...batch.states]);
    if (this.fail) throw this.fail;
    this.beforeWrite?.();
    const moved = new Map<string, SavedSeries | null>();
    for (const w of states) {
      const row = this.rows.get(w.key);
      if ((row?.version ?? 0) !== w.prev) moved.set(w.key, row === undefined ? null : structuredClone(row));
    }
    if (moved.size > 0 || this.races > 0) {
      if (moved.size === 0) this.races--;
      this.calls.push({ states, written: false });
      return { written: false, moved };
    }
    for (const w of states) this.rows.set(w.key, { state: w.state, version: w.prev + 1 });
    this.silver.push(...structuredClone(batch.silver));
    this.calls.push({ states, written: true });
    return { written: true };
  }
}
