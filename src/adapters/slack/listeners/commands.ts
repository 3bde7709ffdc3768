import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Ctx } from '../../../app/context.ts';
import type { ScanOutcome } from '../../../app/scan.ts';
import type { RuleThresholds } from '../../../domain/rules/catalog.ts';
import { renderHelp, renderNotice, renderUnknownSubcommand, renderUsageError } from '../blocks/help.ts';
import { safeCode } from '../blocks/mrkdwn.ts';
import type { Rendered } from '../blocks/scan-summary.ts';
import { renderScanSummary } from '../blocks/scan-summary.ts';
import { withErrorBoundary } from '../errors.ts';
import { requestContextOf } from '../request-context.ts';
import { type LeakCommand, parseLeakCommand } from './parse-leak.ts';

/** What the command listeners need from the application layer: use cases only, no repositories. */
export interface CommandUseCases {
  scan(ctx: Ctx, opts: { asOfMs?: number }): Promise<ScanOutcome>;
}

export interface CommandDeps {
  useCases: CommandUseCases;
  thresholds: RuleThresholds;
  log: Logger;
}

/**
 * Scan results are EPHEMERAL (only the invoker sees them): they name records, owners and deal values, and
 * `/leak` may be typed in any channel, including ones whose members should not see pipeline data. Posting
 * to a channel is a deliberate act that belongs to the incident flow, not a side effect of asking.
 */
const EPHEMERAL = { response_type: 'ephemeral' } as const;

export const SLA_NOT_AVAILABLE =
  'Weekly SLA reports come with the telemetry engine, which is not part of this release yet, so there is no ' +
  'report to show. For the revenue error budget, burn rate and open leaks right now, run `/leak scan`.';

const EXAMPLE_TIME = '2025-03-01T09:00:00Z';

/** Usage-level answers: everything `/leak` can say without doing any work. */
export function renderLeakAnswer(cmd: Exclude<LeakCommand, { kind: 'scan' }>): Rendered {
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
          return renderUsageError(`Unexpected \`${safeCode(cmd.token, 40)}\` after \`scan\`.`);
      }
  }
}

export function registerCommands(app: App, deps: CommandDeps): void {
  app.command('/leak', async ({ command, ack, respond, context }) => {
    const cmd = parseLeakCommand(command.text ?? '');
    if (cmd.kind !== 'scan') {
      // Nothing to compute: the answer rides on the acknowledgement itself.
      await ack({ ...EPHEMERAL, ...renderLeakAnswer(cmd) });
      return;
    }
    // Acknowledge before any work: a scan over a large funnel can outlast Slack's 3-second window.
    await ack({ ...EPHEMERAL, text: ':mag: Scanning funnel records…' });

    const rc = requestContextOf(context, deps.log);
    await withErrorBoundary(respond, rc.log, async () => {
      const ctx: Ctx = {
        actor: { type: 'slack', teamId: command.team_id, userId: command.user_id },
        requestId: rc.requestId,
        log: rc.log,
      };
      const outcome = await deps.useCases.scan(ctx, cmd.asOfMs === undefined ? {} : { asOfMs: cmd.asOfMs });
      await respond({ ...EPHEMERAL, ...renderScanSummary(outcome, { thresholds: deps.thresholds }) });
    });
  });

  app.command('/sla', async ({ ack }) => {
    await ack({ ...EPHEMERAL, ...renderNotice(SLA_NOT_AVAILABLE) });
  });
}
