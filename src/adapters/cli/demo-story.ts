import type { Ctx } from '../../app/context.ts';
import { type DeliveryDeps, deliverDue } from '../../app/delivery/handlers.ts';
import { approveFix } from '../../app/fixes/approve.ts';
import type { FixDeps } from '../../app/fixes/deps.ts';
import { type FixTarget, previewFix } from '../../app/fixes/preview.ts';
import { verifyDueFixes } from '../../app/fixes/verify.ts';
import { runIncidentScan } from '../../app/incidents/revenue-scan.ts';
import type { IncidentChange } from '../../app/incidents/transitions.ts';
import type { RecordRepository } from '../../app/records/ports.ts';
import type { ScanDeps } from '../../app/scan/scan.ts';
import type { IssueType } from '../../domain/rules/catalog.ts';
import { formatCount } from '../../shared/format.ts';
import { formatUsd } from '../../shared/money.ts';
import { isoWeekOf } from '../../shared/time.ts';
import { formatPlan } from './fix-report.ts';

export interface DemoStoryDeps {
  scanDeps: ScanDeps;
  fixDeps: FixDeps;
  delivery: DeliveryDeps;
  records: RecordRepository;
  /** Moves the scenario's clock forward ("two days later"). */
  advance(ms: number): void;
  incidentLine(change: IncidentChange): string;
}

/** The order a RevOps lead would work the bulk fixes in: owners first, so later packs have someone to task. */
const BULK_ORDER: IssueType[] = [
  'UNASSIGNED_OWNER',
  'SLA_BREACH_UNTOUCHED',
  'NO_NEXT_STEP',
  'STALE_OPP',
  'DUPLICATE_SUSPECT',
  'ROUTING_MISMATCH',
];

/**
 * The rest of `leak demo` after the incident is declared: preview the top fix as a diff, approve and apply
 * it, the regression guard, bulk fixes per issue type with the dollars they recover, the team working the
 * tasks two days later, verification, and the rescan that resolves the incident. Every step goes through
 * the same use cases, outbox and renderers as Slack; Slack calls are printed by the terminal gateway.
 */
export async function runFixStory(
  deps: DemoStoryDeps,
  ctx: Ctx,
  io: { out: NodeJS.WritableStream },
  color: boolean,
) {
  const say = (s: string) => io.out.write(`${s}\n`);
  const deliver = async () => {
    while ((await deliverDue(deps.delivery)) > 0) {}
  };
  const top = (await deps.fixDeps.fixes.openFindings({ issueType: 'STALE_OPP' }))[0];
  const all = await Promise.all(BULK_ORDER.map((t) => deps.fixDeps.fixes.openFindings({ issueType: t })));
  const biggest = all.flat().sort((a, b) => b.lossCents - a.lossCents)[0] ?? top;
  if (biggest === undefined) {
    say('Nothing to fix.');
    return;
  }

  say(`\n━━ Preview the top fix: ${biggest.issueId} (${formatUsd(biggest.lossCents)} at risk) ━━\n`);
  const preview = await previewFix(deps.fixDeps, ctx, { kind: 'issue', issueId: biggest.issueId });
  say(formatPlan(preview.plan, { color }));
  say('');
  await deliver();

  say(`━━ Approve fix #${preview.id} (the demo runs as an approver) ━━\n`);
  const first = await approveFix(deps.fixDeps, ctx, preview.id);
  say(outcomeLine(first.outcome, first.run));
  await deliver();

  say('\n━━ Bulk fixes, one per issue type ━━\n');
  await sweep(deps, ctx, say);
  const week = isoWeekOf(deps.fixDeps.incident.clock.now());
  say(
    `\nRecovered by fixes this week: ${formatUsd(await deps.fixDeps.fixes.recovered(week.startMs, week.endMs))}`,
  );
  const mid = await runIncidentScan(deps.scanDeps, deps.fixDeps.incident, ctx, {});
  say(deps.incidentLine(mid.incident));
  say('\nDelivering the updates (the War Room is edited in place, the previews show their results) …\n');
  await deliver();

  // Activity is what clears a stale deal or an untouched lead: the story lets the team work their tasks,
  // then verifies, rescans, and sweeps what leaked since, until nothing is open (or three rounds).
  for (let round = 1; round <= 3; round++) {
    deps.advance(round === 1 ? 2 * 24 * 3_600_000 : 3_600_000);
    say(`━━ ${round === 1 ? 'Two days later' : 'An hour later'}: the owners worked their tasks ━━\n`);
    say(`${formatCount(await workTasks(deps, ctx))} records touched in the CRM.`);
    const v = await verifyDueFixes(deps.fixDeps, ctx);
    if (v.verified + v.failed > 0) say(`Verification: ${v.verified} verified, ${v.failed} failed.`);
    const scan = await runIncidentScan(deps.scanDeps, deps.fixDeps.incident, ctx, {});
    say(
      `${deps.incidentLine(scan.incident)} ${formatCount(scan.summary.issues.length)} open issues, ${formatUsd(scan.summary.totalAtRiskCents)} at risk.\n`,
    );
    if (scan.summary.issues.length === 0) break;
    say('New leaks since the last sweep:');
    await sweep(deps, ctx, say);
    say('');
  }
  await deliver();
}

/** One bulk fix per issue type with open issues, each previewed, approved and followed by a rescan. */
async function sweep(deps: DemoStoryDeps, ctx: Ctx, say: (s: string) => void): Promise<void> {
  for (const issueType of BULK_ORDER) {
    const open = await deps.fixDeps.fixes.openFindings({ issueType });
    if (open.length === 0) continue;
    const run = await previewFix(deps.fixDeps, ctx, { kind: 'bulk', issueType } satisfies FixTarget);
    const out = await approveFix(deps.fixDeps, ctx, run.id);
    say(`${run.plan.title}: ${outcomeLine(out.outcome, out.run)}`);
    // The scan after each pack keeps findings (and the next pack's targets) current.
    await runIncidentScan(deps.scanDeps, deps.fixDeps.incident, ctx, {});
  }
}

function outcomeLine(
  outcome: string,
  run: {
    guard: { clearedCents: number; awaiting: unknown[]; introduced: unknown[] } | null;
    reason: string | null;
  },
): string {
  const g = run.guard;
  if (outcome === 'applied' && g)
    return `applied · cleared ${formatUsd(g.clearedCents)} · ${formatCount(g.awaiting.length)} awaiting verification · ${formatCount(g.introduced.length)} new issues`;
  if (outcome === 'rolled_back') return `rolled back by the regression guard: ${run.reason}`;
  return outcome;
}

/**
 * Stands in for the CRM and the people in it: every record with an open task is touched (the owner's call),
 * a routing review sets the region the reviewer chose, and the tasks are done.
 */
async function workTasks(deps: DemoStoryDeps, ctx: Ctx): Promise<number> {
  const tasks = await deps.fixDeps.fixes.openTasks();
  if (tasks.length === 0) return 0;
  const ids = [...new Set(tasks.map((t) => t.recordId))];
  const review = new Set(tasks.filter((t) => t.title.startsWith('Review routing')).map((t) => t.recordId));
  const now = deps.fixDeps.incident.clock.now();
  const records = (await deps.fixDeps.fixes.loadScope(ids)).filter((r) => ids.includes(r.id));
  await deps.records.upsertMany(
    records.map((r) => ({
      ...r,
      lastTouchAtMs: now,
      region: review.has(r.id) && r.region === '' ? 'NA' : r.region,
    })),
  );
  await deps.fixDeps.fixes.completeTasks(ids);
  ctx.log.info({ records: records.length }, 'demo: tasks worked');
  return records.length;
}
