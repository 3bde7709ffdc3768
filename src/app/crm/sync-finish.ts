import { type CrmLookups, type CrmRecord, mapCrmRecord } from '../../domain/crm/map-record.ts';
import { alertAfter } from '../../domain/crm/sync-run.ts';
import type { FunnelRecord } from '../../domain/records/record.ts';
import type { CrmRejection, CrmStream } from './ports.ts';
import { type Ending, REJECTIONS_SHOWN, type Run, type SyncOutcome } from './sync-types.ts';

/** The CRM sync's page mapping and its end: the run closed, the slot freed, the alert queued, the outcome. */

/** Maps a page; a record the CRM sent twice in one page is taken once (its last copy), as upserts need. */
export function mapPage(
  page: readonly CrmRecord[],
  stream: CrmStream,
  lookups: CrmLookups,
  hashEmail: (email: string) => string,
): { records: FunnelRecord[]; rejections: CrmRejection[] } {
  const records = new Map<string, FunnelRecord>();
  const rejections: CrmRejection[] = [];
  for (const r of page) {
    const m = mapCrmRecord(r, stream.mapping, stream.type, lookups, hashEmail);
    if (m.ok) records.set(m.record.id, m.record);
    else rejections.push({ stream: stream.key, crmId: r.id, reason: m.reason });
  }
  return { records: [...records.values()], rejections };
}

export async function finish(run: Run, ending: Ending): Promise<SyncOutcome> {
  const { deps, ctx, started } = run;
  const { connector, settings } = deps;
  const finishedAtMs = deps.clock.now();
  const usage = run.session.usage();
  const { alert, memory } = alertAfter(started.alerts, {
    status: ending.status,
    ...(ending.failure ? { failure: ending.failure } : {}),
  });
  const channel = settings.alertChannel;
  const mode =
    run.outcomes.length === 0 ? null : run.outcomes.some((o) => o.mode === 'full') ? 'full' : 'incremental';
  await deps.store.finish(connector.name, started.runId, {
    ...ending,
    mode,
    totals: run.totals,
    usage,
    finishedAtMs,
    alerts: memory,
    alert: alert !== null && channel !== null ? { channel, alert, label: connector.label } : null,
  });
  if (alert !== null && channel !== null) deps.onEnqueued?.();
  if (alert !== null && channel === null)
    ctx.log.warn(
      { connector: connector.name, alert: alert.event },
      'crm alert not posted: no ADMIN_CHANNEL or ALERTS_CHANNEL',
    );
  const rejected = await deps.store.rejections(started.runId, REJECTIONS_SHOWN);
  const fields = {
    connector: connector.name,
    run_id: started.runId,
    status: ending.status,
    seen: run.totals.seen,
    written: run.totals.written,
    rejected: rejected.total,
    calls: usage.spent,
    daily_max: usage.dailyMax,
    daily_remaining: usage.dailyRemaining,
    rate_limited: usage.rateLimited,
    elapsed_ms: finishedAtMs - run.startedAtMs,
    ...(ending.reason ? { reason: ending.reason } : {}),
  };
  if (ending.status === 'failed') ctx.log.warn({ ...fields, kind: ending.failure?.kind }, 'crm sync failed');
  else ctx.log.info(fields, 'crm sync finished');
  return {
    status: ending.status,
    connector: connector.name,
    runId: started.runId,
    streams: run.outcomes,
    usage,
    reason: ending.reason,
    failureKind: ending.failure?.kind ?? null,
    rejected,
    elapsedMs: finishedAtMs - run.startedAtMs,
  };
}
