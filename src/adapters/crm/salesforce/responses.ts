import { z } from 'zod';
import { CrmError } from '../../../app/crm/ports.ts';
import { answerParser } from '../parse-answer.ts';

/**
 * The shapes of Salesforce's answers the connector reads, checked with zod: an answer of another shape
 * fails the sync as `bad_response` (naming the endpoint) instead of storing half-read records. Only the
 * fields read are declared; Salesforce adds fields freely, and extra ones are ignored.
 */

/** A field value as SOQL returns it: text, number, boolean, null, or a parent record (`Account`). */
type SoqlValue = string | number | boolean | null | { [k: string]: SoqlValue };
const soqlValue: z.ZodType<SoqlValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), soqlValue)]),
);

/** GET /services/data/vXX.X/query: `{totalSize, done, nextRecordsUrl?, records: [{attributes, …}]}`. */
export const queryPage = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), soqlValue)),
});
export type QueryPage = z.infer<typeof queryPage>;

/** POST /services/oauth2/token, granted. */
export const tokenGranted = z.object({
  access_token: z.string().min(1),
  instance_url: z.string().min(1),
  token_type: z.string().optional(),
  issued_at: z.string().optional(),
});

/** POST /services/data/vXX.X/jobs/query and GET …/jobs/query/{id}: a Bulk API 2.0 query job. */
export const queryJob = z.object({
  id: z.string().min(1),
  state: z.enum(['UploadComplete', 'InProgress', 'Aborted', 'JobComplete', 'Failed']),
  errorMessage: z.string().nullish(),
  numberRecordsProcessed: z.number().optional(),
});
export type QueryJob = z.infer<typeof queryJob>;

/** A record's fields as text, parents flattened to dotted names (`Account.Website`); `attributes` dropped. */
export type Flat = Record<string, string | null>;

export function flatten(rec: Record<string, SoqlValue>, prefix = '', out: Flat = {}): Flat {
  for (const [k, v] of Object.entries(rec)) {
    if (k === 'attributes') continue;
    const name = `${prefix}${k}`;
    if (v !== null && typeof v === 'object') flatten(v, `${name}.`, out);
    else out[name] = v === null ? null : String(v);
  }
  return out;
}

/**
 * A Bulk API 2.0 CSV result (RFC 4180: comma, LF, fields quoted with `"` and `""` inside) as records
 * keyed by the header (`Account.Name` as is). An empty field is null, as the REST API's null is.
 */
export function parseCsv(text: string, what: string): Flat[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += ch;
    i++;
  }
  if (quoted) throw new CrmError('bad_response', `Salesforce's CSV answer to ${what} ends inside a quote`);
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  const [header, ...body] = rows;
  if (header === undefined) return [];
  return body
    .filter((r) => !(r.length === 1 && r[0] === ''))
    .map((r, n) => {
      if (r.length !== header.length)
        throw new CrmError(
          'bad_response',
          `Salesforce's CSV answer to ${what} has ${r.length} fields on row ${n + 1}, not ${header.length}`,
        );
      return Object.fromEntries(header.map((h, j) => [h, r[j] === '' ? null : r[j]!]));
    });
}

/** Parses an answer, or fails naming the endpoint and the first field that did not fit. */
export const parseAnswer = answerParser('Salesforce');
