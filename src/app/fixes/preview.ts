import { bulkPackFor, packForIssue } from '../../domain/fixpacks/catalog.ts';
import type { FixPack } from '../../domain/fixpacks/dsl.ts';
import { planFix } from '../../domain/fixpacks/plan.ts';
import { approvalOf, type FixRun } from '../../domain/fixpacks/run.ts';
import type { Plan } from '../../domain/fixpacks/types.ts';
import { REVENUE_DEDUPE_KEY } from '../../domain/incidents/incident.ts';
import type { FunnelRecord } from '../../domain/records/record.ts';
import { type IssueType, RULES, type RuleDef } from '../../domain/rules/catalog.ts';
import type { Issue } from '../../domain/scan/summarize.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Ctx } from '../context.ts';
import { crmWarnings } from './crm-writeback.ts';
import type { FixDeps } from './deps.ts';
import { fixJobKeys } from './effects.ts';

const RULE_BY_KEY = new Map<string, RuleDef>(Object.values(RULES).map((r) => [r.key, r]));

export type FixTarget = { kind: 'issue'; issueId: string } | { kind: 'bulk'; issueType: IssueType };

/** A dry run's result: the pack, its plan, and the records it was planned from. */
export interface PlannedFix {
  pack: FixPack;
  plan: Plan;
  /** The planned records as they are now: the snapshot an approval is checked against. */
  snapshot: FunnelRecord[];
}

/**
 * The dry run: reads the open findings and the records, builds the pack and plans it. Writes nothing
 * (`reserveRoundRobin: false` only peeks at the round-robin counter), so `leak fix preview` is safe.
 */
export async function planFor(
  deps: FixDeps,
  target: FixTarget,
  opts: { reserveRoundRobin: boolean; pack?: FixPack },
): Promise<PlannedFix> {
  const findings = await deps.fixes.openFindings(
    target.kind === 'issue' ? { issueId: target.issueId } : { issueType: target.issueType },
  );
  if (findings.length === 0)
    throw new AppError(
      'NOT_FOUND',
      target.kind === 'issue'
        ? `issue ${target.issueId} is not open (it may have cleared since the last scan)`
        : `there are no open ${target.issueType} issues`,
    );
  const scope = await deps.fixes.loadScope([...new Set(findings.map((f) => f.recordId))]);
  const byId = new Map(scope.map((r) => [r.id, r]));
  const issues: Issue[] = findings.flatMap((f) => {
    const rule = RULE_BY_KEY.get(f.ruleKey);
    const record = byId.get(f.recordId);
    return rule && record ? [{ issueId: f.issueId, rule, record, lossCents: f.lossCents }] : [];
  });
  if (issues.length === 0) throw new AppError('NOT_FOUND', 'the records of that issue no longer exist');
  const defaults = target.kind === 'issue' ? packForIssue(issues[0]!) : bulkPackFor(target.issueType, issues);
  // A pack of one's own (already validated) replaces the default steps for the same issues.
  const built = opts.pack ? { pack: opts.pack, issues: defaults.issues } : defaults;
  const planned = planFix(
    { pack: built.pack, issues: built.issues, records: scope },
    {
      nowMs: deps.incident.clock.now(),
      ownerPool: deps.settings.ownerPool,
      regionPools: deps.settings.regionPools,
      roundRobinStart: opts.reserveRoundRobin
        ? await deps.fixes.nextRoundRobin(built.issues.length)
        : await deps.fixes.peekRoundRobin(),
      ownerSlack: deps.settings.ownerSlack,
      managerChannel: deps.settings.managerChannel,
    },
  );
  // Whether four eyes applies and who can approve travel with the plan (issue 10 item 4), so every preview
  // (Slack, the command line) states them and no renderer reads configuration.
  const crm = deps.crm ? crmWarnings(deps.crm, planned, deps.incident.clock.now()) : [];
  const plan = {
    ...planned,
    warnings: [...planned.warnings, ...crm],
    approval: approvalOf(planned, deps.approval),
  };
  return { pack: built.pack, plan, snapshot: scope.filter((r) => plan.recordIds.includes(r.id)) };
}

/**
 * Plans a fix (a dry run: records are not touched) and stores the plan, so the preview message, the
 * approval and the apply all refer to the same diff. Nothing but the plan, its timeline entry and its
 * audit row is written.
 *
 * The preview names records, owners and dollars, so the outbox posts it only in the open incident's own
 * channel (private with INCIDENT_CHANNEL_PRIVATE). Without one the run has no channel (`channelId` null)
 * and the caller shows the preview to the requester alone: never the channel a button was clicked in, nor
 * the alerts channel (issue 10 item 6).
 */
export async function previewFix(deps: FixDeps, ctx: Ctx, target: FixTarget): Promise<FixRun> {
  const { pack, plan, snapshot } = await planFor(deps, target, { reserveRoundRobin: true });
  const now = deps.incident.clock.now();
  const actor = actorLabel(ctx.actor);
  const run = await deps.fixes.transaction(async (tx) => {
    const incident = await tx.findOpen(REVENUE_DEDUPE_KEY);
    // Decided before the insert and stored on the run (fix-repository.ts insertRun says why).
    const channel = incident?.channelId ?? null;
    const inserted = await tx.insertRun({
      incidentId: incident?.id ?? null,
      pack,
      plan,
      snapshot,
      requestedBy: actor,
      createdAtMs: now,
      expiresAtMs: now + deps.approval.ttlMs,
      channelId: channel,
    });
    const summary = {
      fix_run_id: inserted.id,
      pack: plan.packId,
      title: plan.title,
      records: plan.blast.records,
      dollars_cents: plan.blast.dollarsCents,
      changes: plan.changes.length,
    };
    if (incident)
      await tx.addEvent({
        incidentId: incident.id,
        kind: 'FIXPACK_PREVIEWED',
        actor,
        atMs: now,
        data: summary,
      });
    await tx.audit({
      actor,
      action: 'fix.previewed',
      targetType: 'fix_run',
      targetId: inserted.id,
      before: null,
      after: summary,
      atMs: now,
    });
    if (channel)
      await tx.enqueue({
        kind: 'fix.message',
        key: fixJobKeys.message(inserted.id),
        incidentId: incident?.id ?? null,
        payload: { fix_run_id: inserted.id, channel },
      });
    return inserted;
  });
  ctx.log.info(
    { fix_run_id: run.id, pack: plan.packId, records: plan.blast.records, changes: plan.changes.length },
    'fix previewed',
  );
  deps.incident.onEnqueued?.();
  return run;
}
