import { addDays, localDay } from '../../domain/commerce/days.ts';
import { assessDip } from '../../domain/commerce/dip.ts';
import { dailyNet, slopeCentsPerDay } from '../../domain/commerce/dnr.ts';
import {
  type CommerceFigures,
  type CommerceSignal,
  commerceDedupeKey,
  type DipFigures,
  type NoSignalFigures,
} from '../../domain/commerce/figures.ts';
import {
  commerceResolveReason,
  commerceTitle,
  dipFiring,
  judgeSignal,
  noSignalFiring,
  type SignalFiring,
} from '../../domain/commerce/judge.ts';
import type { NetBucket } from '../../domain/commerce/ledger.ts';
import { assessNoSignal, learnLimit } from '../../domain/commerce/no-signal.ts';
import { DAY_MS } from '../../shared/time.ts';
import type { Ctx } from '../context.ts';
import type { IncidentDeps } from '../incidents/deps.ts';
import {
  applyVerdict,
  type IncidentChange,
  type IncidentReading,
  inIncidentTx,
} from '../incidents/transitions.ts';
import type { LedgerStore, WebhookStore } from './ports.ts';

/**
 * The revenue watch (issue 12), every few minutes: for every source and currency, is today's net revenue
 * far below normal (REVENUE_DIP, dip.ts), and for every source, has it gone quiet (NO_SIGNAL, no-signal.ts)?
 * Each reading drives the incident of its dedupe key through the shared transitions (a third incident
 * source beside the revenue scan and SLA burns): channel, War Room, pages, timeline and audit come with it,
 * and the incident resolves when the signal recovers. One reading failing does not stop the others.
 */
export interface WatchDeps {
  ledger: LedgerStore;
  deliveries: WebhookStore;
  incident: IncidentDeps;
  settings: { timezone: string; dipThreshold: number; dipMinCents: number };
}

export interface WatchOutcome {
  signal: CommerceSignal;
  source: string;
  currency: string;
  firing: boolean;
  incident: IncidentChange['action'];
  incidentId: string | null;
}

/** Four weeks back and today for the weekday baseline, and the 28-day window of the learned gap. */
const HISTORY_MS = 30 * DAY_MS;
const EVIDENCE_DELIVERIES = 5;

interface Reading {
  figures: CommerceFigures;
  firing: SignalFiring | null;
  /** Too early in the day to tell: an open incident is left as it is. */
  hold: boolean;
}

export async function watchRevenue(deps: WatchDeps, ctx: Ctx): Promise<WatchOutcome[]> {
  const nowMs = deps.incident.clock.now();
  const [buckets, lastEvents, sources] = await Promise.all([
    deps.ledger.buckets(nowMs - HISTORY_MS, nowMs + 1),
    deps.ledger.lastEventAt(),
    deps.deliveries.sources(),
  ]);
  const readings: Array<() => Promise<Reading>> = [];
  for (const [source, currency] of pairsOf(buckets))
    readings.push(() => dipReading(deps, buckets, source, currency, nowMs));
  // Silence is judged for sources that send deliveries: one only ever backfilled from exports has no
  // rhythm to miss (its last entry may be months old).
  const names = new Set(sources.filter((s) => s.lastDeliveryAtMs !== null).map((s) => s.source));
  for (const source of [...names].sort())
    readings.push(() => silenceReading(deps, buckets, source, lastEvents.get(source) ?? null, nowMs));
  const out: WatchOutcome[] = [];
  for (const read of readings) {
    try {
      out.push(await apply(deps, ctx, await read(), nowMs));
    } catch (err) {
      ctx.log.error({ err }, 'revenue watch: one reading failed');
    }
  }
  if (out.some((o) => o.incident !== 'none')) deps.incident.onEnqueued?.();
  return out;
}

/** Every (source, currency) with ledger activity in the window, sorted. */
function pairsOf(buckets: readonly NetBucket[]): Array<[string, string]> {
  const keys = new Set(buckets.map((b) => `${b.source}\u0000${b.currency}`));
  return [...keys].sort().map((k) => k.split('\u0000') as [string, string]);
}

/** The main currency of a source: the one with the most events in the window. */
function mainCurrency(buckets: readonly NetBucket[], source: string): string {
  const events = new Map<string, number>();
  for (const b of buckets)
    if (b.source === source) events.set(b.currency, (events.get(b.currency) ?? 0) + b.events);
  return [...events].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
}

async function baseFigures(
  deps: WatchDeps,
  buckets: readonly NetBucket[],
  signal: CommerceSignal,
  source: string,
  currency: string,
  nowMs: number,
): Promise<Omit<CommerceFigures, 'severity' | 'paging' | 'dip' | 'noSignal'>> {
  const tz = deps.settings.timezone;
  const today = localDay(nowMs, tz);
  const eight = dailyNet(buckets, { currency, source, tz, fromDay: addDays(today, -7), toDay: today });
  return {
    kind: 'commerce',
    signal,
    source,
    currency,
    evaluatedAtMs: nowMs,
    timezone: tz,
    series: eight.slice(1),
    slopeCentsPerDay: slopeCentsPerDay(eight),
    lastDeliveries: await deps.deliveries.recent(source, EVIDENCE_DELIVERIES),
  };
}

async function dipReading(
  deps: WatchDeps,
  buckets: readonly NetBucket[],
  source: string,
  currency: string,
  nowMs: number,
): Promise<Reading> {
  const { timezone: tz, dipThreshold: threshold, dipMinCents: minBaselineCents } = deps.settings;
  const a = assessDip({ buckets, currency, source, tz, nowMs, threshold, minBaselineCents });
  const firing = dipFiring(a.firing);
  const base = await baseFigures(deps, buckets, 'REVENUE_DIP', source, currency, nowMs);
  return { figures: withState(base, firing, a.figures, null), firing, hold: a.guarded };
}

async function silenceReading(
  deps: WatchDeps,
  buckets: readonly NetBucket[],
  source: string,
  lastEventAtMs: number | null,
  nowMs: number,
): Promise<Reading> {
  const limitMs = learnLimit(buckets, nowMs, { source });
  // A failure since the last event explains the silence (a source whose deliveries all fail is silent).
  const failure = await deps.deliveries.lastFailure(source, lastEventAtMs ?? 0);
  const a = assessNoSignal({ lastEventAtMs, nowMs, limitMs, parseError: failure?.error ?? null });
  const firing = noSignalFiring(a.state);
  const base = await baseFigures(deps, buckets, 'NO_SIGNAL', source, mainCurrency(buckets, source), nowMs);
  return { figures: withState(base, firing, null, a.figures), firing, hold: false };
}

function withState(
  base: Omit<CommerceFigures, 'severity' | 'paging' | 'dip' | 'noSignal'>,
  firing: SignalFiring | null,
  dip: DipFigures | null,
  noSignal: NoSignalFigures | null,
): CommerceFigures {
  return { ...base, severity: firing?.severity ?? 5, paging: firing?.paging ?? 'OK', dip, noSignal };
}

/** Under the key's lock: read the incident, judge, and apply through the shared transitions. */
async function apply(deps: WatchDeps, ctx: Ctx, r: Reading, nowMs: number): Promise<WatchOutcome> {
  const f = r.figures;
  const key = commerceDedupeKey(f);
  const change = await inIncidentTx(deps.incident, ctx, async (s) => {
    await s.tx.lockKey(key);
    const open = await s.tx.findOpen(key);
    if (r.hold && open) return { action: 'none', incident: open } satisfies IncidentChange;
    const lastResolved = open ? null : await s.tx.findLastResolved(key);
    const verdict = judgeSignal(open, lastResolved, r.firing, deps.incident.policy, nowMs);
    return applyVerdict(s, verdict, open, commerceReading(key, f));
  });
  if (change.action !== 'none')
    ctx.log.info(
      { signal: f.signal, source: f.source, currency: f.currency, incident: change.action },
      'revenue watch changed an incident',
    );
  return {
    signal: f.signal,
    source: f.source,
    currency: f.currency,
    firing: r.firing !== null,
    incident: change.action,
    incidentId: change.incident?.id ?? null,
  };
}

/** A commerce reading as the transitions take it: severity follows the signal both ways. */
function commerceReading(key: string, f: CommerceFigures): IncidentReading<CommerceFigures> {
  const { severity, paging } = f;
  return {
    dedupeKey: key,
    title: commerceTitle(f),
    next: { severity, paging, figures: f },
    repage: 'rise_from_ok',
    resolve: { next: { paging: 'OK', figures: f }, reason: () => commerceResolveReason(f) },
    data: {
      declared: () => ({ signal: f.signal, source: f.source, currency: f.currency }),
      reopened: { signal: f.signal },
      updated: { signal: f.signal },
    },
  };
}
