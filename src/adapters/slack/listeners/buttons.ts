import type { App, BlockAction, RespondArguments, RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Ctx } from '../../../app/context.ts';
import { renderNotice } from '../blocks/help.ts';
import { actionIdPattern } from '../blocks/ids.ts';
import type { Rendered } from '../blocks/kit.ts';
import { slackCtx } from './ctx.ts';
import { withErrorBoundary } from './errors.ts';
import { requestContextOf } from './request-context.ts';

/**
 * Answers to a click go to the clicker only, and never replace the message clicked: the messages with
 * buttons (War Room, fix preview) are the outbox's to post and edit in place, and a replace here would race
 * that update.
 */
const REPLY = { response_type: 'ephemeral', replace_original: false } as const;
const BAD_BUTTON = 'That button is not one this bot made, or it is out of date. Try `/leak status`.';

export const say = (respond: RespondFn, r: Rendered) =>
  respond({ ...REPLY, ...r } satisfies RespondArguments);

export interface ButtonFamily<P> {
  /** The family's action ids; each also matches its indexed form `<id>#<n>` (ids.ts indexedActionId). */
  actionIds: readonly string[];
  /** Names the family in the log line of a button it does not understand ("incident", "fix"). */
  what: string;
  /** The button's meaning from its action id and value, or null for one this bot did not make. */
  parse(actionId: string, value: string | undefined): P | null;
  handle(parsed: P, ctx: Ctx, click: { body: BlockAction; respond: RespondFn }): Promise<void>;
}

/**
 * Registers a family of buttons: each click is acknowledged first, parsed (a button this bot did not make,
 * or an outdated one, gets a notice), and handled as the clicking user inside the error boundary.
 */
export function registerButtons<P>(app: App, log: Logger, family: ButtonFamily<P>): void {
  for (const actionId of family.actionIds) {
    app.action<BlockAction>(
      { type: 'block_actions', action_id: actionIdPattern(actionId) },
      async ({ ack, body, action, respond, context }) => {
        await ack();
        const rc = requestContextOf(context, log);
        await withErrorBoundary(respond, rc.log, async () => {
          const value = 'value' in action ? action.value : undefined;
          const parsed = family.parse(action.action_id, value);
          if (parsed === null) {
            rc.log.warn({ action_id: action.action_id }, `${family.what} button not understood`);
            await say(respond, renderNotice(BAD_BUTTON));
            return;
          }
          const ctx = slackCtx(rc, body.team?.id ?? body.user.team_id ?? '', body.user.id);
          await family.handle(parsed, ctx, { body, respond });
        });
      },
    );
  }
}
