/** Ports of the telemetry tiers (DOMAIN.md §6, issue 5). */

/** An ingest token as listed: never the token itself, nor its hash. */
export interface IngestTokenInfo {
  id: string;
  name: string;
  /** The token's first 8 characters, to recognise it. */
  prefix: string;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/**
 * Bearer tokens for the ingest endpoints. The clear token exists only in `create`'s answer: the store keeps
 * its SHA-256, so it can be verified but never shown again.
 */
export interface IngestTokens {
  create(name: string): Promise<{ id: string; token: string; prefix: string }>;
  /** Every token, oldest first, revoked ones included (with revokedAtMs). */
  list(): Promise<IngestTokenInfo[]>;
  /**
   * Revokes the active token with that id (digits) or prefix. False when no active token matches; an
   * ambiguous prefix (two active tokens share it) is a CONFLICT AppError rather than a guess.
   */
  revoke(idOrPrefix: string): Promise<boolean>;
  /** The active token's id and name, or null for an unknown or revoked token. */
  verify(token: string): Promise<{ id: string; name: string } | null>;
}

/** One raw Bronze event (an error or a slow one), PII already hashed: no raw user id or email here. */
export interface BronzeRow {
  timeMs: number;
  service: string;
  name: string;
  level: string | null;
  ok: boolean;
  durationMs: number | null;
  message: string | null;
  traceId: string | null;
  /** Keyed hash of the user id, or null. */
  userHash: string | null;
  /** Keyed hash of the email, or null. */
  emailHash: string | null;
  attributes: Record<string, string | number | boolean>;
}

/**
 * One Silver minute rollup of a (service, metric, tags) series: the increment a batch adds, or the
 * merged row. count/errors/sum add up, min/max combine, the sketch (DDSketch bytes) merges.
 * min, max and sketchBytes are null when the rollup saw no value (a counter, events without a duration).
 */
export interface SilverMinute {
  service: string;
  metric: string;
  /** Canonical tag set: string values, keys sorted. */
  tags: Record<string, string>;
  /** Stable identity of `tags` (the key column beside service, metric and minute). */
  tagsHash: string;
  /** Start of the UTC minute, epoch ms (a multiple of 60 000). */
  minuteMs: number;
  count: number;
  errors: number;
  sum: number;
  min: number | null;
  max: number | null;
  sketchBytes: Uint8Array | null;
}

/** The Bronze and Silver tiers' write side. */
export interface TelemetryStore {
  /**
   * One transaction: creates the Bronze day partitions the batch needs, inserts the Bronze rows, and
   * merges each Silver minute into the stored row of its key (row-locked, so concurrent writers of the
   * same minute add up instead of overwriting each other). Several entries of one key in a batch merge.
   */
  write(batch: { bronze: BronzeRow[]; silver: SilverMinute[] }): Promise<void>;
}
