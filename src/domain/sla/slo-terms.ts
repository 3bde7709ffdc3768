import { burnRulesOf, namedInRuleOrder } from './alert-rules.ts';
import type { BurnRule } from './burn.ts';
import { type CalendarWindow, calendarWindowOf } from './calendar.ts';
import { durationDays } from './duration.ts';
import type { SlaIndicator } from './indicator.ts';
import { latencyMs } from './latency-unit.ts';
import { type Objective, type SloDoc, show, type TimeWindow } from './openslo.ts';
import type { PolicyRule, Resolver } from './openslo-resolve.ts';
import { type Measured, measure } from './sli.ts';

/** Slack channels (ids) an SLA's pages and tickets go to, from its alert policies' notification targets. */
export interface SlaNotify {
  /** Every page target of every policy (what a definition stored before `byRule` routes by). */
  page: string[];
  /** Every ticket target of every policy. */
  ticket: string[];
  /**
   * Per burn rule (its name, "1h/5m"), the targets of the policy whose condition it is: a rule that fires
   * notifies its own policy's channels, not every policy's. A rule whose policy names none is absent.
   */
  byRule?: Record<string, string[]>;
}

/** What an SLO says, before it is versioned (definition.ts adds version and validity). */
export interface SlaTerms {
  /** The SLO's metadata.name, stable across versions. */
  id: string;
  service: string;
  /** The telemetry metric (Silver series) the indicator counts. */
  metric: string;
  /** The SLO's displayName, else its name. */
  name: string;
  indicator: SlaIndicator;
  /** A fraction strictly between 0 and 1 (0.999). */
  target: number;
  /** The budget period in whole days: the rolling window, or a calendar window's nominal length (1M = 30). */
  windowDays: number;
  /** A calendar-aligned budget window (calendar.ts); absent: the window rolls over windowDays. */
  calendar?: CalendarWindow;
  /** The SLA's own burn rules (from its alert policies), pages first; absent: the default table. */
  rules?: BurnRule[];
  /** Where its pages and tickets go, when its policies name Slack channels; absent: the alerts channel. */
  notify?: SlaNotify;
}

type Out = { errors: string[]; warnings: string[] };

/** The SLI the SLO measures (inline or by name), or null (problems pushed; a broken SLI of this file says nothing). */
function indicatorOf(doc: SloDoc, r: Resolver, out: Out): Measured | null {
  const { spec } = doc;
  if (spec.indicator !== undefined && spec.indicatorRef !== undefined) {
    out.errors.push('spec must have indicator or indicatorRef, not both');
    return null;
  }
  if (spec.indicator !== undefined) {
    const m = measure(spec.indicator.spec, 'spec.indicator.spec', r.dataSources);
    if (Array.isArray(m)) {
      out.errors.push(...m);
      return null;
    }
    if (m.service === spec.service) return m;
    const form = 'threshold' in m ? 'thresholdMetric' : 'ratioMetric.total';
    out.errors.push(
      `spec.indicator.spec.${form}.metricSource.spec.service ${show(m.service)} must be the SLO's service ${show(spec.service)}`,
    );
    return null;
  }
  if (spec.indicatorRef === undefined) {
    out.errors.push('spec needs indicator (an inline SLI) or indicatorRef (the name of an SLI)');
    return null;
  }
  const ref = spec.indicatorRef;
  const e = r.set.find('SLI', ref);
  const d = e === undefined ? null : r.sli(e);
  if (e === undefined)
    out.errors.push(`spec.indicatorRef ${show(ref)} names no SLI document in this set or applied earlier`);
  else if (d !== null && !d.ok && e.stored)
    out.errors.push(`spec.indicatorRef ${show(ref)} names ${e.label}, which no longer reads: apply it again`);
  else if (d?.ok && d.value.service !== spec.service) {
    out.errors.push(
      `spec.indicatorRef ${show(ref)} measures service ${show(d.value.service)}, not the SLO's service ${show(spec.service)}`,
    );
    return null;
  }
  return d?.ok ? d.value : null;
}

/** The objective's target as a fraction, or undefined (problem pushed). */
function targetOf(o: Objective, out: Out): number | undefined {
  if (o.target !== undefined && o.targetPercent !== undefined)
    out.errors.push('spec.objectives[0] must have target or targetPercent, not both');
  else if (o.target !== undefined) return o.target;
  else if (o.targetPercent !== undefined)
    return Math.round(o.targetPercent * 1e9) / 1e11; // 99.9 → 0.999
  else out.errors.push('spec.objectives[0].target is missing (or give targetPercent)');
  return undefined;
}

/** A thresholdMetric SLI's indicator: the objective's op and value, the value in the source's unit. */
function thresholdIndicator(m: Measured, o: Objective, out: Out): SlaIndicator | null {
  const at = 'spec.objectives[0]';
  if (!('threshold' in m)) {
    if (o.op !== undefined || o.value !== undefined)
      out.errors.push(
        `${at}.op and value are for a thresholdMetric SLI (this SLI is a ratioMetric: put the threshold on its good source, latencyBelowMs)`,
      );
    return 'indicator' in m ? m.indicator : null;
  }
  if (o.op === undefined)
    out.errors.push(`${at}.op is missing: a thresholdMetric SLI needs op: lt and the latency limit in value`);
  else if (o.op !== 'lt' && o.op !== 'lte')
    out.errors.push(
      `${at}.op must be "lt" or "lte": events faster than the threshold are the good ones (got ${show(o.op)})`,
    );
  if (o.value === undefined) {
    out.errors.push(`${at}.value is missing: the latency threshold, such as "300ms"`);
    return null;
  }
  const unit = m.threshold.unit;
  const ms = latencyMs(o.value, unit);
  if (typeof ms === 'string') {
    const hint =
      unit === null && /^has no unit/.test(ms)
        ? ', or give the thresholdMetric source its unit (unit: ms)'
        : '';
    out.errors.push(`${at}.value ${ms}${hint}`);
    return null;
  }
  if (o.op !== 'lt' && o.op !== 'lte') return null;
  return { kind: 'latency', thresholdMs: ms, ...(m.threshold.where ? { where: m.threshold.where } : {}) };
}

/** The budget window: rolling days, or a calendar window with its nominal days. */
function windowOf(tw: TimeWindow, out: Out): { windowDays: number; calendar?: CalendarWindow } | null {
  const at = 'spec.timeWindow[0]';
  if (tw.isRolling === true && tw.calendar !== undefined) {
    out.errors.push(
      `${at}.calendar must not be set when isRolling is true (a rolling window has no calendar)`,
    );
    return null;
  }
  if (tw.isRolling === false || (tw.isRolling === undefined && tw.calendar !== undefined)) {
    const c = calendarWindowOf(tw.duration, tw.calendar, at);
    if ('errors' in c) {
      out.errors.push(...c.errors);
      return null;
    }
    return { windowDays: c.days, calendar: c.window };
  }
  const days = durationDays(tw.duration);
  if (typeof days === 'string') {
    out.errors.push(`${at}.duration ${days}`);
    return null;
  }
  return { windowDays: days };
}

/** The SLO's alert policies as burn rules and channels (none: the default rules, the alerts channel). */
function alertingOf(doc: SloDoc, r: Resolver, windowDays: number, target: number | undefined, out: Out) {
  const found: PolicyRule[] = [];
  (doc.spec.alertPolicies ?? []).forEach((item, i) => {
    const p = r.followPolicy(item, `spec.alertPolicies[${i}]`, out.errors, out.warnings);
    if (p !== null) found.push(...p);
  });
  if (found.length === 0) return {};
  const maxBurn = target === undefined ? Infinity : 1 / (1 - target);
  for (const { rule } of found)
    if (rule.factor >= maxBurn * (1 - 1e-9))
      out.warnings.push(
        `spec.alertPolicies: a ${rule.action} condition's threshold ${rule.factor} can never be exceeded at target ${target} (every event failing burns ${+maxBurn.toFixed(2)}×)`,
      );
  const notify: SlaNotify = { page: [], ticket: [], byRule: {} };
  for (const { rule, channels } of found)
    notify[rule.action].push(...channels.filter((c) => !notify[rule.action].includes(c)));
  const conditions = found.map((f) => f.rule);
  for (const { name, index } of namedInRuleOrder(conditions))
    if (found[index]!.channels.length > 0) notify.byRule![name] = [...found[index]!.channels];
  const rules = burnRulesOf(conditions, windowDays);
  return notify.page.length + notify.ticket.length > 0 ? { rules, notify } : { rules };
}

/** The terms of one SLO document, or its problems; warnings either way. */
export function sloTerms(doc: SloDoc, r: Resolver): Out & { terms?: SlaTerms } {
  const out: Out = { errors: [], warnings: [] };
  const { spec } = doc;
  if (r.set.find('Service', spec.service) === undefined)
    out.errors.push(
      `spec.service ${show(spec.service)} names no Service document in this set or applied earlier`,
    );
  const measured = indicatorOf(doc, r, out);
  const objective = spec.objectives[0]!;
  const target = targetOf(objective, out);
  const indicator = measured === null ? null : thresholdIndicator(measured, objective, out);
  const window = windowOf(spec.timeWindow[0]!, out);
  const alerting = window === null ? {} : alertingOf(doc, r, window.windowDays, target, out);
  if (
    out.errors.length > 0 ||
    measured === null ||
    indicator === null ||
    target === undefined ||
    window === null
  )
    return out;
  const terms: SlaTerms = {
    id: doc.metadata.name,
    service: spec.service,
    metric: measured.metric,
    name: doc.metadata.displayName ?? doc.metadata.name,
    indicator,
    target,
    ...window,
    ...alerting,
  };
  return { ...out, terms };
}
