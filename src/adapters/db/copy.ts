/**
 * Encoding for COPY … FROM in PostgreSQL's text format: tab-separated, `\N` for NULL, and backslash,
 * tab, newline and carriage return escaped. One function per row keeps the hot loop allocation-light.
 */
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_G = /[\\\t\n\r\0]/g;
// PostgreSQL text cannot hold NUL at all, so a NUL (only ever garbage in CRM text) is dropped rather
// than failing the whole batch.
const ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' };

/** Escapes a non-null text value. */
export const copyText = (v: string): string => (SPECIAL.test(v) ? v.replace(SPECIAL_G, (c) => ESC[c]!) : v);

export function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  return typeof v === 'string' ? copyText(v) : String(v);
}

export const copyLine = (fields: readonly (string | number | boolean | null | undefined)[]): string =>
  `${fields.map(copyField).join('\t')}\n`;

export const isoOrNull = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString();
