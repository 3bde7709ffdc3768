import type { Ctx } from '../../app/context.ts';
import type { StatusView, TimelineEntry } from '../../app/incident-ports.ts';
import type { ActionOutcome } from '../../app/incidents/acknowledge.ts';
import type { NoteInput } from '../../app/incidents/note.ts';
import type { IncidentScanOutcome } from '../../app/incidents/reconcile.ts';
import type { Incident } from '../../domain/incidents/incident.ts';

/** What the Slack listeners may call: use cases only, no repositories (ARCHITECTURE.md habit 5). */
export interface SlackUseCases {
  /** `/leak scan` and the Rescan button: scan, then let the result drive the incident. */
  scan(ctx: Ctx, opts: { asOfMs?: number }): Promise<IncidentScanOutcome>;
  acknowledge(ctx: Ctx, incidentId: string): Promise<ActionOutcome>;
  resolve(ctx: Ctx, incidentId: string): Promise<ActionOutcome>;
  note(ctx: Ctx, input: NoteInput): Promise<{ incident: Incident; added: boolean }>;
  timeline(ctx: Ctx, channelId: string | null): Promise<{ incident: Incident; entries: TimelineEntry[] }>;
  status(ctx: Ctx): Promise<StatusView>;
}
