import { DEFAULT_BUDGET_POLICY } from '../domain/budget/budget.ts';
import { list } from './fields.ts';

/** `NA=Alice|Bob; EMEA=Carol` → { NA: ['Alice', 'Bob'], EMEA: ['Carol'] }. */
export function parsePairs(s: string, name: string, problems: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of list(s, ';').flatMap((p) => (name === 'FIX_OWNER_SLACK' ? list(p, ',') : [p]))) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      problems.push(`${name}: "${part}" is not key=value`);
      continue;
    }
    out.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return out;
}

/**
 * Rules across variables, checked on the raw environment rather than in a zod refinement: zod skips a
 * refinement once any field fails its type, so a bad PORT would hide a missing signing secret until
 * the next start. Here every problem is reported in the same run.
 */
export function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const v = (k: string) => (env[k]?.trim() ? env[k]!.trim() : undefined);
  const problems: string[] = [];
  if (v('SLACK_BOT_TOKEN') && !v('SLACK_SIGNING_SECRET') && !v('SLACK_APP_TOKEN'))
    problems.push(
      'SLACK_SIGNING_SECRET is required in HTTP mode (no SLACK_APP_TOKEN) so requests can be verified',
    );
  const warn = Number(v('WARN_BURN') ?? DEFAULT_BUDGET_POLICY.warnBurn);
  const page = Number(v('PAGE_BURN') ?? DEFAULT_BUDGET_POLICY.pageBurn);
  if (Number.isFinite(warn) && Number.isFinite(page) && warn >= page)
    problems.push('WARN_BURN must be below PAGE_BURN');
  const minuteDays = Number(v('SILVER_MINUTE_RETENTION_DAYS') ?? 30);
  const hourDays = Number(v('SILVER_HOUR_RETENTION_DAYS') ?? 90);
  if (Number.isFinite(minuteDays) && Number.isFinite(hourDays) && hourDays < minuteDays)
    problems.push(
      'SILVER_HOUR_RETENTION_DAYS must not be below SILVER_MINUTE_RETENTION_DAYS (hours are kept longer)',
    );
  for (const name of ['SCHEDULE_TIMEZONE', 'SLA_REPORT_TIMEZONE', 'REVENUE_TIMEZONE', 'DIGEST_TIMEZONE']) {
    const tz = v(name);
    if (tz === undefined) continue;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      problems.push(`${name} "${tz}" is not an IANA time zone (e.g. UTC, Europe/Berlin)`);
    }
  }
  return problems;
}
