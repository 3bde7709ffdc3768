import type { Rendered } from './kit.ts';
import { escapeMrkdwn, safeCode, truncate } from './mrkdwn.ts';
import type { KnownBlock } from './types.ts';

/** Usage of `/leak`, rendered once; the command listener answers it for `help`, empty text and mistakes. */
const USAGE_LINES = [
  '`/leak scan` — scan every funnel record now: severity, paging state, dollars at risk and the top issues.',
  '`/leak scan as-of <ISO time>` — evaluate the current records as if it were that instant (ages and SLAs measured from it; not in the future), e.g. `/leak scan as-of 2025-03-01T09:00:00Z` (`--as-of` works too).',
  '`/leak status` — open incidents, the revenue error budget, the SLOs and the latest activity.',
  "`/leak timeline` — the timeline of this channel's incident (elsewhere: the worst open one, else the latest).",
  "`/leak note <text>` — add a note to the timeline of this channel's incident (or react to a message with :stopwatch:).",
  '`/leak revenue [YYYY-MM-DD]` — daily net revenue per currency (today by default), the slope, open revenue incidents and the state of every webhook source; the 7-day chart is shared in the channel.',
  '`/leak help` — this message.',
];
const USAGE_TEXT = `Usage: ${USAGE_LINES.join(' ')}`;

const usageBlocks = (): KnownBlock[] => [
  {
    type: 'section',
    text: { type: 'mrkdwn', text: `*Revenue Leak SRE*\n${USAGE_LINES.map((l) => `• ${l}`).join('\n')}` },
  },
  {
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: 'Results are shown only to you. Times need a zone: `Z` or `+02:00`.' },
    ],
  },
];

export function renderHelp(): Rendered {
  return { text: USAGE_TEXT, blocks: usageBlocks() };
}

/** A problem with what the user typed, followed by usage. `problem` is already-safe mrkdwn built by the caller. */
export function renderUsageError(problem: string): Rendered {
  return {
    text: `${problem} ${USAGE_TEXT}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${problem}` } }, ...usageBlocks()],
  };
}

/** "Unknown subcommand `x`": the echoed word is user input, so it is escaped and kept short. */
export function renderUnknownSubcommand(word: string): Rendered {
  return renderUsageError(`Unknown subcommand \`${safeCode(word, 40)}\`.`);
}

/** A one-section message (errors, notices). `text` is escaped here (it may quote data): callers pass raw text. */
export function renderNotice(text: string): Rendered {
  const safe = escapeMrkdwn(truncate(text, 2900));
  return { text: safe, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: safe } }] };
}
