import type { ChartOutcome } from '../../../app/sla/report.ts';
import { looksLikeWeek, parseIsoWeek } from '../../../domain/sla/report.ts';
import { safeCode } from '../blocks/mrkdwn.ts';

/** `/sla …` as typed: a report request, or usage (with the problem, already-safe mrkdwn, when one). */
export type SlaCommand =
  | { kind: 'report'; service: string | null; week: string | null }
  | { kind: 'usage'; problem?: string };

/**
 * `report [service] [week]`, in either order: a word shaped like a week (`2026-W47`) is the week, anything
 * else the service. A week-shaped word that is no real week is refused here, before any work.
 */
export function parseSlaCommand(text: string): SlaCommand {
  const [sub, ...args] = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (sub === undefined || sub.toLowerCase() === 'help') return { kind: 'usage' };
  if (sub.toLowerCase() !== 'report')
    return { kind: 'usage', problem: `Unknown subcommand \`${safeCode(sub, 40)}\`.` };
  let service: string | null = null;
  let week: string | null = null;
  for (const a of args) {
    if (looksLikeWeek(a)) {
      const parsed = parseIsoWeek(a);
      if (!parsed.ok) return { kind: 'usage', problem: safeCode(parsed.error, 200) };
      if (week !== null) return { kind: 'usage', problem: 'Give one week at most.' };
      week = parsed.week.label;
    } else {
      if (service !== null)
        return { kind: 'usage', problem: `Unexpected \`${safeCode(a, 40)}\`: give one service at most.` };
      service = a;
    }
  }
  return { kind: 'report', service, week };
}

/** What the report says about its chart (mrkdwn), or nothing when there was no chart to share. */
export function slaChartNote(chart: ChartOutcome): string | undefined {
  switch (chart.kind) {
    case 'uploaded':
      return ':frame_with_picture: The daily attainment chart is shared in this channel.';
    case 'failed':
      return chart.code === 'not_in_channel' || chart.code === 'channel_not_found'
        ? ':warning: The chart could not be shared here: invite the bot to this channel (or run `leak sla report --chart file.png`).'
        : `:warning: The chart could not be shared (\`${safeCode(chart.code, 60)}\`); the figures above are complete.`;
    case 'skipped':
      return chart.reason === 'no_slas' ? undefined : 'The chart can only be shared in a channel.';
  }
}
