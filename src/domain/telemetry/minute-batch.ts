import { type MinuteRollup, minuteOf } from './rollup.ts';
import { type CanonicalTags, canonicalTags } from './tags.ts';

/**
 * The quantile sketch, injected by the composition root (the domain cannot import the sketch library):
 * `{ newRollup: newSketch, addValue: add, toBytes }` from adapters/telemetry/sketch.ts. It holds only the
 * value distribution; count, errors, sum, min and max are kept beside it by the batch, because their
 * meaning depends on the source (a counter's count is its value, a histogram's count is the point's).
 */
export interface RollupFns<R> {
  newRollup(): R;
  /** Adds `value` once, or `weight` times (positive, fractions allowed). */
  addValue(rollup: R, value: number, weight?: number): void;
  toBytes(rollup: R): Uint8Array;
}

/** One series-minute being folded: its row (sketch aside) and its sketch, made on the first value. */
export interface MinuteAcc<R> {
  row: Omit<MinuteRollup, 'sketchBytes'>;
  sketch: R | null;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** The Silver minute rollups of one batch, by key (service, metric, tag set, minute). */
export class MinuteBatch<R> {
  /** By canonical tag set (the cached object itself), minute, service and metric: no key strings built. */
  private readonly byKey = new Map<CanonicalTags, Map<number, Map<string, Map<string, MinuteAcc<R>>>>>();
  private readonly accs: MinuteAcc<R>[] = [];
  /**
   * canonicalTags by the attributes' JSON as sent: a batch repeats a few attribute sets thousands of
   * times, and sorting and stringifying each one was a large part of ingest's CPU. Equal JSON means equal
   * attributes (for the string, number and boolean values canonicalTags keeps), so the cache is exact.
   * Equal tag sets from different JSON (another key order) get one object too, through tagsHash.
   */
  private readonly tagsByJson = new Map<string, CanonicalTags>();
  private readonly tagsByHash = new Map<string, CanonicalTags>();
  private readonly fns: RollupFns<R>;
  constructor(fns: RollupFns<R>) {
    this.fns = fns;
  }

  private canonical(attributes: Record<string, unknown>): CanonicalTags {
    let json: string | undefined;
    try {
      json = JSON.stringify(attributes);
    } catch {
      // Not JSON-able (a bigint): no caching by JSON.
    }
    let c = json === undefined ? undefined : this.tagsByJson.get(json);
    if (c === undefined) {
      const fresh = canonicalTags(attributes);
      c = this.tagsByHash.get(fresh.tagsHash);
      if (c === undefined) {
        c = fresh;
        this.tagsByHash.set(c.tagsHash, c);
      }
      if (json !== undefined) this.tagsByJson.set(json, c);
    }
    return c;
  }

  /** The accumulator of this series' minute holding `timeMs`, made empty on first use. */
  at(service: string, metric: string, attributes: Record<string, unknown>, timeMs: number): MinuteAcc<R> {
    const canonical = this.canonical(attributes);
    const minuteMs = minuteOf(timeMs);
    const byMinute = getOrAdd(this.byKey, canonical, () => new Map());
    const byService = getOrAdd(byMinute, minuteMs, () => new Map());
    const byMetric = getOrAdd(byService, service, () => new Map());
    let acc = byMetric.get(metric);
    if (!acc) {
      const { tags, tagsHash } = canonical;
      acc = {
        row: { service, metric, tags, tagsHash, minuteMs, count: 0, errors: 0, sum: 0, min: null, max: null },
        sketch: null,
      };
      byMetric.set(metric, acc);
      this.accs.push(acc);
    }
    return acc;
  }

  /** Sum, min and max of `value` (taken `weight` times), and the sketch. */
  value(acc: MinuteAcc<R>, value: number, weight = 1): void {
    const r = acc.row;
    r.sum += value * weight;
    r.min = r.min === null ? value : Math.min(r.min, value);
    r.max = r.max === null ? value : Math.max(r.max, value);
    this.sketchValue(acc, value, weight);
  }

  sketchValue(acc: MinuteAcc<R>, value: number, weight: number): void {
    acc.sketch ??= this.fns.newRollup();
    this.fns.addValue(acc.sketch, value, weight);
  }

  /** The rows, in the order their keys were first seen. */
  rows(): MinuteRollup[] {
    return this.accs.map(({ row, sketch }) => ({
      ...row,
      sketchBytes: sketch === null ? null : this.fns.toBytes(sketch),
    }));
  }
}
