import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RevenueView } from '../../../app/commerce/view-model.ts';
import type { Ctx } from '../../../app/context.ts';
import type { CrmStatusView } from '../../../app/crm/status.ts';
import { isAppError } from '../../../shared/errors.ts';
import { renderHome } from '../blocks/home.ts';
import { slackCtx } from './ctx.ts';
import { requestContextOf } from './request-context.ts';
import { homeRevops } from './revops.ts';
import type { SlackUseCases } from './use-cases.ts';

export interface EventDeps {
  useCases: SlackUseCases;
  log: Logger;
  /** The clock the Home tab's "Updated …" line reads. */
  nowMs: () => number;
}

/** The reaction that copies a message into the incident timeline. */
export const NOTE_REACTION = 'stopwatch';

interface FoundMessage {
  ts?: string;
  text?: string;
  user?: string;
}

/**
 * The Home tab's revenue section: null when the revenue watch is not configured, or when reading it failed
 * (logged as a warning): the rest of the Home tab is worth publishing without it. No channel: no chart.
 */
export async function homeRevenue(useCases: SlackUseCases, ctx: Ctx): Promise<RevenueView | null> {
  if (!useCases.revenue) return null;
  try {
    return (await useCases.revenue(ctx, { day: null, channelId: null })).view;
  } catch (err) {
    ctx.log.warn({ err }, 'App Home: the revenue section could not be read; published without it');
    return null;
  }
}

/**
 * The Home tab's CRM sync lines, one per configured CRM: none without a CRM, or when reading them failed
 * (logged; published without them).
 */
export async function homeCrm(useCases: SlackUseCases, ctx: Ctx): Promise<readonly CrmStatusView[]> {
  if (!useCases.crmStatus) return [];
  try {
    return await useCases.crmStatus();
  } catch (err) {
    ctx.log.warn({ err }, 'App Home: the CRM sync status could not be read; published without it');
    return [];
  }
}

/**
 * Events API listeners. Bolt has acknowledged the delivery before these run, so nothing here can answer
 * the user; they stay silent on success. Slack retries a delivery (context.retryNum) and can send the same
 * reaction twice under new event ids: the note is keyed on the message (`reaction:<channel>:<ts>`), so
 * every copy after the first adds nothing. Unexpected errors go to the one boundary (app.error).
 */
export function registerEvents(app: App, deps: EventDeps): void {
  app.event('reaction_added', async ({ event, body, client, context }) => {
    if (event.reaction !== NOTE_REACTION || event.item?.type !== 'message') return;
    const rc = requestContextOf(context, deps.log);
    const { channel, ts } = event.item;
    const log = rc.log.child({ channel, ts, retry_num: context.retryNum ?? 0 });

    // The message itself: history finds a top-level message; a thread reply is only in its thread.
    const history = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
    let message: FoundMessage | undefined = (history.messages as FoundMessage[] | undefined)?.find(
      (m) => m.ts === ts,
    );
    if (message === undefined) {
      const replies = await client.conversations.replies({ channel, ts, latest: ts, inclusive: true });
      message = (replies.messages as FoundMessage[] | undefined)?.find((m) => m.ts === ts);
    }
    if (message === undefined) {
      log.debug({}, 'stopwatch reaction on a message that cannot be read; ignored');
      return;
    }

    // The reactor copies the note (the entry's actor); the words are the message author's, whom the
    // timeline credits. History names the author; the event's item_user is Slack's word for the same.
    const ctx = slackCtx(rc, body.team_id ?? '', event.user);
    const author = message.user ?? event.item_user;
    try {
      const { incident, added } = await deps.useCases.note(ctx, {
        channelId: channel,
        text: message.text ?? '',
        sourceKey: `reaction:${channel}:${ts}`,
        source: 'reaction',
        messageTs: ts,
        ...(author ? { author } : {}),
      });
      log.debug({ incident_id: incident.id, added }, 'stopwatch reaction noted');
    } catch (err) {
      // Outside an incident channel, or a message without text: a stopwatch there is not an error.
      if (!isAppError(err)) throw err;
      log.debug({ code: err.code, reason: err.message }, 'stopwatch reaction ignored');
    }
  });

  app.event('app_home_opened', async ({ event, body, client, context }) => {
    if (event.tab !== 'home') return;
    const rc = requestContextOf(context, deps.log);
    const ctx = slackCtx(rc, body.team_id ?? '', event.user);
    const [view, revenue, revops, crm] = await Promise.all([
      deps.useCases.status(ctx),
      homeRevenue(deps.useCases, ctx),
      homeRevops(deps.useCases, ctx),
      homeCrm(deps.useCases, ctx),
    ]);
    await client.views.publish({
      user_id: event.user,
      view: renderHome(view, deps.nowMs(), revenue, revops, crm),
    });
  });
}
