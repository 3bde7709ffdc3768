import {
  figuresOf,
  type Incident,
  type IncidentFigures,
  judgeScan,
  nextPageAt,
  REVENUE_DEDUPE_KEY,
  revenueTitle,
  worsened,
} from '../../domain/incidents/incident.ts';
import type { ScanSummary } from '../../domain/scan/summarize.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { IncidentTx } from '../incident-ports.ts';
import { runScan, type ScanDeps, type ScanOutcome } from '../scan.ts';
import type { IncidentDeps } from './deps.ts';
import {
  recordIncidentStep,
  scheduleAlert,
  scheduleChannel,
  schedulePage,
  scheduleSettlePages,
  scheduleSync,
} from './effects.ts';

export type IncidentChange =
  | { action: 'none'; incident: Incident | null }
  | { action: 'declared' | 'reopened' | 'updated' | 'resolved'; incident: Incident };

export interface IncidentScanOutcome extends ScanOutcome {
  incident: IncidentChange;
}

/**
 * The scan every entry point runs (`/leak scan`, Rescan, the schedule): scan, then let the result drive
 * the incident. A backfill (an older as-of) changes findings nothing, so it changes no incident either; its
 * outcome names the incident open now, so no surface reads "no incident" while one is open.
 */
export async function runIncidentScan(
  scanDeps: ScanDeps,
  deps: IncidentDeps,
  ctx: Ctx,
  opts: { asOfMs?: number } = {},
): Promise<IncidentScanOutcome> {
  const outcome = await runScan(scanDeps, ctx, opts);
  const incident: IncidentChange = outcome.delta.reconciled
    ? await applyScan(deps, ctx, outcome.scanId, outcome.summary)
    : { action: 'none', incident: await openRevenueIncident(deps) };
  return { ...outcome, incident };
}

const openRevenueIncident = async (deps: IncidentDeps): Promise<Incident | null> =>
  (await deps.store.listOpen()).find((i) => i.dedupeKey === REVENUE_DEDUPE_KEY) ?? null;

/**
 * One transaction per scan: under the dedupe key's lock, decide (judgeScan) and write the incident, its
 * timeline, its audit rows and the Slack deliveries together. Two scans at once serialize on the lock;
 * the partial unique index would refuse a second open incident even without it.
 */
export async function applyScan(
  deps: IncidentDeps,
  ctx: Ctx,
  scanId: string,
  summary: ScanSummary,
): Promise<IncidentChange> {
  const actor = actorLabel(ctx.actor);
  const change = await deps.store.transaction(async (tx): Promise<IncidentChange> => {
    const now = deps.clock.now();
    await tx.lockKey(REVENUE_DEDUPE_KEY);
    const open = await tx.findOpen(REVENUE_DEDUPE_KEY);
    const lastResolved = open ? null : await tx.findLastResolved(REVENUE_DEDUPE_KEY);
    const figures = figuresOf(scanId, summary);
    const verdict = judgeScan(open, lastResolved, figures, deps.policy, now);
    switch (verdict.action) {
      case 'none':
        return { action: 'none', incident: open };
      case 'declare':
        return declare(tx, deps, actor, now, figures);
      case 'reopen':
        return reopen(tx, deps, actor, now, verdict.incidentId, figures);
      case 'update':
        return update(tx, deps, actor, now, open!, figures, verdict.severityFrom);
      case 'resolve':
        return resolveByScan(tx, deps, actor, now, open!, figures);
    }
  });
  if (change.action !== 'none') {
    ctx.log.info(
      { incident_id: change.incident.id, action: change.action, severity: change.incident.severity },
      'incident reconciled with scan',
    );
    deps.onEnqueued?.();
  }
  return change;
}

/** What an audit row records of an incident: its state and the figures of its kind. */
const snapshot = (i: Incident) => {
  const base = { state: i.state, severity: i.severity, paging: i.paging };
  const f = i.figures;
  if (f.kind === 'sla') return { ...base, sla_id: f.slaId, action: f.action, rule: f.rule, burn: f.burn };
  return { ...base, at_risk_cents: f.atRiskCents, burn: f.burn, open_issues: f.openIssues };
};

/** What a resolve's timeline entry says of the figures it resolved with. */
const resolvedData = (f: Incident['figures']) =>
  f.kind === 'sla'
    ? { sla_id: f.slaId, last_page_at: f.lastPageAtMs, burn: f.burn }
    : { open_issues: f.openIssues, at_risk_cents: f.atRiskCents };

async function declare(
  tx: IncidentTx,
  deps: IncidentDeps,
  actor: string,
  now: number,
  figures: IncidentFigures,
): Promise<IncidentChange> {
  const inserted = await tx.insert({
    dedupeKey: REVENUE_DEDUPE_KEY,
    title: revenueTitle(figures),
    severity: figures.severity,
    paging: figures.paging,
    openedAtMs: now,
    commander: deps.targets.commander,
    figures,
    nextPageAtMs: null,
  });
  // Only reachable without the key lock (another writer's declare won): theirs is the incident.
  if (inserted === null) return { action: 'none', incident: await tx.findOpen(REVENUE_DEDUPE_KEY) };
  await recordIncidentStep(tx, {
    incidentId: inserted.id,
    kind: 'DETECTED',
    action: 'incident.declared',
    actor,
    atMs: now,
    data: { ...snapshot(inserted), scan_id: figures.scanId },
    before: null,
    after: snapshot(inserted),
  });
  const hasChannel = await scheduleChannel(tx, deps, inserted);
  if (!hasChannel) await scheduleAlert(tx, deps, inserted, 'declared', now);
  const paged = await schedulePage(tx, deps, inserted, 0, actor, now);
  return { action: 'declared', incident: paged };
}

async function reopen(
  tx: IncidentTx,
  deps: IncidentDeps,
  actor: string,
  now: number,
  id: string,
  figures: IncidentFigures,
): Promise<IncidentChange> {
  const { severity, paging } = figures;
  return reopenResolved(tx, deps, actor, now, id, { severity, paging, figures }, { scan_id: figures.scanId });
}

/**
 * A resolved incident comes back (a revenue leak within the reopen window, an SLA paging again): detected
 * with fresh figures and no acknowledgement, on the timeline and in the audit log, its channel and War Room
 * brought back, announced, and paged from the first repeat.
 */
export async function reopenResolved(
  tx: IncidentTx,
  deps: IncidentDeps,
  actor: string,
  now: number,
  id: string,
  next: Pick<Incident, 'severity' | 'paging' | 'figures'>,
  data: Record<string, unknown> = {},
): Promise<IncidentChange> {
  const before = await tx.get(id);
  const reopened = await tx.update(id, 'resolved', {
    state: 'detected',
    ...next,
    resolvedAtMs: null,
    resolvedBy: null,
    acknowledgedAtMs: null,
    acknowledgedBy: null,
    pagesSent: 0,
    nextPageAtMs: null,
  });
  if (reopened === null || before === null) return { action: 'none', incident: before };
  await recordIncidentStep(tx, {
    incidentId: id,
    kind: 'REOPENED',
    action: 'incident.reopened',
    actor,
    atMs: now,
    data: { ...snapshot(reopened), ...data },
    before: snapshot(before),
    after: snapshot(reopened),
  });
  const hasChannel = await scheduleChannel(tx, deps, reopened);
  await scheduleSync(tx, reopened);
  if (!hasChannel || reopened.channelId !== null) await scheduleAlert(tx, deps, reopened, 'reopened', now);
  const paged = await schedulePage(tx, deps, reopened, 0, actor, now);
  return { action: 'reopened', incident: paged };
}

async function update(
  tx: IncidentTx,
  deps: IncidentDeps,
  actor: string,
  now: number,
  open: Incident,
  figures: IncidentFigures,
  severityFrom: Incident['severity'] | null,
): Promise<IncidentChange> {
  const { severity, paging } = figures;
  return updateOpen(tx, deps, actor, now, open, { severity, paging, figures }, severityFrom, {
    data: { scan_id: figures.scanId, burn: figures.burn },
    // A leak that was OK and now warns or pages is paged again.
    repage: (from, to) => from === 'OK' && to !== 'OK',
  });
}

/**
 * An open incident takes new figures (a scan, an SLA evaluation). A severity change is recorded, brings
 * a channel when it crosses the threshold (or an alert when it does not), and pages when it worsened; a
 * paging change without one pages when `repage(from, to)` says so. A PAGE that falls to WARN or OK stops
 * repeating. The War Room is synced either way.
 */
export async function updateOpen(
  tx: IncidentTx,
  deps: IncidentDeps,
  actor: string,
  now: number,
  open: Incident,
  next: Pick<Incident, 'severity' | 'paging' | 'figures'>,
  severityFrom: Incident['severity'] | null,
  how: {
    data: Record<string, unknown>;
    repage: (from: Incident['paging'], to: Incident['paging']) => boolean;
  },
): Promise<IncidentChange> {
  const pagingChanged = next.paging !== open.paging;
  const updated = await tx.update(open.id, open.state, {
    ...next,
    ...(pagingChanged ? { nextPageAtMs: nextPageAt(open.state, next.paging, now, deps.policy) } : {}),
  });
  if (updated === null) return { action: 'none', incident: open };
  let result = updated;
  if (severityFrom !== null) {
    await recordIncidentStep(tx, {
      incidentId: open.id,
      kind: 'SEVERITY_CHANGED',
      action: 'incident.severity_changed',
      actor,
      atMs: now,
      data: { from: severityFrom, to: next.severity, ...how.data },
      before: snapshot(open),
      after: snapshot(updated),
    });
    const hasChannel = await scheduleChannel(tx, deps, updated);
    if (!hasChannel) await scheduleAlert(tx, deps, updated, 'severity_changed', now);
    if (worsened(severityFrom, next.severity)) result = await schedulePage(tx, deps, updated, 0, actor, now);
  } else if (pagingChanged && how.repage(open.paging, next.paging)) {
    result = await schedulePage(tx, deps, updated, 0, actor, now);
  }
  await scheduleSync(tx, result);
  return { action: 'updated', incident: result };
}

async function resolveByScan(
  tx: IncidentTx,
  deps: IncidentDeps,
  actor: string,
  now: number,
  open: Incident,
  figures: IncidentFigures,
): Promise<IncidentChange> {
  const resolved = await tx.update(open.id, open.state, {
    state: 'resolved',
    severity: figures.severity,
    paging: figures.paging,
    figures,
    resolvedAtMs: now,
    resolvedBy: actor,
    nextPageAtMs: null,
  });
  if (resolved === null) return { action: 'none', incident: open };
  await recordResolved(tx, deps, actor, now, open, resolved, 'a scan found no open revenue leak');
  return { action: 'resolved', incident: resolved };
}

/** Timeline, audit and notices of a resolve, shared by the scan and the Resolve button. */
export async function recordResolved(
  tx: IncidentTx,
  deps: IncidentDeps,
  actor: string,
  now: number,
  before: Incident,
  after: Incident,
  reason: string,
): Promise<void> {
  await recordIncidentStep(tx, {
    incidentId: after.id,
    kind: 'RESOLVED',
    action: 'incident.resolved',
    actor,
    atMs: now,
    data: { reason, ...resolvedData(after.figures) },
    before: snapshot(before),
    after: { ...snapshot(after), reason },
  });
  await scheduleSync(tx, after);
  await scheduleSettlePages(tx, after);
  await scheduleAlert(tx, deps, after, 'resolved', now);
}

export { snapshot as incidentSnapshot };
