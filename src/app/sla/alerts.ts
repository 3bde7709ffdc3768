import { assessBurn, type BurnAssessment, slaResolveReason } from '../../domain/incidents/sla-burn.ts';
import {
  type SlaAlertPolicy,
  slaDedupeKey,
  slaTitle,
  TREND_HOURS,
  trendSpan,
  WEEK_MS,
} from '../../domain/sla/alerting.ts';
import { type BurnAction, DEFAULT_MIN_EVENTS } from '../../domain/sla/burn.ts';
import type { SlaDefinition } from '../../domain/sla/definition.ts';
import type { SlaFigures, SlaTrend } from '../../domain/sla/figures.ts';
import { type BurnReading, burnSpan, readBurn } from '../../domain/sla/reading.ts';
import { DAY_MS } from '../../shared/time.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { IncidentDeps } from '../incidents/deps.ts';
import { applyVerdict, type IncidentChange, type IncidentReading } from '../incidents/transitions.ts';
import { enqueue } from '../outbox/enqueue.ts';
import type { SlaDefinitions } from '../telemetry/ports.ts';
import type { SlaAlertStore, SlaAlertTx, SlaSignals } from './alert-ports.ts';

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

export type SlaIncidentChange = IncidentChange['action'];

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
 * pages, timeline, audit, and an announcement in each page notification target of its OpenSLO alert
 * policies. A ticket posts once per episode to its ticket notification targets, else the alerts channel.
 * An incident resolves once no page rule has fired for the reset window. One SLA failing to evaluate does
 * not stop the rest.
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

async function trendOf(deps: SlaAlertDeps, def: SlaDefinition, nowMs: number): Promise<SlaTrend> {
  const { fromMs, toMs } = trendSpan(nowMs);
  const [current, weekBefore] = await Promise.all([
    deps.signals.hourSpan(def, fromMs, toMs),
    deps.signals.hourSpan(def, fromMs - WEEK_MS, toMs - WEEK_MS),
  ]);
  return { hours: TREND_HOURS, fromMs, current, weekBefore };
}

/** The reads before the lock: Silver minutes, Gold days, and the trend when a rule fired. */
async function gather(
  deps: SlaAlertDeps,
  def: SlaDefinition,
  nowMs: number,
): Promise<{ reading: BurnReading; trend: SlaTrend | null }> {
  const span = burnSpan(def, nowMs);
  const minutes = await deps.signals.minuteCounts(def, span.fromMs, span.toMs);
  const gold = await deps.signals.goldTotals(def.id, span.goldFromMs, span.todayMs);
  const reading = readBurn(def, span, minutes, gold, deps.minEvents ?? DEFAULT_MIN_EVENTS);
  const trend = reading.evaluation.action === 'none' ? null : await trendOf(deps, def, nowMs);
  return { reading, trend };
}

/**
 * One SLA: gather the inputs, then under the SLA's key lock read its incident and ticket state, assess
 * (pure, domain/incidents/sla-burn.ts), and apply: the incident through the shared transitions, the ticket and the
 * evaluator's state here.
 */
async function evaluateOne(
  deps: SlaAlertDeps,
  ctx: Ctx,
  def: SlaDefinition,
  nowMs: number,
): Promise<SlaAlertOutcome> {
  const { reading, trend } = await gather(deps, def, nowMs);
  const actor = actorLabel(ctx.actor);
  const key = slaDedupeKey(def.id);
  return deps.store.transaction(async (tx): Promise<SlaAlertOutcome> => {
    await tx.lockKey(key);
    const open = await tx.findOpen(key);
    const lastResolved = open ? null : await tx.findLastResolved(key);
    const alertState = await tx.alertState(def.id);
    const a = assessBurn({
      def,
      nowMs,
      reading,
      trend,
      open,
      lastResolved,
      alertState,
      policy: deps.policy,
      canPostTicket:
        deps.incident.targets.alertsChannel !== null ||
        targetsOf(def, 'ticket', reading.evaluation.rule?.name ?? null).length > 0,
    });
    const step = { tx, deps: deps.incident, actor, now: nowMs };
    const change = await applyVerdict(step, a.verdict, open, slaReading(tx, def, nowMs, a));
    await announceInTargets(tx, def, change, a.figures.rule);
    const { figures, ticket } = a;
    if (ticket.post) {
      const channels = targetsOf(def, 'ticket', figures.rule);
      const payload = channels.length > 0 ? { figures, channels: [...channels] } : { figures };
      await enqueue(tx, 'sla.ticket', payload, `sla-ticket:${def.id}:${nowMs}`);
      await tx.audit({
        actor,
        action: 'sla.ticket_posted',
        targetType: 'sla',
        targetId: def.id,
        before: null,
        after: {
          rule: figures.rule,
          burn: figures.burn,
          rates: figures.rates,
          channels: channels.length > 0 ? channels : [deps.incident.targets.alertsChannel],
        },
        atMs: nowMs,
      });
    }
    const action = figures.action;
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

/**
 * The channels a page or ticket of `rule` goes to: the notification targets of the alert policy whose
 * condition the rule is (empty: the alerts channel only). A definition stored before rules were routed
 * one by one (no `byRule`) sends to the targets of every policy with a condition of that action.
 */
const targetsOf = (def: SlaDefinition, action: 'page' | 'ticket', rule: string | null): readonly string[] => {
  const notify = def.notify;
  if (!notify) return [];
  if (!notify.byRule) return notify[action];
  return rule === null ? [] : (notify.byRule[rule] ?? []);
};

/**
 * A page declares (or reopens) the SLA's incident: it is announced once in each notification target of
 * the policy whose rule paged, besides the alerts channel (deliver-notify.ts). The key is the incident and the channel, so a reopen
 * re-arms the delivered job, which then posts nothing: a target hears of an incident once.
 */
async function announceInTargets(
  tx: SlaAlertTx,
  def: SlaDefinition,
  change: IncidentChange,
  rule: string | null,
): Promise<void> {
  if (change.action !== 'declared' && change.action !== 'reopened') return;
  const { id } = change.incident;
  for (const channel of targetsOf(def, 'page', rule))
    await enqueue(tx, 'sla.announce', { channel }, `sla-announce:${id}:${channel}`, id);
}

/**
 * An assessment as the incident transitions take it. While open, an SLA incident keeps its severity on a
 * resolve (only paging falls to OK), and cites the latest Bronze errors on declare, reopen and a severity
 * change.
 */
function slaReading(
  tx: SlaAlertTx,
  def: SlaDefinition,
  nowMs: number,
  a: BurnAssessment,
): IncidentReading<SlaFigures> {
  const { figures, severity, paging } = a;
  return {
    dedupeKey: slaDedupeKey(def.id),
    title: slaTitle(def),
    next: { severity, paging, figures },
    repage: 'page_while_unacknowledged',
    resolve: { next: { paging: 'OK', figures }, reason: (open) => slaResolveReason(figures, open) },
    data: {
      declared: (f) => ({ evidence: f.evidence.length, budget_remaining: f.budgetRemaining }),
      reopened: {},
      updated: { rule: figures.rule, burn: figures.burn },
    },
    cite: async (incidentId) => {
      const since = nowMs - EVIDENCE_LOOKBACK_MS;
      const evidence = await tx.linkEvidence(incidentId, def, since, EVIDENCE_LIMIT);
      return { ...figures, evidence: evidence.length > 0 ? evidence : figures.evidence };
    },
  };
}
