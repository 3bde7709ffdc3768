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
