import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

export type Row = Record<string, unknown>;

/**
 * The narrow SQL surface shared by postgres.js and PGlite, so every repository runs the same SQL on
 * both. Hot paths use `copyIn` (COPY … FROM STDIN / '/dev/blob'); everything else uses `query`.
 */
export interface Sql {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Rows as arrays in column order: no per-row object from the driver (hot, wide reads). */
  queryArrays(text: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** Runs a script of several statements (simple protocol, no parameters): migrations. */
  exec(script: string): Promise<void>;
  /**
   * COPY text-format lines (see copy.ts) into `table(columns)`: strings, or chunks already UTF-8 encoded
   * (whole lines either way).
   */
  copyIn(table: string, columns: readonly string[], lines: Iterable<string | Uint8Array>): Promise<void>;
  /**
   * `COPY (query) TO STDOUT` in text format (copy-out.ts parses it): `onText` gets the output in order, in
   * pieces of whole lines, as it arrives. No per-row work in the driver, which is most of the cost of
   * reading a few hundred thousand rows (on PGlite, seconds).
   */
  copyOut(query: string, onText: (text: string) => void): Promise<void>;
}

export interface Db extends Sql {
  readonly kind: 'postgres' | 'pglite';
  readonly orm: PgDatabase<PgQueryResultHKT, typeof schema>;
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Runs `fn` holding one dedicated connection (session-level advisory locks need this). */
  session<T>(fn: (s: Sql) => Promise<T>): Promise<T>;
  ready(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}
