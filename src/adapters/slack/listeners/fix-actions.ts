import type { App, BlockAction, RespondArguments, RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import { type Approvers, type FixReply, renderFixReply } from '../blocks/fix-replies.ts';
import { renderNotice } from '../blocks/help.ts';
import type { Rendered } from '../blocks/scan-summary.ts';
import { withErrorBoundary } from '../errors.ts';
import { FIX_ACTIONS, parseFixAction } from '../ids.ts';
import { requestContextOf } from '../request-context.ts';
import type { SlackUseCases } from '../use-cases.ts';
import { slackCtx } from './ctx.ts';

export interface FixActionDeps {
  useCases: SlackUseCases;
  /** Named when someone who is not an approver clicks; none configured when absent. */
  approvers?: Approvers;
  log: Logger;
}

/**
 * The fix buttons: Preview (War Room, scan summary), then Approve / Reject / Roll back on the preview
 * message. Each click is acknowledged first, runs one use case and answers the clicker only: ephemeral and
 * never replacing the message clicked, because the preview message is the outbox's to post and to edit in
 * place (a replace here would race its update and could put back buttons the new state no longer has).
 * Double clicks and Slack's retries are safe because the use cases are: the second one comes back
 * `already` and says who decided.
 */
const REPLY = { response_type: 'ephemeral', replace_original: false } as const;
const BAD_BUTTON = 'That button is not one this bot made, or it is out of date. Try `/leak status`.';
const NO_APPROVERS: Approvers = { users: [], group: null };

const say = (respond: RespondFn, r: Rendered) => respond({ ...REPLY, ...r } satisfies RespondArguments);

export function registerFixActions(app: App, deps: FixActionDeps): void {
  const approvers = deps.approvers ?? NO_APPROVERS;
  for (const actionId of Object.values(FIX_ACTIONS)) {
    app.action<BlockAction>(
      { type: 'block_actions', action_id: actionId },
      async ({ ack, body, action, respond, context }) => {
        await ack();
        const rc = requestContextOf(context, deps.log);
        await withErrorBoundary(respond, rc.log, async () => {
          const value = 'value' in action ? action.value : undefined;
          const parsed = parseFixAction(action.action_id, value);
          if (parsed === null) {
            rc.log.warn({ action_id: action.action_id }, 'fix button not understood');
            await say(respond, renderNotice(BAD_BUTTON));
            return;
          }
          const ctx = slackCtx(rc, body.team?.id ?? body.user.team_id ?? '', body.user.id);
          const uc = deps.useCases;
          let reply: FixReply;
          switch (parsed.action) {
            case 'preview':
              // The worker posts the preview itself (and edits it later): only say where it went.
              reply = {
                action: 'preview',
                run: await uc.previewFix(ctx, parsed.target, { channelId: body.channel?.id ?? null }),
              };
              break;
            case 'approve':
              reply = { action: 'approve', out: await uc.approveFix(ctx, parsed.runId) };
              break;
            case 'reject':
              reply = { action: 'reject', out: await uc.rejectFix(ctx, parsed.runId) };
              break;
            case 'rollback':
              reply = { action: 'rollback', out: await uc.rollBackFix(ctx, parsed.runId) };
              break;
          }
          await say(respond, renderFixReply(reply, approvers));
        });
      },
    );
  }
}
