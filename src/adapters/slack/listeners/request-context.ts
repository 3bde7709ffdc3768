import { randomUUID } from 'node:crypto';
import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Per-request context (ARCHITECTURE.md habit 8): a request id and a child logger carrying team_id,
 * user_id and request_id, put on Bolt's `context` by one global middleware so every listener, the error
 * boundary and the use cases log with the same fields.
 */
export interface RequestContext {
  requestId: string;
  teamId: string;
  userId: string;
  log: Logger;
}

const KEY = 'request';

type Loose = Record<string, unknown> | undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Loose =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;

/** Team and user as each payload family carries them: commands (flat), interactions (objects), events. */
export function identify(body: unknown): { teamId: string; userId: string; eventId: string | undefined } {
  const b = obj(body) ?? {};
  const event = obj(b['event']);
  const team = obj(b['team']);
  const user = obj(b['user']);
  return {
    teamId: str(b['team_id']) ?? str(team?.['id']) ?? str(user?.['team_id']) ?? str(event?.['team']) ?? '',
    userId:
      str(b['user_id']) ??
      str(user?.['id']) ??
      str(event?.['user']) ??
      str(obj(event?.['user'])?.['id']) ??
      '',
    eventId: str(b['event_id']),
  };
}

export function requestContextMiddleware(root: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const { teamId, userId, eventId } = identify(body);
    // An Events API retry keeps its event_id: reusing it ties the retries' log lines together.
    const requestId = eventId ?? randomUUID();
    const rc: RequestContext = {
      requestId,
      teamId,
      userId,
      log: root.child({ team_id: teamId, user_id: userId, request_id: requestId }),
    };
    context[KEY] = rc;
    await next();
  };
}

/** The request's context; a fresh one if the middleware did not run (an error raised before it). */
export function requestContextOf(context: Context | undefined, root: Logger): RequestContext {
  const rc = context?.[KEY] as RequestContext | undefined;
  if (rc) return rc;
  const requestId = randomUUID();
  return { requestId, teamId: '', userId: '', log: root.child({ request_id: requestId }) };
}
