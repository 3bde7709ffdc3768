import type { RevenueView } from '../../../app/commerce/view-model.ts';
import type { Ctx } from '../../../app/context.ts';
import type { CrmStatusView } from '../../../app/crm/status.ts';
import type { ApproveOutcome } from '../../../app/fixes/approve.ts';
import type { FixTarget } from '../../../app/fixes/preview.ts';
import type { RejectOutcome } from '../../../app/fixes/reject.ts';
import type { RollbackOutcome } from '../../../app/fixes/rollback.ts';
import type { ActionOutcome } from '../../../app/incidents/by-hand.ts';
import type { NoteInput } from '../../../app/incidents/note.ts';
import type { StatusView, TimelineEntry } from '../../../app/incidents/ports.ts';
import type { IncidentScanOutcome } from '../../../app/incidents/revenue-scan.ts';
import type { answerSlaReport, ChartOutcome } from '../../../app/sla/report.ts';
import type { FixRun } from '../../../domain/fixpacks/run.ts';
import type { Incident } from '../../../domain/incidents/incident.ts';
import type { RevopsSlackUseCases } from './revops.ts';

/** What the Slack listeners may call: use cases only, no repositories (ARCHITECTURE.md habit 5). */
export interface SlackUseCases {
  /** `/leak scan` and the Rescan button: scan, then let the result drive the incident. */
  scan(ctx: Ctx, opts: { asOfMs?: number }): Promise<IncidentScanOutcome>;
  acknowledge(ctx: Ctx, incidentId: string): Promise<ActionOutcome>;
  resolve(ctx: Ctx, incidentId: string): Promise<ActionOutcome>;
  note(ctx: Ctx, input: NoteInput): Promise<{ incident: Incident; added: boolean }>;
  timeline(ctx: Ctx, channelId: string | null): Promise<{ incident: Incident; entries: TimelineEntry[] }>;
  status(ctx: Ctx): Promise<StatusView>;
  /** Plans a fix; the outbox posts its preview in the incident channel (none: the run's channelId is null). */
  previewFix(ctx: Ctx, target: FixTarget): Promise<FixRun>;
  approveFix(ctx: Ctx, runId: string): Promise<ApproveOutcome>;
  rejectFix(ctx: Ctx, runId: string): Promise<RejectOutcome>;
  rollBackFix(ctx: Ctx, runId: string): Promise<RollbackOutcome>;
  /** `/sla report`: the week's SLA report, its chart shared in `channelId`. Absent: reports unavailable. */
  slaReport?(
    ctx: Ctx,
    q: { week: string | null; service: string | null; channelId: string | null },
  ): ReturnType<typeof answerSlaReport>;
  /**
   * `/leak revenue [day]` and the App Home revenue section: the revenue day (`day` null: today), its 7-day
   * chart shared in `channelId` (null: no chart, as for the Home tab). Absent: the revenue watch is not
   * configured.
   */
  revenue?(
    ctx: Ctx,
    q: { day: string | null; channelId: string | null },
  ): Promise<{ view: RevenueView; chart: ChartOutcome }>;
  /** `/revops`, the insight buttons and the App Home's "This week". Absent: RevOps analytics unavailable. */
  revops?: RevopsSlackUseCases;
  /** The App Home's CRM sync line (issue 16). Absent: no CRM connected. */
  crmStatus?(): Promise<readonly CrmStatusView[]>;
}
