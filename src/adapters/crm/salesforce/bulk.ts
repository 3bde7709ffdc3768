import { CrmError, type CrmPage } from '../../../app/crm/ports.ts';
import { SalesforceApiError } from './errors.ts';
import { encode, latestModified, type ReadContext, toRecords } from './records.ts';
import { parseAnswer, parseCsv, queryJob } from './responses.ts';
import { type BulkState, type ObjectPlan, soql } from './soql.ts';

/**
 * The rest of a large read through a Bulk API 2.0 query job: create it (`POST …/jobs/query`, the same
 * keyset filter, no ORDER BY), poll it (`GET …/jobs/query/{id}`) until JobComplete, then read its CSV
 * results a page at a time (`GET …/results?maxRecords=&locator=`, the next locator in `Sforce-Locator`,
 * the page's count in `Sforce-NumberOfRecords`).
 *
 * The job id is checkpointed as soon as it exists, then each page's locator: Salesforce keeps a job's
 * results for days and a locator never changes, so a sync stopped by the daily share picks the same
 * job up where it was. A job Salesforce no longer has (deleted, expired) is made again from the keyset
 * the job began at. Results are unordered, so an incremental read's cursor only moves once the whole
 * job is read (to the latest SystemModstamp in it); until then a stop keeps the cursor where it was.
 */

const gone = (e: unknown) =>
  e instanceof SalesforceApiError &&
  (e.status === 404 || e.errorCode === 'NOT_FOUND' || e.errorCode === 'INVALIDJOB');

export async function* readBulk(c: ReadContext, plan: ObjectPlan, start: BulkState): AsyncGenerator<CrmPage> {
  const base = `${c.http.dataPath}/jobs/query`;
  let st = start;
  if (st.job === null) {
    const body = await c.http.postJson(base, {
      operation: 'query',
      query: soql(plan, st.from, false),
      contentType: 'CSV',
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
    });
    st = { ...st, job: parseAnswer(queryJob, body, `POST ${base}`).id };
    // Stored now, so a stop while the job runs resumes this job rather than starting another.
    yield { records: [], checkpoint: { resume: encode({ bulk: st }), cursorMs: null } };
    await c.http.pause(c.bulkPoll.firstMs);
  }
  const job = st.job!;
  const restart = () => readBulk(c, plan, { job: null, locator: null, from: st.from, maxMs: null });
  try {
    await waitForJob(c, base, job);
  } catch (e) {
    if (!gone(e)) throw e;
    yield* restart();
    return;
  }
  const incremental = st.from.mode === 'incremental';
  for (;;) {
    const q = new URLSearchParams({ maxRecords: String(c.bulkPageSize) });
    if (st.locator !== null) q.set('locator', st.locator);
    const path = `${base}/${job}/results`;
    let answer: { text: string; headers: Headers };
    try {
      answer = await c.http.getCsv(`${path}?${q}`);
    } catch (e) {
      if (!gone(e)) throw e;
      yield* restart();
      return;
    }
    const rows = parseCsv(answer.text, `GET ${path}`);
    const count = answer.headers.get('sforce-numberofrecords');
    if (count !== null && /^\d+$/.test(count) && Number(count) !== rows.length)
      throw new CrmError(
        'bad_response',
        `Salesforce's Bulk results page of job ${job} has ${rows.length} records, not the ${count} its Sforce-NumberOfRecords says`,
      );
    const next = answer.headers.get('sforce-locator');
    const done = next === null || next === '' || next === 'null';
    const page = incremental ? latestModified(rows) : null;
    const maxMs = page === null ? st.maxMs : st.maxMs === null ? page : Math.max(st.maxMs, page);
    st = { ...st, locator: done ? null : next, maxMs };
    yield {
      records: toRecords(c, plan, rows),
      checkpoint: {
        resume: done ? null : encode({ bulk: st }),
        cursorMs: done && incremental ? maxMs : null,
      },
    };
    if (done) return;
  }
}

/** Polls until JobComplete, waiting longer each time (capped); a failed or aborted job fails the sync. */
async function waitForJob(c: ReadContext, base: string, job: string): Promise<void> {
  const startedMs = c.http.now();
  let waitMs = c.bulkPoll.firstMs;
  for (;;) {
    const j = parseAnswer(queryJob, await c.http.getJson(`${base}/${job}`), `GET ${base}/{id}`);
    if (j.state === 'JobComplete') return;
    if (j.state === 'Failed' || j.state === 'Aborted')
      throw new CrmError(
        'unavailable',
        `Salesforce's Bulk API query job ${job} ${j.state === 'Failed' ? 'failed' : 'was aborted'}: ${j.errorMessage ?? 'no reason given'}`,
      );
    if (c.http.now() - startedMs >= c.bulkPoll.timeoutMs)
      throw new CrmError(
        'unavailable',
        `Salesforce's Bulk API query job ${job} is still ${j.state} after ${Math.round(c.bulkPoll.timeoutMs / 60_000)} min; the next sync picks it up`,
      );
    await c.http.pause(waitMs);
    waitMs = Math.min(waitMs * 2, c.bulkPoll.maxMs);
  }
}
