import type { IncidentSeverity } from '../../domain/budget/budget.ts';
import type { CommerceFigures } from '../../domain/commerce/figures.ts';
import type { Incident, IncidentVerdict } from '../../domain/incidents/incident.ts';
import { planUpdate, type RepageRule } from '../../domain/incidents/update-rules.ts';
import type { RevopsLeakFigures } from '../../domain/revops/leak.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { IncidentDeps } from './deps.ts';
import {
  recordIncidentStep,
  scheduleAlert,
  scheduleChannel,
  schedulePage,
  scheduleSettlePages,
  scheduleSync,
} from './effects.ts';
import type { IncidentTx } from './ports.ts';

/**
 * The incident transitions every source uses (the revenue scan, SLA burns, the commerce and pipeline
 * watches): declare, reopen, update and resolve the incident of a dedupe key, each with its timeline entry, audit row and Slack
 * deliveries in the caller's transaction. A new source judges its own verdict (domain), describes what it
 * measured as an `IncidentReading`, and calls `applyVerdict` under its key's lock; it copies nothing here.
 */

export type IncidentChange =
  | { action: 'none'; incident: Incident | null }
  | { action: 'declared' | 'reopened' | 'updated' | 'resolved'; incident: Incident };

type Figures = Incident['figures'];
type Next<F extends Figures> = Pick<Incident, 'severity' | 'paging'> & { figures: F };

/** What one source measured for its dedupe key (figures of its kind F), and how its transitions are worded. */
export interface IncidentReading<F extends Figures = Figures> {
  dedupeKey: string;
  /** The title of a newly declared incident. */
  title: string;
  /** Severity, paging and figures for declare, reopen and update. */
  next: Next<F>;
  /** When a paging change without a severity change pages again. */
  repage: RepageRule;
  /** What a resolve stores (a source may keep the severity it had) and the reason on the timeline. */
  resolve: { next: Partial<Next<F>>; reason: (open: Incident) => string };
  /** Source-specific timeline data, written beside the incident's snapshot. */
  data: {
    declared: (figures: F) => Record<string, unknown>;
    reopened: Record<string, unknown>;
    updated: Record<string, unknown>;
  };
  /**
   * For sources that cite evidence rows by incident id (SLA burns cite Bronze errors): called on declare
   * (after the insert, when the id exists), reopen and a severity change; returns the figures to store.
   */
  cite?: (incidentId: string) => Promise<F>;
}

/** One change in progress: its transaction, the machinery, who makes it and when. */
export interface Step {
  tx: IncidentTx;
  deps: IncidentDeps;
  actor: string;
  now: number;
}

/** Runs an incident change in one transaction; `now` is read inside it, after the transaction began. */
export function inIncidentTx<T>(deps: IncidentDeps, ctx: Ctx, fn: (s: Step) => Promise<T>): Promise<T> {
  const actor = actorLabel(ctx.actor);
  return deps.store.transaction((tx) => fn({ tx, deps, actor, now: deps.clock.now() }));
}

/** What an audit row records of an incident: its state and the figures of its kind. */
export const incidentSnapshot = (i: Incident) => {
  const base = { state: i.state, severity: i.severity, paging: i.paging };
  const f = i.figures;
  if (f.kind === 'sla') return { ...base, sla_id: f.slaId, action: f.action, rule: f.rule, burn: f.burn };
  if (f.kind === 'commerce') return { ...base, ...commerceSnapshot(f) };
  if (f.kind === 'revops') return { ...base, ...revopsSnapshot(f) };
  return { ...base, at_risk_cents: f.atRiskCents, burn: f.burn, open_issues: f.openIssues };
};

/** What a resolve's timeline entry says of the figures it resolved with. */
const resolvedData = (f: Figures) => {
  if (f.kind === 'sla') return { sla_id: f.slaId, last_page_at: f.lastPageAtMs, burn: f.burn };
  if (f.kind === 'commerce') return commerceSnapshot(f);
  if (f.kind === 'revops') return revopsSnapshot(f);
  return { open_issues: f.openIssues, at_risk_cents: f.atRiskCents };
};

/** A commerce signal's numbers as the audit log and the timeline keep them. */
const commerceSnapshot = (f: CommerceFigures) => ({
  signal: f.signal,
  source: f.source,
  currency: f.currency,
  ...(f.dip
    ? {
        comparison: f.dip.comparison,
        today_cents: f.dip.todayCents,
        baseline_cents: f.dip.weekdayBaselineCents,
        yesterday_same_time_cents: f.dip.yesterdaySameTimeCents,
        drop: f.dip.drop,
      }
    : {}),
  ...(f.noSignal ? { silent_ms: f.noSignal.silentMs, limit_ms: f.noSignal.limitMs } : {}),
});

/** A stuck pipeline's numbers as the audit log and the timeline keep them. */
const revopsSnapshot = (f: RevopsLeakFigures) => ({
  insight: f.reason,
  stuck_deals: f.stuckDeals,
  stuck_cents: f.stuckCents,
  leak_budget_cents: f.leakBudgetCents,
  budget_multiple: f.budgetMultiple,
});

/**
 * Applies a verdict to the incident of the reading's dedupe key. The caller holds the key's lock and read
 * `open` under it; the verdict's incident ids are `open`'s or the last resolved one's.
 */
export async function applyVerdict<F extends Figures>(
  s: Step,
  verdict: IncidentVerdict,
  open: Incident | null,
  reading: IncidentReading<F>,
): Promise<IncidentChange> {
  switch (verdict.action) {
    case 'none':
      return { action: 'none', incident: open };
    case 'declare':
      return declare(s, reading);
    case 'reopen':
      return reopen(s, verdict.incidentId, reading);
    case 'update':
      return update(s, open!, verdict.severityFrom, reading);
    case 'resolve':
      return resolve(s, open!, reading);
  }
}

async function declare<F extends Figures>(s: Step, r: IncidentReading<F>): Promise<IncidentChange> {
  const { tx, deps, actor, now } = s;
  const inserted = await tx.insert({
    dedupeKey: r.dedupeKey,
    title: r.title,
    ...r.next,
    openedAtMs: now,
    commander: deps.targets.commander,
    nextPageAtMs: null,
  });
  // Only reachable without the key lock (another writer's declare won): theirs is the incident.
  if (inserted === null) return { action: 'none', incident: await tx.findOpen(r.dedupeKey) };
  const figures = r.cite ? await r.cite(inserted.id) : r.next.figures;
  const incident = r.cite ? ((await tx.update(inserted.id, 'detected', { figures })) ?? inserted) : inserted;
  await recordIncidentStep(tx, {
    incidentId: incident.id,
    kind: 'DETECTED',
    action: 'incident.declared',
    actor,
    atMs: now,
    data: { ...incidentSnapshot(incident), ...r.data.declared(figures) },
    before: null,
    after: incidentSnapshot(incident),
  });
  return { action: 'declared', incident: await announce(s, incident, 'declared') };
}

/**
 * A channel (at or above the threshold, or one it already has) else an alert, then a page from the first
 * repeat. A reopened incident that has its channel back is announced as well.
 */
async function announce(s: Step, i: Incident, event: 'declared' | 'reopened'): Promise<Incident> {
  const hasChannel = await scheduleChannel(s.tx, s.deps, i);
  if (event === 'reopened') await scheduleSync(s.tx, i);
  if (!hasChannel || (event === 'reopened' && i.channelId !== null))
    await scheduleAlert(s.tx, s.deps, i, event, s.now);
  return schedulePage(s.tx, s.deps, i, 0, s.actor, s.now);
}

/**
 * A resolved incident comes back (a revenue leak within the reopen window, an SLA paging again): detected
 * with fresh figures and no acknowledgement, on the timeline and in the audit log, its channel and War Room
 * brought back, announced, and paged from the first repeat.
 */
async function reopen<F extends Figures>(
  s: Step,
  id: string,
  r: IncidentReading<F>,
): Promise<IncidentChange> {
  const { tx, actor, now } = s;
  const next = r.cite ? { ...r.next, figures: await r.cite(id) } : r.next;
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
    data: { ...incidentSnapshot(reopened), ...r.data.reopened },
    before: incidentSnapshot(before),
    after: incidentSnapshot(reopened),
  });
  return { action: 'reopened', incident: await announce(s, reopened, 'reopened') };
}

/**
 * An open incident takes new figures. What else happens is the domain's plan (planUpdate): a severity
 * change is recorded and brings a channel (or an alert below the threshold); a page goes out when the plan
 * says so; a PAGE that falls to WARN or OK stops repeating. The War Room is synced either way.
 */
async function update<F extends Figures>(
  s: Step,
  open: Incident,
  severityFrom: IncidentSeverity | null,
  r: IncidentReading<F>,
): Promise<IncidentChange> {
  const { tx, deps, actor, now } = s;
  const next = r.cite && severityFrom !== null ? { ...r.next, figures: await r.cite(open.id) } : r.next;
  const plan = planUpdate(open, next, severityFrom, r.repage, deps.policy, now);
  const repeat = plan.nextPageAtMs === undefined ? {} : { nextPageAtMs: plan.nextPageAtMs };
  const updated = await tx.update(open.id, open.state, { ...next, ...repeat });
  if (updated === null) return { action: 'none', incident: open };
  if (plan.severityChanged) {
    await recordIncidentStep(tx, {
      incidentId: open.id,
      kind: 'SEVERITY_CHANGED',
      action: 'incident.severity_changed',
      actor,
      atMs: now,
      data: { from: severityFrom, to: next.severity, ...r.data.updated },
      before: incidentSnapshot(open),
      after: incidentSnapshot(updated),
    });
    const hasChannel = await scheduleChannel(tx, deps, updated);
    if (!hasChannel) await scheduleAlert(tx, deps, updated, 'severity_changed', now);
  }
  const result = plan.page ? await schedulePage(tx, deps, updated, 0, actor, now) : updated;
  await scheduleSync(tx, result);
  return { action: 'updated', incident: result };
}

async function resolve<F extends Figures>(
  s: Step,
  open: Incident,
  r: IncidentReading<F>,
): Promise<IncidentChange> {
  const resolved = await s.tx.update(open.id, open.state, {
    state: 'resolved',
    ...r.resolve.next,
    resolvedAtMs: s.now,
    resolvedBy: s.actor,
    nextPageAtMs: null,
  });
  if (resolved === null) return { action: 'none', incident: open };
  await recordResolved(s, open, resolved, r.resolve.reason(open));
  return { action: 'resolved', incident: resolved };
}

/** Timeline, audit and notices of a resolve, shared by every source and the Resolve button. */
export async function recordResolved(
  s: Step,
  before: Incident,
  after: Incident,
  reason: string,
): Promise<void> {
  await recordIncidentStep(s.tx, {
    incidentId: after.id,
    kind: 'RESOLVED',
    action: 'incident.resolved',
    actor: s.actor,
    atMs: s.now,
    data: { reason, ...resolvedData(after.figures) },
    before: incidentSnapshot(before),
    after: { ...incidentSnapshot(after), reason },
  });
  await scheduleSync(s.tx, after);
  await scheduleSettlePages(s.tx, after);
  await scheduleAlert(s.tx, s.deps, after, 'resolved', s.now);
}
