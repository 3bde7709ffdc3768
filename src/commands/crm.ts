import type { Ctx } from '../app/context.ts';
import type { CrmStatusView } from '../app/crm/status.ts';
import type { SyncOutcome } from '../app/crm/sync.ts';
import type { UseCases } from '../composition/use-cases.ts';
import type { Config } from '../config/config.ts';
import { shareOfDaily } from '../domain/crm/allowance.ts';
import { formatCount } from '../shared/format.ts';
import { type Io, parse, UsageError, when, writeTable } from './common.ts';

/** `leak crm sync [--full]` and `leak crm status` (issue 16), per CRM with `--connector`. */

export const CRM_HELP = `leak crm sync [--full] [--json] [--connector hubspot|salesforce]
leak crm status [--json] [--connector hubspot|salesforce]

sync     Reads what changed in the CRM (HubSpot, with HUBSPOT_TOKEN) since the stored cursor and upserts it
         into the funnel, as \`leak import\` does: contacts become leads, deals opportunities (ids
         hs-contact-<id>, hs-deal-<id>). Records that cannot be mapped are listed with the CRM's id and the
         reason; the rest are kept. --full reads every record again (the list API) instead of the changes.
         The first sync of an object is always full. A sync stopped by CRM_DAILY_SHARE resumes next time.
         The scheduled scan syncs first by itself; this runs one now. Salesforce (SALESFORCE_CLIENT_ID):
         Leads become leads, Opportunities opportunities (ids sf-lead-<Id>, sf-opp-<Id>).
--connector  Which CRM, when both are connected (each syncs on its own, with its own cursors).
status   The cursor and record count per object, the last run (what it spent of the daily API allowance,
         why it stopped), the last error and what to do about it.

Exit codes: 0 ok (also a sync stopped early by the daily share: it says so) · 1 failed, or no CRM
configured · 2 finished with records that could not be mapped (listed) · 64 usage error.
Configuration: HUBSPOT_TOKEN, SALESFORCE_* (README "CRM connectors"), CRM_MAPPING_FILE, CRM_DAILY_SHARE (default 0.5), CRM_SYNC_MAX_MINUTES.`;

const SHOWN = 50;

/** A share of the daily allowance: two decimals from 1 %, two significant digits below (0.0004%). */
const pct = (x: number | null): string => {
  if (x === null) return 'unknown';
  const p = x * 100;
  return `${p >= 1 || p === 0 ? Number(p.toFixed(2)) : Number(p.toPrecision(2))}%`;
};

function spendLine(
  calls: number,
  dailyMax: number | null,
  dailyRemaining: number | null,
  share: number,
): string {
  if (dailyMax === null) return `${formatCount(calls)} API calls (the daily allowance is not known yet)`;
  const left = dailyRemaining === null ? '' : `, ${formatCount(dailyRemaining)} left today`;
  return (
    `${formatCount(calls)} API calls = ${pct(shareOfDaily(calls, dailyMax))} of the daily allowance ` +
    `(${formatCount(dailyMax)}/day${left}; CRM_DAILY_SHARE ${pct(share)})`
  );
}

function printSync(
  o: Exclude<SyncOutcome, { status: 'busy' }>,
  label: string,
  share: number,
  io: Io,
): number {
  io.out.write(`${label} sync (run ${o.runId}): ${o.status} in ${(o.elapsedMs / 1000).toFixed(1)} s\n`);
  if (o.streams.length > 0)
    writeTable(io, [
      ['OBJECT', 'READ', 'SEEN', 'WRITTEN', 'REJECTED', 'CURSOR'],
      ...o.streams.map((s) => [
        `  ${s.stream}`,
        s.finished ? s.mode : `${s.mode} (to resume)`,
        formatCount(s.seen),
        formatCount(s.written),
        formatCount(s.rejected),
        when(s.cursorMs),
      ]),
    ]);
  const u = o.usage;
  const waited = u.waitedMs > 0 ? ` · waited ${(u.waitedMs / 1000).toFixed(1)} s for rate limits` : '';
  const refused =
    u.rateLimited > 0
      ? ` · ${formatCount(u.rateLimited)} ${u.rateLimited === 1 ? 'call' : 'calls'} refused (429) and retried`
      : '';
  io.out.write(`Spent ${spendLine(u.spent, u.dailyMax, u.dailyRemaining, share)}${waited}${refused}\n`);
  if (o.status === 'partial') io.out.write(`Stopped early: ${o.reason}\n`);
  for (const r of o.rejected.items.slice(0, SHOWN))
    io.out.write(
      `  ${o.streams.find((s) => s.stream === r.stream)?.noun ?? r.stream} ${r.crmId}: ${r.reason}\n`,
    );
  if (o.rejected.total > SHOWN)
    io.out.write(
      `  … and ${formatCount(o.rejected.total - SHOWN)} more (all are stored with run ${o.runId})\n`,
    );
  if (o.status === 'failed') {
    io.err.write(`leak crm: the sync failed (${o.failureKind}): ${o.reason}\n`);
    return 1;
  }
  return o.rejected.total > 0 ? 2 : 0;
}

function printStatus(v: CrmStatusView, io: Io): void {
  const since = v.lastSuccessAtMs === null ? 'never synced' : `last success ${when(v.lastSuccessAtMs)}`;
  io.out.write(`${v.label} sync: ${v.running ? 'running' : 'idle'} (${since})\n`);
  writeTable(io, [
    ['OBJECT', 'RECORDS', 'CURSOR'],
    ...v.streams.map((s) => [
      `  ${s.stream}`,
      formatCount(s.records),
      `${when(s.cursorMs)}${s.fullInProgress ? ' (full sync in progress)' : ''}`,
    ]),
  ]);
  const r = v.lastRun;
  if (r === null) io.out.write('Last run: none yet (leak crm sync, or the next scheduled scan)\n');
  else {
    io.out.write(
      `Last run ${r.id} (${r.mode}, by ${r.actor}): ${r.status} ${when(r.finishedAtMs ?? r.startedAtMs)} · ` +
        `${formatCount(r.seen)} seen · ${formatCount(r.written)} written · ${formatCount(r.rejected)} rejected\n`,
    );
    io.out.write(`Spend: ${spendLine(r.calls, r.dailyMax, r.dailyRemaining, v.dailyShare)}\n`);
    if (r.reason && r.status !== 'failed') io.out.write(`Stopped early: ${r.reason}\n`);
  }
  const e = v.lastError;
  if (e !== null) {
    const resolved =
      v.lastSuccessAtMs !== null && v.lastSuccessAtMs > e.atMs ? ' [a later sync got through]' : '';
    io.out.write(`Last error ${when(e.atMs)} (${e.kind}): ${e.reason}${resolved}\n  → ${e.remedy}\n`);
  } else io.out.write('Last error: none\n');
}

export async function crmCommand(
  uc: UseCases,
  config: Config,
  ctx: Ctx,
  rest: string[],
  io: Io,
): Promise<number> {
  const { values, positionals } = parse(rest, {
    full: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    connector: { type: 'string' },
  });
  const [sub, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (sub !== 'sync' && sub !== 'status')
    throw new UsageError(
      sub === undefined ? 'expected a subcommand: sync or status' : `unknown subcommand '${sub}'`,
    );
  if (sub === 'status' && values.full) throw new UsageError('--full is an option of leak crm sync');
  const crm = uc.crm;
  if (crm === null) {
    io.err.write(
      'leak crm: no CRM is connected: set HUBSPOT_TOKEN or SALESFORCE_CLIENT_ID (README "CRM connectors").\n',
    );
    return 1;
  }
  const names = crm.connectors.map((c) => c.name);
  const chosen = values.connector;
  if (chosen !== undefined && !names.includes(chosen))
    throw new UsageError(`--connector ${chosen}: no such CRM is connected (connected: ${names.join(', ')})`);
  if (chosen === undefined && names.length > 1)
    throw new UsageError(`${names.join(' and ')} are both connected: name one with --connector`);
  const target = crm.connectors.find((c) => c.name === (chosen ?? names[0]))!;
  // Loaded here, not at the top: help.ts imports this file for CRM_HELP, and `leak --help` stays light.
  const { crmConfigProblems } = await import('../composition/crm.ts');
  const problems = crmConfigProblems(config);
  if (problems.length > 0) {
    io.err.write(
      `leak crm: the CRM configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return 1;
  }
  if (sub === 'status') {
    const v = await crm.status(target.name);
    if (values.json) io.out.write(`${JSON.stringify(v, null, 2)}\n`);
    else printStatus(v, io);
    return 0;
  }
  if (io.err.isTTY) io.err.write(`Syncing from ${target.label}…\r`);
  const o = await crm.sync(ctx, { full: values.full === true, connector: target.name });
  if (io.err.isTTY) io.err.write('\u001b[2K');
  if (o.status === 'busy') {
    io.err.write(
      'leak crm: another sync is running (the schedule or another leak crm sync); try again once it ends.\n',
    );
    return 1;
  }
  if (values.json) {
    io.out.write(`${JSON.stringify(o, null, 2)}\n`);
    return o.status === 'failed' ? 1 : o.rejected.total > 0 ? 2 : 0;
  }
  return printSync(o, target.label, config.crm.dailyShare, io);
}
