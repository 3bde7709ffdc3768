/**
 * Encoding for COPY … FROM in PostgreSQL's text format: tab-separated, `\N` for NULL, and backslash,
 * tab, newline and carriage return escaped. One function per row keeps the hot loop allocation-light.
 */
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_G = /[\\\t\n\r]/g;
const ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v !== 'string') return String(v);
  return SPECIAL.test(v) ? v.replace(SPECIAL_G, (c) => ESC[c]!) : v;
}

export const copyLine = (fields: readonly (string | number | boolean | null | undefined)[]): string =>
  `${fields.map(copyField).join('\t')}\n`;

export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
