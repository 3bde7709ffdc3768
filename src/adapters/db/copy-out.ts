import { StringDecoder } from 'node:string_decoder';
import type { PGlite } from '@electric-sql/pglite';
import type postgres from 'postgres';

/**
 * `COPY (query) TO STDOUT` in text format, read without a driver's per-row work, and a parser for it.
 *
 * Why: a scan reads every record, and a rescan every stored finding. Through the drivers' row parsing that
 * was ~1 s for 200,000 records on PostgreSQL and 6.5 s on PGlite (bench/dirty-once.ts); the same rows as
 * COPY text are one string per ~1 MiB, split here with indexOf.
 */

const TEXT_CHUNK = 1 << 20;

/** Whole lines of decoded text out of byte chunks; a line or a character split between chunks is carried. */
class LineText {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private readonly onText: (text: string) => void;
  constructor(onText: (text: string) => void) {
    this.onText = onText;
  }
  push(bytes: Uint8Array): void {
    const text = this.rest + this.decoder.write(bytes as Buffer);
    const end = text.lastIndexOf('\n') + 1;
    this.rest = text.slice(end);
    if (end > 0) this.onText(end === text.length ? text : text.slice(0, end));
  }
  end(): void {
    const text = this.rest + this.decoder.end();
    this.rest = '';
    if (text.length > 0) this.onText(text);
  }
}

type PgSql = postgres.Sql | postgres.TransactionSql | postgres.ReservedSql;

/** postgres.js: one CopyData message per row arrives; they are gathered into ~1 MiB before decoding. */
export async function pgCopyOut(sql: PgSql, query: string, onText: (text: string) => void): Promise<void> {
  const readable = await sql.unsafe(`COPY (${query}) TO STDOUT`).readable();
  await new Promise<void>((resolve, reject) => {
    const lines = new LineText(onText);
    let parts: Uint8Array[] = [];
    let size = 0;
    // A failing consumer must not leave the connection mid-COPY: the rest is drained, then it rejects.
    let failed: unknown;
    const flush = () => {
      if (size === 0 || failed !== undefined) return;
      const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      parts = [];
      size = 0;
      try {
        lines.push(bytes);
      } catch (e) {
        failed = e;
      }
    };
    readable.on('data', (b: Uint8Array) => {
      if (failed !== undefined) return;
      parts.push(b);
      size += b.length;
      if (size >= TEXT_CHUNK) flush();
    });
    readable.once('error', reject);
    readable.once('end', () => {
      flush();
      if (failed === undefined)
        try {
          lines.end();
        } catch (e) {
          failed = e;
        }
      if (failed === undefined) resolve();
      else reject(failed);
    });
  });
}

/** PGlite: COPY writes one Blob, read here in ~1 MiB slices. */
export async function pgliteCopyOut(
  pg: Pick<PGlite, 'query'>,
  query: string,
  onText: (text: string) => void,
): Promise<void> {
  const { blob } = await pg.query(`COPY (${query}) TO '/dev/blob'`);
  if (!blob) return;
  const lines = new LineText(onText);
  for (let at = 0; at < blob.size; at += TEXT_CHUNK)
    lines.push(new Uint8Array(await blob.slice(at, at + TEXT_CHUNK).arrayBuffer()));
  lines.end();
}

/**
 * Calls `onRow` for every line of COPY text in `text` (whole lines), with its fields decoded: `\N` is
 * null, backslash escapes are undone. `fields` is reused from row to row: copy what you keep.
 */
export function forEachCopyRow(text: string, onRow: (fields: (string | null)[]) => void): void {
  const fields: (string | null)[] = [];
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    fields.length = 0;
    let from = at;
    for (;;) {
      const tab = text.indexOf('\t', from);
      const stop = tab < 0 || tab > end ? end : tab;
      fields.push(copyValue(text.slice(from, stop)));
      if (stop === end) break;
      from = stop + 1;
    }
    onRow(fields);
    at = end + 1;
  }
}

const ESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One field of COPY text: `\N` → null; escapes (PostgreSQL's COPY text format) undone. */
export function copyValue(raw: string): string | null {
  if (raw.indexOf('\\') < 0) return raw;
  if (raw === '\\N') return null;
  return raw.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|([\s\S]))/g, (_m, oct, hex, c: string) => {
    if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8));
    if (hex !== undefined) return String.fromCharCode(Number.parseInt(hex, 16));
    return ESCAPED[c] ?? c;
  });
}
