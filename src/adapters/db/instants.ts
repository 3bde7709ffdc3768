/**
 * Instants cross the database boundary one way: the app and the domain hold epoch milliseconds, Postgres
 * holds timestamptz. Parameters go in as ISO-8601 text and columns come out through `epochMs`, so every
 * repository converts alike (bulk COPY lines use copy.ts's faster `isoInstant` for the same text).
 */

/** Epoch ms → ISO-8601 text for a timestamptz parameter; null and undefined stay null (a NULL column). */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}

/**
 * A SELECT expression reading timestamptz column `col` as epoch ms, floored to the whole millisecond
 * (Postgres keeps microseconds) and cast to float8 so the driver returns a JavaScript number.
 */
export const epochMs = (col: string): string => `floor(extract(epoch FROM ${col}) * 1000)::float8`;

/** A timestamptz value as the driver returns it (Date or text) → epoch ms; null and undefined stay null. */
export const msOrNull = (v: unknown): number | null =>
  v === null || v === undefined ? null : new Date(v as string | Date).getTime();
