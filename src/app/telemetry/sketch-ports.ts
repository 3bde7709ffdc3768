/**
 * What the app and the database adapters need of the latency sketch library (DDSketch), over stored sketch
 * bytes. One port, implemented once (adapters/telemetry/sketch-ops.ts) and handed to every repository and
 * use case that merges or ranks sketches: the database adapters cannot import the sketch library.
 */
export interface SketchQuantiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface SketchOps {
  /** Two stored sketches merged (never averaged: the merge keeps the 1% relative accuracy). */
  merge(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** p50/p90/p99 of a stored sketch (the Silver quantile columns). */
  quantiles(bytes: Uint8Array): SketchQuantiles;
  /** The p99 of stored sketches merged together; null when they hold no value. */
  p99(sketches: readonly Uint8Array[]): number | null;
  /** How many of the sketch's values are strictly below the threshold (approximate within 1%). */
  rankBelow(bytes: Uint8Array, thresholdMs: number): number;
}
