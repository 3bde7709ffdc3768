import type { App, BlockAction, RespondArguments, RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RuleThresholds } from '../../../domain/rules/catalog.ts';
import { renderNotice } from '../blocks/help.ts';
import { renderIncidentAnswer } from '../blocks/incident-replies.ts';
import { type Rendered, renderScanSummary } from '../blocks/scan-summary.ts';
import { withErrorBoundary } from '../errors.ts';
import { ACTIONS, parseIncidentAction } from '../ids.ts';
import { requestContextOf } from '../request-context.ts';
import type { SlackUseCases } from '../use-cases.ts';
import { slackCtx } from './ctx.ts';

export interface ActionDeps {
  useCases: SlackUseCases;
  thresholds: RuleThresholds;
  log: Logger;
}

/**
 * The incident buttons (War Room, page, DM). Each click is acknowledged first, then runs one use case and
 * answers the clicker only (ephemeral, never replacing the message clicked: the War Room is the outbox's to
 * update). Double clicks and Slack's retries are safe because the use cases are: a second acknowledge or
 * resolve comes back `changed: false` and says who was first.
 */
const REPLY = { response_type: 'ephemeral', replace_original: false } as const;
const BAD_BUTTON = 'That button is not one this bot made, or it is out of date. Try `/leak status`.';

const say = (respond: RespondFn, r: Rendered) => respond({ ...REPLY, ...r } satisfies RespondArguments);

export function registerActions(app: App, deps: ActionDeps): void {
  for (const actionId of Object.values(ACTIONS)) {
    app.action<BlockAction>(
      { type: 'block_actions', action_id: actionId },
      async ({ ack, body, action, respond, context }) => {
        await ack();
        const rc = requestContextOf(context, deps.log);
        await withErrorBoundary(respond, rc.log, async () => {
          const value = 'value' in action ? action.value : undefined;
          const parsed = parseIncidentAction(action.action_id, value);
          if (parsed === null) {
            rc.log.warn({ action_id: action.action_id }, 'incident button not understood');
            await say(respond, renderNotice(BAD_BUTTON));
            return;
          }
          const ctx = slackCtx(rc, body.team?.id ?? body.user.team_id ?? '', body.user.id);
          const uc = deps.useCases;
          switch (parsed.action) {
            case 'ack': {
              const out = await uc.acknowledge(ctx, parsed.incidentId);
              await say(respond, renderIncidentAnswer({ action: 'ack', ...out }));
              return;
            }
            case 'resolve': {
              const out = await uc.resolve(ctx, parsed.incidentId);
              await say(respond, renderIncidentAnswer({ action: 'resolve', ...out }));
              return;
            }
            case 'rescan': {
              await say(respond, renderNotice(':mag: Rescanning…'));
              const outcome = await uc.scan(ctx, {});
              await say(respond, renderScanSummary(outcome, { thresholds: deps.thresholds }));
              return;
            }
          }
        });
      },
    );
  }
}
