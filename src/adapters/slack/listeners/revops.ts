import type { App, RespondArguments } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Ctx } from '../../../app/context.ts';
import type { RevopsDigest } from '../../../app/revops/digest.ts';
import type { RevopsChartOutcome, RevopsQuery, RevopsView } from '../../../app/revops/view.ts';
import { renderNotice } from '../blocks/help.ts';
import { parseRevopsAction, REVOPS_ACTIONS } from '../blocks/ids.ts';
import type { Rendered } from '../blocks/kit.ts';
import { renderRevopsDigest } from '../blocks/revops-digest.ts';
import { renderRevopsUsage } from '../blocks/revops-help.ts';
import { renderRevopsInsights } from '../blocks/revops-insights.ts';
import { revopsChartNote } from '../blocks/revops-kit.ts';
import { renderRevopsMarketing } from '../blocks/revops-marketing.ts';
import { renderRevopsPipeline } from '../blocks/revops-pipeline.ts';
import { renderRevopsRevenue } from '../blocks/revops-revenue.ts';
import { registerButtons, say } from './buttons.ts';
import { slackCtx } from './ctx.ts';
import { withErrorBoundary } from './errors.ts';
import { parseRevopsCommand } from './parse-revops.ts';
import { requestContextOf } from './request-context.ts';

/** What the RevOps listeners may call (SlackUseCases.revops): use cases only. */
export interface RevopsSlackUseCases {
  /** A view; its chart shared in `channelId` (null: no chart, as for a button click). */
  view(
    ctx: Ctx,
    q: RevopsQuery & { channelId: string | null },
  ): Promise<RevopsView & { chart: RevopsChartOutcome }>;
  /** The digest of a week (null: the one just ended), its charts shared in `channelId`. */
  digest(
    ctx: Ctx,
    q: { week: string | null; channelId: string | null },
  ): Promise<{ digest: RevopsDigest; chart: RevopsChartOutcome }>;
  /** The App Home's "This week": null when no RevOps data was imported. */
  thisWeek(ctx: Ctx): Promise<RevopsView | null>;
}

/** SlackUseCases as these listeners see it (named structurally: use-cases.ts imports this file). */
interface WithRevops {
  revops?: RevopsSlackUseCases;
}

export interface RevopsListenerDeps {
  useCases: WithRevops;
  log: Logger;
}

/** Ephemeral, like every `/leak` answer: pipeline and revenue figures are for the asker, not the channel. */
const EPHEMERAL = { response_type: 'ephemeral' } as const;

export const REVOPS_NOT_AVAILABLE =
  'RevOps analytics are not available on this server, so there are no figures to show.';

/** The view as Block Kit, with what happened to its chart. */
export function renderRevopsView(v: RevopsView & { chart?: RevopsChartOutcome }): Rendered {
  const note = v.chart ? revopsChartNote(v.chart) : undefined;
  switch (v.view) {
    case 'pipeline':
      return renderRevopsPipeline(v, note);
    case 'revenue':
      return renderRevopsRevenue(v, note);
    case 'marketing':
      return renderRevopsMarketing(v, note);
    case 'insights':
      return renderRevopsInsights(v, note);
  }
}

const WORKING = {
  pipeline: ':bar_chart: Building the pipeline view…',
  revenue: ':bar_chart: Building the revenue view…',
  marketing: ':bar_chart: Building the marketing view…',
  insights: ':bulb: Looking for insights…',
  digest: ':calendar: Building the weekly digest…',
} as const;

/**
 * `/revops …`: usage answered in the acknowledgement itself; a view or the digest acknowledged first (the
 * report runs six aggregate queries) and answered on the response_url, its chart shared in the channel.
 */
export function registerRevopsCommand(app: App, deps: RevopsListenerDeps): void {
  app.command('/revops', async ({ command, ack, respond, context }) => {
    const cmd = parseRevopsCommand(command.text ?? '');
    if (cmd.kind === 'usage') {
      await ack({ ...EPHEMERAL, ...renderRevopsUsage(cmd.problem) });
      return;
    }
    const revops = deps.useCases.revops;
    if (!revops) {
      await ack({ ...EPHEMERAL, ...renderNotice(REVOPS_NOT_AVAILABLE) });
      return;
    }
    await ack({ ...EPHEMERAL, text: WORKING[cmd.kind === 'digest' ? 'digest' : cmd.query.view] });
    const rc = requestContextOf(context, deps.log);
    const ctx = slackCtx(rc, command.team_id, command.user_id);
    const channelId = command.channel_id || null;
    await withErrorBoundary(respond, rc.log, async () => {
      let answer: Rendered;
      if (cmd.kind === 'digest') {
        const { digest, chart } = await revops.digest(ctx, { week: cmd.week, channelId });
        answer = renderRevopsDigest(
          {
            week: digest.week.label,
            span: digest.week.span,
            timezone: digest.timezone,
            report: digest.report,
          },
          revopsChartNote(chart),
        );
      } else answer = renderRevopsView(await revops.view(ctx, { ...cmd.query, channelId }));
      await respond({ ...EPHEMERAL, ...answer } satisfies RespondArguments);
    });
  });
}

/**
 * An insight's "Show pipeline / revenue / marketing": the view over the period and slices of the report
 * the insight came from, for the clicker only. No chart: a click must not post into the channel.
 */
export function registerRevopsButtons(app: App, deps: RevopsListenerDeps): void {
  registerButtons(app, deps.log, {
    actionIds: Object.values(REVOPS_ACTIONS),
    what: 'revops',
    parse: parseRevopsAction,
    async handle(parsed, ctx, { respond }) {
      const revops = deps.useCases.revops;
      if (!revops) {
        await say(respond, renderNotice(REVOPS_NOT_AVAILABLE));
        return;
      }
      const { filter } = parsed;
      const v = await revops.view(ctx, {
        view: parsed.view,
        period: { kind: 'exact', fromMs: filter.fromMs, toMs: filter.toMs },
        segment: filter.segment,
        owner: filter.owner,
        channel: filter.channel,
        channelId: null,
      });
      await say(respond, renderRevopsView({ ...v, chart: undefined }));
    },
  });
}

/**
 * The Home tab's "This week": null without RevOps analytics, without data, or when reading it failed
 * (logged as a warning): the rest of the Home tab is worth publishing without it.
 */
export async function homeRevops(useCases: WithRevops, ctx: Ctx): Promise<RevopsView | null> {
  if (!useCases.revops) return null;
  try {
    return await useCases.revops.thisWeek(ctx);
  } catch (err) {
    ctx.log.warn({ err }, 'App Home: the RevOps section could not be read; published without it');
    return null;
  }
}
