import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import type { RollupFns } from '../../domain/telemetry/minute-batch.ts';
import {
  add,
  fromBytes,
  merge,
  mergeSketchBytes,
  newSketch,
  quantile,
  rankBelowBytes,
  type Sketch,
  sketchQuantiles,
  toBytes,
} from './sketch.ts';

/** The SketchOps port over this adapter's DDSketch: the one object every repository and use case is given. */
export const sketchOps: SketchOps = {
  merge: mergeSketchBytes,
  quantiles: sketchQuantiles,
  p99: (sketches) => {
    const s = newSketch();
    for (const b of sketches) merge(s, fromBytes(b));
    return quantile(s, 0.99);
  },
  rankBelow: rankBelowBytes,
};

/** How ingest folds values into a minute's sketch before it is stored (live sketches, not bytes). */
export const sketchRollup: RollupFns<Sketch> = { newRollup: newSketch, addValue: add, toBytes };
