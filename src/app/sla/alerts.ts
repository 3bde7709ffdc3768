import { type Incident, slaFigures } from '../../domain/incidents/incident.ts';
import {
  budgetLeft,
  headlineBurn,
  judgeBurn,
  judgeTicket,
  ratesOf,
  type SlaAlertPolicy,
  severityOfBurn,
  slaDedupeKey,
  slaTitle,
  TREND_HOURS,
  trendSpan,
  WEEK_MS,
} from '../../domain/sla/alerting.ts';
import { type BurnAction, DEFAULT_MIN_EVENTS, evaluateBurn, rulesForPeriod } from '../../domain/sla/burn.ts';
import type { SlaDefinition } from '../../domain/sla/definition.ts';
import { type SlaFigures, type SlaTrend, slaFactsOf } from '../../domain/sla/figures.ts';
import { DAY_MS, MINUTE_MS } from '../../shared/time.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { IncidentDeps } from '../incidents/deps.ts';
import { recordIncidentStep, scheduleAlert, scheduleChannel, schedulePage } from '../incidents/effects.ts';
import { incidentSnapshot, recordResolved, reopenResolved, updateOpen } from '../incidents/reconcile.ts';
import type { SlaAlertStore, SlaAlertTx, SlaSignals } from '../sla-alert-ports.ts';
import type { SlaDefinitions } from '../telemetry-ports.ts';

export interface SlaAlertDeps {
  slas: SlaDefinitions;
  signals: SlaSignals;
  store: SlaAlertStore;
  /** The incident machinery: clock, channel and paging policy, targets, the worker's nudge. */
  incident: IncidentDeps;
  policy: SlaAlertPolicy;
  /** A window with fewer events never fires (DOMAIN.md §7); default 10. */
  minEvents?: number;
}

export type SlaIncidentChange = 'none' | 'declared' | 'reopened' | 'updated' | 'resolved';

export interface SlaAlertOutcome {
  slaId: string;
  action: BurnAction | 'none';
  rule: string | null;
  burn: number;
  incident: SlaIncidentChange;
  incidentId: string | null;
  ticket: boolean;
}

/** Bronze errors cited when an incident opens or worsens, and how far back they are looked for. */
export const EVIDENCE_LIMIT = 5;
const EVIDENCE_LOOKBACK_MS = DAY_MS;

/**
 * The per-minute burn-rate evaluation (DOMAIN.md §7, issue 5): every SLA in force is judged by the
 * multiwindow, multi-burn-rate rules over its Silver minutes. A page opens or updates the SLA's incident
 * (one per SLA: dedupe key 'sla:<id>') through the same machinery as a revenue leak: channel, War Room,
 * pages, timeline, audit. A ticket posts once per episode to the alerts channel. An incident resolves
 * once no page rule has fired for the reset window. One SLA failing to evaluate does not stop the rest.
 */
export async function evaluateSlaAlerts(deps: SlaAlertDeps, ctx: Ctx): Promise<SlaAlertOutcome[]> {
  const nowMs = deps.incident.clock.now();
  const defs = await deps.slas.listActive(nowMs);
  const out: SlaAlertOutcome[] = [];
  let enqueued = false;
  for (const def of defs) {
    try {
      const o = await evaluateOne(deps, ctx, def, nowMs);
      if (o.incident !== 'none' || o.ticket) enqueued = true;
      if (o.action !== 'none' || o.incident !== 'none')
        ctx.log.info(
          {
            sla_id: o.slaId,
            action: o.action,
            rule: o.rule,
            burn: o.burn,
            incident: o.incident,
            incident_id: o.incidentId,
            ticket: o.ticket,
          },
          'sla burn evaluated',
        );
      out.push(o);
    } catch (err) {
      ctx.log.error({ err, sla_id: def.id }, 'sla burn evaluation failed');
    }
  }
  if (enqueued) deps.incident.onEnqueued?.();
  return out;
}

/** The windows the rules need, summed from the minutes: the last W/1 min minutes, the current one included. */
function windowsOf(
  minutes: readonly { minuteMs: number; total: number; bad: number }[],
  currentMinute: number,
) {
  return (windowMs: number) => {
    const from = currentMinute - windowMs + MINUTE_MS;
    let total = 0;
    let bad = 0;
    for (const m of minutes)
      if (m.minuteMs >= from) {
        total += m.total;
        bad += m.bad;
      }
    return { total, bad };
  };
}

async function trendOf(deps: SlaAlertDeps, def: SlaDefinition, nowMs: number): Promise<SlaTrend> {
  const { fromMs, toMs } = trendSpan(nowMs);
  const [current, weekBefore] = await Promise.all([
    deps.signals.hourSpan(def, fromMs, toMs),
    deps.signals.hourSpan(def, fromMs - WEEK_MS, toMs - WEEK_MS),
  ]);
  return { hours: TREND_HOURS, fromMs, current, weekBefore };
}

async function evaluateOne(
  deps: SlaAlertDeps,
  ctx: Ctx,
  def: SlaDefinition,
  nowMs: number,
): Promise<SlaAlertOutcome> {
  const rules = rulesForPeriod(def.windowDays);
  const longest = Math.max(...rules.map((r) => r.longMs));
  const currentMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const from = Math.min(currentMinute - longest + MINUTE_MS, today);
  const minutes = await deps.signals.minuteCounts(def, from, currentMinute + MINUTE_MS);
  const evaluation = evaluateBurn(windowsOf(minutes, currentMinute), def.target, {
    rules,
    minEvents: deps.minEvents ?? DEFAULT_MIN_EVENTS,
  });

  // Budget over the SLA's window: the complete days from Gold, today from the minutes.
  const gold = await deps.signals.goldTotals(def.id, today - (def.windowDays - 1) * DAY_MS, today);
  const todays = windowsOf(minutes, currentMinute)(currentMinute + MINUTE_MS - today);
  const budgetRemaining = budgetLeft(gold.total + todays.total, gold.bad + todays.bad, def.target);

  const action = evaluation.action;
  const trend = action === 'none' ? null : await trendOf(deps, def, nowMs);
  const figures: SlaFigures = {
    kind: 'sla',
    ...slaFactsOf(def),
    evaluatedAtMs: nowMs,
    action,
    rule: evaluation.rule?.name ?? null,
    burn: headlineBurn(evaluation),
    rates: ratesOf(evaluation),
    lastPageAtMs: action === 'page' ? nowMs : null,
    budgetRemaining,
    trend,
    evidence: [],
  };
  const burnSeverity = severityOfBurn(evaluation);
  const actor = actorLabel(ctx.actor);
  const key = slaDedupeKey(def.id);

  return deps.store.transaction(async (tx): Promise<SlaAlertOutcome> => {
    await tx.lockKey(key);
    const open = await tx.findOpen(key);
    const lastResolved = open ? null : await tx.findLastResolved(key);
    const shown = open ? slaFigures(open) : null;
    if (shown) {
      figures.lastPageAtMs ??= shown.lastPageAtMs;
      figures.trend ??= shown.trend;
      figures.evidence = shown.evidence;
    }
    // While open, severity only rises by itself (people may lower it; a lull does not).
    const severity =
      open === null
        ? burnSeverity.severity
        : action === 'page'
          ? (Math.min(open.severity, burnSeverity.severity) as Incident['severity'])
          : open.severity;
    const verdict = judgeBurn(open, lastResolved, figures, severity, deps.policy);
    const step = { tx, deps: deps.incident, actor, nowMs, def, figures };
    let change: { action: SlaIncidentChange; incident: Incident | null };
    switch (verdict.action) {
      case 'none':
        change = { action: 'none', incident: open };
        break;
      case 'declare':
        change = await declare(step, severity);
        break;
      case 'reopen':
        change = await reopen(step, verdict.incidentId, severity);
        break;
      case 'update':
        change = await update(step, open!, severity, verdict.severityFrom);
        break;
      case 'resolve':
        change = await resolve(step, open!);
        break;
    }
    const incidentOpen = change.incident !== null && change.incident.state !== 'resolved';
    const state = await tx.alertState(def.id);
    // Without an alerts channel a ticket has nowhere to go: none is posted, none is recorded.
    const judged = judgeTicket(state, action, incidentOpen, nowMs, deps.policy);
    const canPost = deps.incident.targets.alertsChannel !== null;
    const ticket = canPost
      ? judged
      : { post: false, next: { ...judged.next, lastTicketAtMs: state?.lastTicketAtMs ?? null } };
    if (ticket.post) {
      await tx.enqueue({
        kind: 'sla.ticket',
        key: `sla-ticket:${def.id}:${nowMs}`,
        incidentId: null,
        payload: { figures },
      });
      await tx.audit({
        actor,
        action: 'sla.ticket_posted',
        targetType: 'sla',
        targetId: def.id,
        before: null,
        after: { rule: figures.rule, burn: figures.burn, rates: figures.rates },
        atMs: nowMs,
      });
    }
    await tx.saveAlertState({
      slaId: def.id,
      ...ticket.next,
      evaluatedAtMs: nowMs,
      action,
      burn: figures.burn,
    });
    return {
      slaId: def.id,
      action,
      rule: figures.rule,
      burn: figures.burn,
      incident: change.action,
      incidentId: change.incident?.id ?? null,
      ticket: ticket.post,
    };
  });
}

interface Step {
  tx: SlaAlertTx;
  deps: IncidentDeps;
  actor: string;
  nowMs: number;
  def: SlaDefinition;
  figures: SlaFigures;
}

type Change = { action: SlaIncidentChange; incident: Incident | null };

/** Cites the latest Bronze errors and stores them in the figures: on declare, reopen and worsening. */
async function withEvidence(s: Step, incidentId: string): Promise<SlaFigures> {
  const evidence = await s.tx.linkEvidence(incidentId, s.def, s.nowMs - EVIDENCE_LOOKBACK_MS, EVIDENCE_LIMIT);
  return { ...s.figures, evidence: evidence.length > 0 ? evidence : s.figures.evidence };
}

const pagingOf = (a: SlaFigures['action']): Incident['paging'] =>
  a === 'page' ? 'PAGE' : a === 'ticket' ? 'WARN' : 'OK';

async function declare(s: Step, severity: Incident['severity']): Promise<Change> {
  const { tx, deps, actor, nowMs, def } = s;
  const inserted = await tx.insert({
    dedupeKey: slaDedupeKey(def.id),
    title: slaTitle(def),
    severity,
    paging: 'PAGE',
    openedAtMs: nowMs,
    commander: deps.targets.commander,
    figures: s.figures,
    nextPageAtMs: null,
  });
  if (inserted === null) return { action: 'none', incident: await tx.findOpen(slaDedupeKey(def.id)) };
  const figures = await withEvidence(s, inserted.id);
  const withFigures = (await tx.update(inserted.id, 'detected', { figures })) ?? inserted;
  await recordIncidentStep(tx, {
    incidentId: inserted.id,
    kind: 'DETECTED',
    action: 'incident.declared',
    actor,
    atMs: nowMs,
    data: {
      ...incidentSnapshot(withFigures),
      evidence: figures.evidence.length,
      budget_remaining: figures.budgetRemaining,
    },
    before: null,
    after: incidentSnapshot(withFigures),
  });
  const hasChannel = await scheduleChannel(tx, deps, withFigures);
  if (!hasChannel) await scheduleAlert(tx, deps, withFigures, 'declared', nowMs);
  return { action: 'declared', incident: await schedulePage(tx, deps, withFigures, 0, actor, nowMs) };
}

async function reopen(s: Step, id: string, severity: Incident['severity']): Promise<Change> {
  const figures = await withEvidence(s, id);
  return reopenResolved(s.tx, s.deps, s.actor, s.nowMs, id, { severity, paging: 'PAGE', figures });
}

async function update(
  s: Step,
  open: Incident,
  severity: Incident['severity'],
  severityFrom: Incident['severity'] | null,
): Promise<Change> {
  const figures = severityFrom !== null ? await withEvidence(s, open.id) : s.figures;
  const next = { severity, paging: pagingOf(s.figures.action), figures };
  return updateOpen(s.tx, s.deps, s.actor, s.nowMs, open, next, severityFrom, {
    data: { rule: figures.rule, burn: figures.burn },
    // The burn came back while the incident waited out its reset, and nobody has acknowledged it: page
    // again. Once acknowledged, people are on it: only a worse severity pages them.
    repage: (_from, to) => to === 'PAGE' && open.state === 'detected',
  });
}

async function resolve(s: Step, open: Incident): Promise<Change> {
  const { tx, deps, actor, nowMs } = s;
  const resolved = await tx.update(open.id, open.state, {
    state: 'resolved',
    paging: 'OK',
    figures: s.figures,
    resolvedAtMs: nowMs,
    resolvedBy: actor,
    nextPageAtMs: null,
  });
  if (resolved === null) return { action: 'none', incident: open };
  const minutes = Math.round((nowMs - (s.figures.lastPageAtMs ?? open.openedAtMs)) / MINUTE_MS);
  await recordResolved(
    tx,
    deps,
    actor,
    nowMs,
    open,
    resolved,
    `no page rule has fired for ${minutes} minutes`,
  );
  return { action: 'resolved', incident: resolved };
}
