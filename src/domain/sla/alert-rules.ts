import { MINUTE_MS } from '../../shared/time.ts';
import { type BurnAction, type BurnRule, HOUR_MS } from './burn.ts';
import { formatDurationMs, nominalMs, parseDuration } from './duration.ts';
import { show } from './openslo.ts';
import type { ConditionSpec } from './openslo-alerts.ts';

/**
 * What OpenSLO alerting means for an SLA: burn-rate AlertConditions become its burn rules (burn.ts), and
 * notification targets name the Slack channels its pages and tickets go to.
 *
 * A condition `{ kind: burnrate, op: gt, threshold: X, lookbackWindow: L, alertAfter: A }` is one
 * multiwindow rule: it fires when the burn over the last L and over the last S both exceed X, where the
 * short window S is A when given (the burn must still be on after A) and otherwise L / 12, as the SRE
 * workbook pairs them (1h/5m, 6h/30m, 24h/2h), in whole minutes and at least one. `op: gte` reads as
 * `gt` (a burn exactly at the threshold is measure-zero); `lt`/`lte` are refused. X is the burn rate
 * itself and is not rescaled for the SLO's window (the default rules are). The condition's `severity`
 * decides the action: PAGE_SEVERITIES page (an incident), TICKET_SEVERITIES post a ticket.
 */

export const PAGE_SEVERITIES = ['page', 'critical', 'high', 'urgent', 'sev1', 'sev2', 'p1', 'p2'] as const;
export const TICKET_SEVERITIES = [
  'ticket',
  'warning',
  'warn',
  'medium',
  'low',
  'info',
  'sev3',
  'sev4',
  'sev5',
  'p3',
  'p4',
  'p5',
] as const;

/** The shortest and longest lookback: the evaluator reads every Silver minute of it each minute. */
export const MIN_LOOKBACK_MS = 5 * MINUTE_MS;
export const MAX_LOOKBACK_MS = 72 * HOUR_MS;

/** One burn-rate condition, before it is named among the SLA's rules. */
export interface ConditionRule {
  action: BurnAction;
  factor: number;
  longMs: number;
  shortMs: number;
}

const normalized = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

export function actionOfSeverity(severity: string): BurnAction | null {
  const s = normalized(severity);
  if ((PAGE_SEVERITIES as readonly string[]).includes(s)) return 'page';
  if ((TICKET_SEVERITIES as readonly string[]).includes(s)) return 'ticket';
  return null;
}

/** A window duration in ms (m, h, d or w), or the problem. */
function windowMs(text: string, path: string, errors: string[]): number | null {
  const d = parseDuration(text);
  if (typeof d === 'string') errors.push(`${path} ${d}`);
  else if (!['m', 'h', 'd', 'w'].includes(d.unit))
    errors.push(`${path} must be in minutes, hours, days or weeks (got ${show(text)})`);
  else return nominalMs(d);
  return null;
}

/** A condition's spec (at = its path) as a rule, or every problem with its field. */
export function conditionRule(spec: ConditionSpec, at: string): ConditionRule | { errors: string[] } {
  const errors: string[] = [];
  const action = actionOfSeverity(spec.severity);
  if (action === null)
    errors.push(
      `${at}.severity ${show(spec.severity)} is neither a page (${PAGE_SEVERITIES.join(', ')}) nor a ticket (${TICKET_SEVERITIES.join(', ')})`,
    );
  const c = spec.condition;
  const cond = `${at}.condition`;
  if (c.op === 'lt' || c.op === 'lte')
    errors.push(
      `${cond}.op must be "gt" or "gte": a burn-rate condition alerts on a burn above its threshold (got ${show(c.op)})`,
    );
  if (!(c.threshold > 0))
    errors.push(`${cond}.threshold must be a burn rate greater than 0 (got ${show(c.threshold)})`);
  const longMs = windowMs(c.lookbackWindow, `${cond}.lookbackWindow`, errors);
  if (longMs !== null && (longMs < MIN_LOOKBACK_MS || longMs > MAX_LOOKBACK_MS))
    errors.push(`${cond}.lookbackWindow must be from 5m to 3d (got ${show(c.lookbackWindow)})`);
  let shortMs = longMs === null ? null : Math.max(MINUTE_MS, Math.round(longMs / 12 / MINUTE_MS) * MINUTE_MS);
  const after = c.alertAfter;
  if (after !== undefined && !/^0[mhdw]?$/.test(after)) {
    shortMs = windowMs(after, `${cond}.alertAfter`, errors);
    if (shortMs !== null && longMs !== null && shortMs >= longMs)
      errors.push(
        `${cond}.alertAfter must be shorter than lookbackWindow ${show(c.lookbackWindow)} (got ${show(after)})`,
      );
  }
  if (errors.length > 0 || action === null || longMs === null || shortMs === null) return { errors };
  return { action, factor: c.threshold, longMs, shortMs };
}

/**
 * The SLA's rules from its conditions, pages first and the fastest first within an action (severityOfBurn
 * takes the first page rule as the fastest), named "1h/5m" (a second rule with the same windows gets "#2").
 * `budgetSpent` is what the long window spends of a `periodDays` budget at exactly the factor.
 */
export function burnRulesOf(conditions: readonly ConditionRule[], periodDays: number): BurnRule[] {
  return namedInRuleOrder(conditions).map(({ condition: c, name }) => ({
    action: c.action,
    name,
    longMs: c.longMs,
    shortMs: c.shortMs,
    budgetSpent: (c.factor * (c.longMs / HOUR_MS)) / (periodDays * 24),
    factor: c.factor,
  }));
}

/**
 * The conditions in rule order (pages first, then the shorter long window, then the higher factor), each
 * with its rule name ("1h/5m", a second "1h/5m" is "1h/5m#2") and its index in `conditions`.
 */
export function namedInRuleOrder(
  conditions: readonly ConditionRule[],
): { condition: ConditionRule; name: string; index: number }[] {
  const sorted = conditions
    .map((condition, index) => ({ condition, index }))
    .sort(
      ({ condition: a }, { condition: b }) =>
        (a.action === b.action ? 0 : a.action === 'page' ? -1 : 1) ||
        a.longMs - b.longMs ||
        b.factor - a.factor,
    );
  const seen = new Map<string, number>();
  return sorted.map(({ condition, index }) => {
    const base = `${formatDurationMs(condition.longMs)}/${formatDurationMs(condition.shortMs)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { condition, name: n === 1 ? base : `${base}#${n}`, index };
  });
}

/** The annotation that names a notification target's Slack channel (`spec.target: slack`). */
export const SLACK_CHANNEL_ANNOTATION = 'revenue-leak-sre/slack-channel';
const CHANNEL = /^[CG][A-Z0-9]{8,}$/;
const CHANNEL_LINK = /^https:\/\/[a-z0-9-]+\.slack\.com\/archives\/([CG][A-Z0-9]{8,})\/?$/;

/**
 * The Slack channel id a notification target names (at = the target document's path), or the problem.
 * Accepted: `spec.target: slack` with the channel id in the annotation `revenue-leak-sre/slack-channel`;
 * `spec.target: slack:C0123456789`; `spec.target: C0123456789`; or a channel link
 * `https://<workspace>.slack.com/archives/C0123456789`.
 */
export function targetChannel(
  target: string,
  annotations: Readonly<Record<string, unknown>> | undefined,
  at: string,
): string | { errors: string[] } {
  const t = target.trim();
  const annotated = annotations?.[SLACK_CHANNEL_ANNOTATION];
  const field = (f: string) => (at === '' ? f : `${at}.${f}`);
  const fix = `write spec.target: slack:C0123456789 (a Slack channel id), or target: slack with the annotation ${SLACK_CHANNEL_ANNOTATION}: C0123456789`;
  if (t.toLowerCase() === 'slack') {
    if (annotated === undefined)
      return { errors: [`${field('spec.target')} "slack" names no channel: ${fix}`] };
    if (typeof annotated !== 'string' || !CHANNEL.test(annotated.trim()))
      return {
        errors: [
          `${field('metadata.annotations')}.${SLACK_CHANNEL_ANNOTATION} must be a Slack channel id such as C0123456789 (got ${show(annotated)})`,
        ],
      };
    return annotated.trim();
  }
  const id = /^slack:\s*#?(.*)$/i.exec(t)?.[1]?.trim() ?? CHANNEL_LINK.exec(t)?.[1] ?? t;
  if (CHANNEL.test(id)) return id;
  return {
    errors: [
      `${field('spec.target')} ${show(target)} is not a Slack channel, the only target the bot notifies: ${fix}`,
    ],
  };
}
