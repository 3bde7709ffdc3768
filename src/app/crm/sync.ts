import { allowanceStop } from '../../domain/crm/allowance.ts';
import type { CrmLookups } from '../../domain/crm/map-record.ts';
import type { CrmFailureKind } from '../../domain/crm/sync-run.ts';
import type { FunnelRecord } from '../../domain/records/record.ts';
import { actorLabel, type Ctx } from '../context.ts';
import { crashPoint } from '../import/crash-points.ts';
import { CrmError, type CrmRejection, type CrmStream, type ReadFrom, type StreamState } from './ports.ts';
import { finish, mapPage } from './sync-finish.ts';
import type { CrmSyncDeps, Ending, Run, StreamOutcome, SyncOptions, SyncOutcome } from './sync-types.ts';

export { mapPage } from './sync-finish.ts';
export {
  type CrmSyncDeps,
  type CrmSyncSettings,
  DEFAULT_SYNC_SETTINGS,
  REJECTIONS_SHOWN,
  type StreamOutcome,
  type SyncOptions,
  type SyncOutcome,
} from './sync-types.ts';

/**
 * The CRM sync use case (issue 16): read what changed in the CRM since the stored cursor (or everything,
 * on demand or the first time), map it onto funnel records, upsert them by id as the CSV import does, and
 * report the records that could not be mapped, with the CRM's id and the reason. One sync at a time per
 * connector (the store's slot), a checkpoint after every page, so a sync stopped by the daily share, its
 * time limit or a crash resumes where it was. A failure is a failed run with its reason and, once per
 * episode, an admin alert through the outbox: never an exception loop.
 */

export async function runCrmSync(deps: CrmSyncDeps, ctx: Ctx, opts: SyncOptions): Promise<SyncOutcome> {
  const { connector, settings, clock } = deps;
  const startedAtMs = clock.now();
  const started = await deps.store.begin(connector.name, {
    mode: opts.full ? 'full' : 'incremental',
    actor: actorLabel(ctx.actor),
    nowMs: startedAtMs,
    leaseMs: settings.leaseMs,
  });
  if (started === null) {
    ctx.log.info({ connector: connector.name }, 'crm sync skipped: another sync is running');
    return { status: 'busy', connector: connector.name };
  }
  const run: Run = {
    deps,
    ctx,
    started,
    session: connector.open((usage) => allowanceStop(usage, settings.dailyShare)),
    totals: { seen: 0, written: 0 },
    outcomes: [],
    deadlineMs: opts.maxDurationMs ? startedAtMs + opts.maxDurationMs : null,
    startedAtMs,
  };
  let ending: Ending;
  let unexpected: { error: unknown } | undefined;
  try {
    ending = await readAll(run, opts);
  } catch (e) {
    if (e instanceof CrmError) ending = e.kind === 'budget' ? stopped(e.message) : failed(e.kind, e.message);
    else {
      unexpected = { error: e };
      ending = failed('internal', `unexpected error: ${(e as Error).message}`);
    }
  }
  // A bug or a database failure is recorded as a failed run when the database lets us, then rethrown to
  // the caller's error boundary (with the original error, not the one recording it may raise).
  const outcome = await finish(run, ending).catch((e: unknown) => {
    throw unexpected ? unexpected.error : e;
  });
  if (unexpected) throw unexpected.error;
  return outcome;
}

const stopped = (reason: string): Ending => ({ status: 'partial', reason, failure: null });
const failed = (kind: CrmFailureKind, reason: string): Ending => ({
  status: 'failed',
  reason,
  failure: { kind, reason },
});

async function readAll(run: Run, opts: SyncOptions): Promise<Ending> {
  const lookups = await run.session.lookups();
  const states = new Map(run.started.streams.map((s) => [s.stream, s]));
  for (const stream of run.deps.connector.streams) {
    const stop = await syncStream(
      run,
      stream,
      lookups,
      startingPoint(run, stream, states.get(stream.key), opts),
    );
    if (stop !== null) return stopped(stop);
  }
  return { status: 'succeeded', reason: null, failure: null };
}

/** Full when asked, the first time, or while a full read is under way; otherwise from the cursor. */
function startingPoint(
  run: Run,
  stream: CrmStream,
  prev: StreamState | undefined,
  opts: SyncOptions,
): { state: StreamState; from: ReadFrom } {
  const base: StreamState = prev ?? { stream: stream.key, cursorMs: null, resume: null, fullStartedMs: null };
  if (opts.full || (base.cursorMs === null && base.fullStartedMs === null))
    return {
      state: { ...base, resume: null, fullStartedMs: run.startedAtMs },
      from: { mode: 'full', resume: null },
    };
  if (base.fullStartedMs !== null) return { state: base, from: { mode: 'full', resume: base.resume } };
  const sinceMs = base.cursorMs! - run.deps.settings.overlapMs;
  return { state: base, from: { mode: 'incremental', sinceMs, resume: base.resume } };
}

/**
 * Pages are stored together, FLUSH_RECORDS records at a time (and at every stop): one upsert and one
 * checkpoint per thousand records instead of per hundred, so the database keeps up with the CRM's pace
 * on a busy host. A sync that stops keeps what it read (the buffer is written first) and resumes from
 * the last checkpoint.
 */
export const FLUSH_RECORDS = 1_000;

function pageBuffer(run: Run, out: StreamOutcome) {
  let records = new Map<string, FunnelRecord>();
  let rejections: CrmRejection[] = [];
  let seen = 0;
  let state: StreamState | null = null;
  return {
    add(mapped: { records: FunnelRecord[]; rejections: CrmRejection[] }, count: number, next: StreamState) {
      for (const r of mapped.records) records.set(r.id, r);
      rejections.push(...mapped.rejections);
      seen += count;
      state = next;
    },
    get full() {
      return records.size + rejections.length >= FLUSH_RECORDS;
    },
    async flush(): Promise<void> {
      if (state === null) return;
      const batch = [...records.values()];
      const written = batch.length === 0 ? 0 : await run.deps.records.upsertMany(batch);
      out.seen += seen;
      out.written += written;
      out.rejected += rejections.length;
      run.totals.seen += seen;
      run.totals.written += written;
      await save(run, state, rejections);
      records = new Map();
      rejections = [];
      seen = 0;
      state = null;
    },
  };
}

/** Reads one stream to its end (null) or until the run must stop (the reason). */
async function syncStream(
  run: Run,
  stream: CrmStream,
  lookups: CrmLookups,
  start: { state: StreamState; from: ReadFrom },
): Promise<string | null> {
  const { deps } = run;
  let state = start.state;
  const out: StreamOutcome = {
    stream: stream.key,
    noun: stream.noun,
    mode: start.from.mode,
    seen: 0,
    written: 0,
    rejected: 0,
    cursorMs: state.cursorMs,
    finished: false,
  };
  run.outcomes.push(out);
  const buffer = pageBuffer(run, out);
  try {
    for await (const page of run.session.read(stream, start.from)) {
      const incremental = start.from.mode === 'incremental' ? page.checkpoint.cursorMs : null;
      state = { ...state, resume: page.checkpoint.resume, cursorMs: maxOf(state.cursorMs, incremental) };
      buffer.add(mapPage(page.records, stream, lookups, deps.hashEmail), page.records.length, state);
      const late =
        page.checkpoint.resume !== null && run.deadlineMs !== null && deps.clock.now() >= run.deadlineMs;
      if (buffer.full || late) await buffer.flush();
      if (late)
        return `time limit reached after ${Math.round((deps.clock.now() - run.startedAtMs) / 1000)} s; the next run resumes`;
    }
  } catch (e) {
    // The CRM stopped the read (the daily share, a refusal): what was read before is good, keep it.
    if (e instanceof CrmError) await buffer.flush();
    throw e;
  }
  await buffer.flush();
  // A full read that reached its end leaves the cursor at its start: whatever changed during it is newer.
  if (state.fullStartedMs !== null)
    state = { ...state, cursorMs: state.fullStartedMs, resume: null, fullStartedMs: null };
  await save(run, { ...state, resume: null }, []);
  out.cursorMs = state.cursorMs;
  out.finished = true;
  return null;
}

const maxOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

async function save(run: Run, state: StreamState, rejections: CrmRejection[]): Promise<void> {
  await run.deps.store.checkpoint(run.deps.connector.name, run.started.runId, {
    state,
    rejections,
    totals: run.totals,
    leaseMs: run.deps.settings.leaseMs,
  });
  await crashPoint('crm:checkpointed');
}
