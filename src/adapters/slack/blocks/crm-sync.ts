import type { CrmStatusView } from '../../../app/crm/status.ts';
import { type CrmAlertFacts, remedy } from '../../../domain/crm/sync-run.ts';
import { formatCount } from '../../../shared/format.ts';
import { context, type Rendered, section, slackDate } from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeText, truncate } from './mrkdwn.ts';
import type { KnownBlock } from './types.ts';

/**
 * CRM sync on Slack (issue 16): the admin alert when a sync fails in a way someone must fix (a revoked
 * token, a missing scope) or keeps failing, the notice when it recovers, and the App Home's sync line.
 * Reasons are the CRM's own words: data, so escaped and cut like any other.
 */

const KIND_TITLE: Record<CrmAlertFacts['kind'], string> = {
  auth: 'token refused',
  scopes: 'missing scope',
  config: 'mapping refused',
  rate_limited: 'rate limited',
  unavailable: 'CRM unavailable',
  bad_response: 'unreadable answer',
  internal: 'internal error',
  abandoned: 'sync process died',
};

export function renderCrmAlert(a: CrmAlertFacts): Rendered {
  const name = safeText(a.connector, 40);
  if (a.event === 'recovered') {
    const text = `:white_check_mark: *${name} sync recovered* — syncs get through again (after: ${KIND_TITLE[a.kind]}).`;
    return { text, blocks: [section(text), context(`Since ${slackDate(a.atMs)}`)] };
  }
  const head = `:rotating_light: *${name} sync failed: ${KIND_TITLE[a.kind]}*`;
  const lines = [
    head,
    `> ${safeText(a.reason ?? 'no reason given', 500)}`,
    remedy(a.kind, name),
    'Scans go on with the records synced before. `leak crm status` shows the details.',
  ];
  const text = truncate(lines.join('\n'), LIMITS.sectionText);
  const runs = a.failures === 1 ? 'first failed run' : `${formatCount(a.failures)} failed runs in a row`;
  return { text, blocks: [section(text), context(`${slackDate(a.atMs)} · ${runs}`)] };
}

/** A share of the daily allowance: one decimal from 1 %, two significant digits below (0.0004%). */
const pct = (x: number): string => {
  const p = x * 100;
  return `${p >= 1 || p === 0 ? Number(p.toFixed(1)) : Number(p.toPrecision(2))}%`;
};

/** The last run in one line: when, how it ended, what it read and spent. */
function runLine(v: CrmStatusView): string {
  const r = v.lastRun;
  if (r === null) return 'No sync yet: the next scheduled scan syncs first (or `leak crm sync`).';
  const icon =
    r.status === 'failed'
      ? ':x:'
      : r.status === 'partial'
        ? ':hourglass_flowing_sand:'
        : ':white_check_mark:';
  const spent =
    v.lastRunShare === null
      ? `${formatCount(r.calls)} ${r.calls === 1 ? 'call' : 'calls'}`
      : `${formatCount(r.calls)} ${r.calls === 1 ? 'call' : 'calls'} (${pct(v.lastRunShare)} of the daily allowance)`;
  const at = slackDate(r.finishedAtMs ?? r.startedAtMs);
  return (
    `${icon} Last ${r.mode} sync ${at}: ${r.status === 'running' ? 'running' : r.status} · ` +
    `${formatCount(r.written)} records written · ${formatCount(r.rejected)} rejected · ${spent}`
  );
}

/** The App Home's CRM section: the sync's state, records per object, the last run, the error to fix. */
export function crmHomeBlocks(v: CrmStatusView): KnownBlock[] {
  const records = v.streams.map((s) => `${formatCount(s.records)} ${s.noun}s`).join(' · ');
  const lines = [
    `*:arrows_counterclockwise: ${safeText(v.label, 40)} sync*${v.running ? ' · running now' : ''} · ${records}`,
    runLine(v),
  ];
  if (v.lastRun?.status === 'partial' && v.lastRun.reason)
    lines.push(`Stopped early: ${safeText(v.lastRun.reason, 300)}`);
  // An error a later sync got past is history (`leak crm status` keeps it); one still standing is shown.
  if (v.lastError && (v.lastSuccessAtMs === null || v.lastError.atMs > v.lastSuccessAtMs))
    lines.push(
      `:warning: Last error ${slackDate(v.lastError.atMs)}: ${safeText(v.lastError.reason, 300)} — ${safeText(v.lastError.remedy, 200)}`,
    );
  return [section(truncate(lines.join('\n'), LIMITS.sectionText))];
}
