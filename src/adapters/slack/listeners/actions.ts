import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RuleThresholds } from '../../../domain/rules/catalog.ts';
import { renderNotice } from '../blocks/help.ts';
import { ACTIONS, parseIncidentAction } from '../blocks/ids.ts';
import { renderIncidentAnswer } from '../blocks/incident-replies.ts';
import { renderScanSummary } from '../blocks/scan-summary.ts';
import { registerButtons, say } from './buttons.ts';
import { registerRevopsButtons } from './revops.ts';
import type { SlackUseCases } from './use-cases.ts';

export interface ActionDeps {
  useCases: SlackUseCases;
  thresholds: RuleThresholds;
  log: Logger;
}

/**
 * The incident buttons (War Room, page, DM): each click runs one use case and answers the clicker only
 * (buttons.ts). Double clicks and Slack's retries are safe because the use cases are: a second acknowledge
 * or resolve comes back `changed: false` and says who was first.
 */
export function registerActions(app: App, deps: ActionDeps): void {
  registerButtons(app, deps.log, {
    actionIds: Object.values(ACTIONS),
    what: 'incident',
    parse: parseIncidentAction,
    async handle(parsed, ctx, { respond }) {
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
    },
  });
  // An insight's "Show pipeline / revenue / marketing".
  registerRevopsButtons(app, deps);
}
