import type { Ctx } from '../../../app/context.ts';
import type { RequestContext } from './request-context.ts';

/** The use-case context of a Slack request: the Slack user as actor, the request's id and logger. */
export const slackCtx = (rc: RequestContext, teamId: string, userId: string): Ctx => ({
  actor: { type: 'slack', teamId, userId },
  requestId: rc.requestId,
  log: rc.log,
});
