import type { App, BlockAction, RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import type { FixRun } from '../../../domain/fixpacks/run.ts';
import { renderFixPreview } from '../blocks/fix-preview.ts';
import { type Approvers, type FixReply, renderFixReply } from '../blocks/fix-replies.ts';
import { FIX_ACTIONS, parseFixAction } from '../blocks/ids.ts';
import { registerButtons, say } from './buttons.ts';
import type { SlackUseCases } from './use-cases.ts';

export interface FixActionDeps {
  useCases: SlackUseCases;
  /** Named when someone who is not an approver clicks; none configured when absent. */
  approvers?: Approvers;
  log: Logger;
}

/**
 * The fix buttons: Preview (War Room, scan summary), then Approve / Reject / Roll back on the preview
 * message. Each click runs one use case and answers the clicker only (buttons.ts): a replace of the preview
 * message would race the outbox's update of it and could put back buttons the new state no longer has.
 * Double clicks and Slack's retries are safe because the use cases are: the second one comes back
 * `already` and says who decided.
 *
 * A preview with no incident channel to go to (the run's channelId is null) is private: it is answered to
 * the clicker alone on the click's response_url, never posted where the button was clicked (issue 10 item
 * 6). The outbox cannot edit an ephemeral message, so a click on it replaces it from here, with the run as
 * the click left it; Slack gives each click a fresh response_url for the message clicked.
 */
const NO_APPROVERS: Approvers = { users: [], group: null };

export function registerFixActions(app: App, deps: FixActionDeps): void {
  const approvers = deps.approvers ?? NO_APPROVERS;
  registerButtons(app, deps.log, {
    actionIds: Object.values(FIX_ACTIONS),
    what: 'fix',
    parse: parseFixAction,
    async handle(parsed, ctx, { body, respond }) {
      const uc = deps.useCases;
      let reply: FixReply;
      switch (parsed.action) {
        case 'preview': {
          const run = await uc.previewFix(ctx, parsed.target);
          if (run.channelId === null) {
            await respond({ response_type: 'ephemeral', replace_original: false, ...renderFixPreview(run) });
            return;
          }
          // The worker posts the preview in the incident channel (and edits it later): say where it went.
          reply = { action: 'preview', run };
          break;
        }
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
      if (reply.action !== 'preview' && reply.out.outcome !== 'forbidden')
        await replacePrivatePreview(body, respond, reply.out.run);
      await say(respond, renderFixReply(reply, approvers));
    },
  });
}

/** A click on a private (ephemeral) preview: the preview is replaced with the run's state after the click. */
async function replacePrivatePreview(body: BlockAction, respond: RespondFn, run: FixRun): Promise<void> {
  const ephemeral = (body.container as { is_ephemeral?: unknown } | undefined)?.is_ephemeral === true;
  if (!ephemeral || run.channelId !== null) return;
  await respond({ response_type: 'ephemeral', replace_original: true, ...renderFixPreview(run) });
}
