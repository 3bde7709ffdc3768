import type { AllMiddlewareArgs, App, RespondArguments, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RuleThresholds } from '../../../domain/rules/catalog.ts';
import { renderHelp, renderNotice, renderUnknownSubcommand, renderUsageError } from '../blocks/help.ts';
import { renderStatus } from '../blocks/home.ts';
import { renderIncidentAnswer } from '../blocks/incident-replies.ts';
import type { Rendered } from '../blocks/kit.ts';
import { safeCode } from '../blocks/mrkdwn.ts';
import { renderRevenueView, revenueChartNote } from '../blocks/revenue.ts';
import { renderScanSummary } from '../blocks/scan-summary.ts';
import { renderSlaReport, renderSlaUsage } from '../blocks/sla-report.ts';
import { renderTimeline } from '../blocks/timeline.ts';
import { slackCtx } from './ctx.ts';
import { withErrorBoundary } from './errors.ts';
import { type LeakCommand, parseLeakCommand } from './parse-leak.ts';
import { parseSlaCommand, slaChartNote } from './parse-sla.ts';
import { requestContextOf } from './request-context.ts';
import { registerRevopsCommand } from './revops.ts';
import type { SlackUseCases } from './use-cases.ts';

export interface CommandDeps {
  useCases: SlackUseCases;
  thresholds: RuleThresholds;
  log: Logger;
}

/**
 * Answers are EPHEMERAL (only the invoker sees them): they name records, owners and deal values, and
 * `/leak` may be typed in any channel, including ones whose members should not see pipeline data. Posting
 * to a channel is a deliberate act that belongs to the incident flow (the outbox), not a side effect of asking.
 */
const EPHEMERAL = { response_type: 'ephemeral' } as const;

export const SLA_NOT_AVAILABLE =
  'Weekly SLA reports come with the telemetry engine, which is not part of this release yet, so there is no ' +
  'report to show. For the revenue error budget, burn rate and open leaks right now, run `/leak scan`.';

export const REVENUE_NOT_CONFIGURED =
  'The revenue watch is not configured here, so there is no ledger to show. To turn it on, set ' +
  '`SHOPIFY_WEBHOOK_SECRET` and/or `STRIPE_WEBHOOK_SECRET` and point the store at `/webhooks/shopify` and ' +
  'the payment provider at `/webhooks/stripe`.';

const EXAMPLE_TIME = '2025-03-01T09:00:00Z';
const EXAMPLE_DAY = '2025-03-01';

/** The subcommands that do work: acknowledged at once, answered on the response_url. */
type WorkCommand = Extract<LeakCommand, { kind: 'scan' | 'status' | 'timeline' | 'note' }>;
type UsageCommand = Exclude<LeakCommand, WorkCommand | { kind: 'revenue' }>;

const isWork = (cmd: LeakCommand): cmd is WorkCommand =>
  cmd.kind === 'scan' || cmd.kind === 'status' || cmd.kind === 'timeline' || cmd.kind === 'note';

/** Usage-level answers: everything `/leak` can say without doing any work. */
export function renderLeakAnswer(cmd: UsageCommand): Rendered {
  switch (cmd.kind) {
    case 'help':
      return renderHelp();
    case 'unknown':
      return renderUnknownSubcommand(cmd.word);
    case 'invalid':
      switch (cmd.reason) {
        case 'as_of_missing':
          return renderUsageError(`\`${safeCode(cmd.token, 20)}\` needs a time, e.g. \`${EXAMPLE_TIME}\`.`);
        case 'as_of_invalid':
          return renderUsageError(
            `\`${safeCode(cmd.token, 60)}\` is not an ISO-8601 time with a zone; try \`${EXAMPLE_TIME}\`.`,
          );
        case 'unexpected_argument':
          return renderUsageError(
            `Unexpected \`${safeCode(cmd.token, 40)}\` after \`${cmd.after ?? 'scan'}\`.`,
          );
        case 'note_missing':
          return renderUsageError('`/leak note` needs some text, e.g. `/leak note called the AE`.');
        case 'day_invalid':
          return renderUsageError(
            `\`${safeCode(cmd.token, 40)}\` is not a date; give the revenue day as YYYY-MM-DD, e.g. \`/leak revenue ${EXAMPLE_DAY}\`.`,
          );
      }
  }
}

/** What the user sees between the acknowledgement and the answer. */
const WORKING: Record<WorkCommand['kind'], string> = {
  scan: ':mag: Scanning funnel records…',
  status: ':hourglass_flowing_sand: Gathering the incident status…',
  timeline: ':hourglass_flowing_sand: Reading the timeline…',
  note: ':memo: Adding your note…',
};

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** `/leak revenue [day]`: like `/sla report`, acknowledged first, answered with the view and its chart note. */
async function answerRevenue(deps: CommandDeps, day: string | null, args: CommandArgs): Promise<void> {
  const { command, ack, respond, context } = args;
  const revenue = deps.useCases.revenue;
  if (!revenue) {
    await ack({ ...EPHEMERAL, ...renderNotice(REVENUE_NOT_CONFIGURED) });
    return;
  }
  // Acknowledged before any work: the view reads a week of ledger buckets and every source's deliveries.
  await ack({ ...EPHEMERAL, text: ':bar_chart: Building the revenue view…' });
  const rc = requestContextOf(context, deps.log);
  const ctx = slackCtx(rc, command.team_id, command.user_id);
  await withErrorBoundary(respond, rc.log, async () => {
    const { view, chart } = await revenue(ctx, { day, channelId: command.channel_id || null });
    await respond({
      ...EPHEMERAL,
      ...renderRevenueView(view, revenueChartNote(chart)),
    } satisfies RespondArguments);
  });
}

export function registerCommands(app: App, deps: CommandDeps): void {
  app.command('/leak', async (args) => {
    const { command, ack, respond, context } = args;
    const cmd = parseLeakCommand(command.text ?? '');
    if (cmd.kind === 'revenue') {
      await answerRevenue(deps, cmd.day, args);
      return;
    }
    if (!isWork(cmd)) {
      // Nothing to compute: the answer rides on the acknowledgement itself.
      await ack({ ...EPHEMERAL, ...renderLeakAnswer(cmd) });
      return;
    }
    // Acknowledge before any work: a scan over a large funnel can outlast Slack's 3-second window.
    await ack({ ...EPHEMERAL, text: WORKING[cmd.kind] });

    const rc = requestContextOf(context, deps.log);
    const ctx = slackCtx(rc, command.team_id, command.user_id);
    const answer = (r: Rendered) => respond({ ...EPHEMERAL, ...r } satisfies RespondArguments);
    await withErrorBoundary(respond, rc.log, async () => {
      const uc = deps.useCases;
      switch (cmd.kind) {
        case 'scan': {
          const outcome = await uc.scan(ctx, cmd.asOfMs === undefined ? {} : { asOfMs: cmd.asOfMs });
          await answer(renderScanSummary(outcome, { thresholds: deps.thresholds }));
          return;
        }
        case 'status':
          await answer(renderStatus(await uc.status(ctx)));
          return;
        case 'timeline': {
          const { incident, entries } = await uc.timeline(ctx, command.channel_id || null);
          await answer(renderTimeline(incident, entries));
          return;
        }
        case 'note': {
          const { incident, added } = await uc.note(ctx, {
            channelId: command.channel_id,
            text: cmd.text,
            sourceKey: `command:${command.trigger_id}`,
            source: 'command',
          });
          await answer(renderIncidentAnswer({ action: 'note', added, incident }));
          return;
        }
      }
    });
  });

  app.command('/sla', async ({ command, ack, respond, context }) => {
    const cmd = parseSlaCommand(command.text ?? '');
    if (cmd.kind === 'usage') {
      await ack({ ...EPHEMERAL, ...renderSlaUsage(cmd.problem) });
      return;
    }
    const report = deps.useCases.slaReport;
    if (!report) {
      await ack({ ...EPHEMERAL, ...renderNotice(SLA_NOT_AVAILABLE) });
      return;
    }
    // Acknowledged before any work: the report reads a week of Gold, Silver sketches and scans.
    await ack({ ...EPHEMERAL, text: ':bar_chart: Building the SLA report…' });
    const rc = requestContextOf(context, deps.log);
    const ctx = slackCtx(rc, command.team_id, command.user_id);
    await withErrorBoundary(respond, rc.log, async () => {
      const { report: r, chart } = await report(ctx, {
        week: cmd.week,
        service: cmd.service,
        channelId: command.channel_id || null,
      });
      await respond({ ...EPHEMERAL, ...renderSlaReport(r, slaChartNote(chart)) } satisfies RespondArguments);
    });
  });

  registerRevopsCommand(app, deps);
}
