import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { type Approvers, type FixReply, renderFixReply } from '../blocks/fix-replies.ts';
import { FIX_ACTIONS, parseFixAction } from '../ids.ts';
import type { SlackUseCases } from '../use-cases.ts';
import { registerButtons, say } from './buttons.ts';

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
    },
  });
}
