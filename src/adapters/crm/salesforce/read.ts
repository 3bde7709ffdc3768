import type { CrmPage, ReadFrom } from '../../../app/crm/ports.ts';
import { readBulk } from './bulk.ts';
import { SalesforceApiError } from './errors.ts';
import { after, decodeResume, encode, latestModified, type ReadContext, toRecords } from './records.ts';
import { flatten, parseAnswer, type QueryPage, queryPage } from './responses.ts';
import { type ObjectPlan, type Position, soql } from './soql.ts';

/**
 * Reading one Salesforce object, a page at a time, through SOQL (`GET …/query?q=`, `nextRecordsUrl`
 * paging, up to 2,000 records a page) — or, when the first page says more records match than
 * SALESFORCE_BULK_THRESHOLD, through a Bulk API 2.0 query job for the rest (bulk.ts): a first sync of a
 * large org costs a few calls per hundred thousand records instead of one per 2,000.
 *
 * Full reads go in Id order, incremental ones in (SystemModstamp, Id) order from the cursor less the
 * overlap. Each checkpoint is the keyset of the last record stored (soql.ts `Position`), never the
 * query locator, so a read stopped by the daily share resumes with a new query at the record after it.
 * Records sharing the boundary instant are told apart by Id, so none is skipped or read twice in a read.
 */

export async function* readObject(c: ReadContext, plan: ObjectPlan, from: ReadFrom): AsyncGenerator<CrmPage> {
  const resumed = decodeResume(from.resume);
  if (resumed !== null && 'bulk' in resumed) {
    yield* readBulk(c, plan, resumed.bulk);
    return;
  }
  const start: Position =
    resumed?.pos ??
    (from.mode === 'full'
      ? { mode: 'full', afterId: null }
      : { mode: 'incremental', sinceMs: from.sinceMs, afterId: null });
  yield* readRest(c, plan, start);
}

async function* readRest(c: ReadContext, plan: ObjectPlan, start: Position): AsyncGenerator<CrmPage> {
  const what = `GET /query (${plan.object})`;
  const query = async (pos: Position) =>
    parseAnswer(queryPage, await c.http.query(soql(plan, pos, true)), what);
  let pos = start;
  let page = await query(pos);
  let first = true;
  for (;;) {
    const rows = page.records.map((r) => flatten(r));
    const last = rows.at(-1);
    const nextPos = last === undefined ? pos : after(pos, last, plan.object);
    const cursorMs = pos.mode === 'incremental' ? latestModified(rows) : null;
    const more = !page.done && page.nextRecordsUrl !== undefined && last !== undefined;
    if (more && first && page.totalSize - rows.length > c.bulkThreshold) {
      // Large: this page is stored, the rest comes from a Bulk job over the same keyset onwards.
      yield { records: toRecords(c, plan, rows), checkpoint: { resume: encode({ pos: nextPos }), cursorMs } };
      yield* readBulk(c, plan, { job: null, locator: null, from: nextPos, maxMs: null });
      return;
    }
    first = false;
    // The next page is asked for at once, so its call overlaps storing this one (as HubSpot's list read).
    let pending: Promise<QueryPage> | null = null;
    if (more) {
      pending = nextPage(c, page.nextRecordsUrl!, () => query(nextPos), what);
      pending.catch(() => {});
    }
    yield {
      records: toRecords(c, plan, rows),
      checkpoint: { resume: pending === null ? null : encode({ pos: nextPos }), cursorMs },
    };
    if (pending === null) return;
    pos = nextPos;
    page = await pending;
  }
}

/** The next page by its locator; an expired locator (a slow store) is a new query from the keyset. */
async function nextPage(
  c: ReadContext,
  url: string,
  requery: () => Promise<QueryPage>,
  what: string,
): Promise<QueryPage> {
  try {
    return parseAnswer(queryPage, await c.http.getJson(url), what);
  } catch (e) {
    if (e instanceof SalesforceApiError && e.errorCode === 'INVALID_QUERY_LOCATOR') return requery();
    throw e;
  }
}
