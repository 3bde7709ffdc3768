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
