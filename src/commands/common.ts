import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';

/** What every `leak` command shares: usage errors, argument parsing, output helpers. */

export class UsageError extends Error {}

export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export const createLogDestination = () => process.stderr;
export const safeUser = () => {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
};

export type ArgOptions = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

export function parse<O extends ArgOptions>(rest: string[], options: O) {
  try {
    return parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Prints rows as left-aligned columns separated by two spaces. */
export function writeTable(io: Io, rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    io.out.write(
      `${r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
}

/** When, as a UTC timestamp to the second, or '-'. */
export const when = (ms: number | null) =>
  ms === null ? '-' : `${new Date(ms).toISOString().slice(0, 19)}Z`;

export interface Listing<T> {
  /** --json: the document printed instead of the table (the items themselves unless given). */
  json: boolean;
  document?: unknown;
  /** The line printed when there is nothing to list. */
  empty: string;
  header: string[];
  row(item: T): string[];
}

/** A list as JSON, a note when it is empty, or a table; true when the table was printed. */
export function writeListing<T>(io: Io, items: readonly T[], o: Listing<T>): boolean {
  if (o.json) {
    io.out.write(`${JSON.stringify(o.document ?? items, null, 2)}\n`);
    return false;
  }
  if (items.length === 0) {
    io.out.write(`${o.empty}\n`);
    return false;
  }
  writeTable(io, [o.header, ...items.map((item) => o.row(item))]);
  return true;
}
