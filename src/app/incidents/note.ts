import type { Incident } from '../../domain/incidents/incident.ts';
import { transition } from '../../domain/incidents/lifecycle.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { IncidentDeps } from './deps.ts';

export const NOTE_MAX_CHARS = 3_000;

export interface NoteInput {
  /** The channel the note was written in: it must be an incident channel. */
  channelId: string;
  text: string;
  /** Natural key of the input (`reaction:<channel>:<ts>`, `command:<trigger_id>`): a retry adds nothing. */
  sourceKey: string;
  source: 'command' | 'reaction';
  /** For a reaction: the message copied, and who wrote it. */
  messageTs?: string;
  author?: string;
}

/** Adds a NOTE to the timeline of the incident whose channel this is. */
export async function addNote(
  deps: IncidentDeps,
  ctx: Ctx,
  input: NoteInput,
): Promise<{ incident: Incident; added: boolean }> {
  const text = input.text.trim();
  if (text === '')
    throw new AppError('VALIDATION', 'a note needs some text, e.g. `/leak note called the AE`');
  const incident = await deps.store.byChannel(input.channelId);
  if (incident === null)
    throw new AppError('NOT_FOUND', 'this channel is not an incident channel; notes belong in one');
  const t = transition(incident.state, 'note');
  if (!t.ok) throw new AppError('PRECONDITION_FAILED', t.reason);
  const actor = actorLabel(ctx.actor);
  const added = await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const data = {
      text: text.length > NOTE_MAX_CHARS ? `${text.slice(0, NOTE_MAX_CHARS - 1)}…` : text,
      source: input.source,
      ...(input.messageTs ? { message_ts: input.messageTs } : {}),
      ...(input.author ? { author: input.author } : {}),
    };
    const ok = await tx.addEvent({
      incidentId: incident.id,
      kind: 'NOTE',
      actor,
      atMs: now,
      data,
      sourceKey: input.sourceKey,
    });
    if (ok)
      await tx.audit({
        actor,
        action: 'incident.note_added',
        targetType: 'incident',
        targetId: incident.id,
        before: null,
        after: { source: input.source, chars: data.text.length },
        atMs: now,
      });
    return ok;
  });
  ctx.log.info({ incident_id: incident.id, added, source: input.source }, 'incident note');
  return { incident, added };
}
