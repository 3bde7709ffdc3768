import { parseIsoInstant } from '../../../shared/time.ts';

/**
 * `/leak` grammar, parsed without Slack or I/O so it is table-testable:
 *   (empty) | help | status | timeline | note <text> | revenue [YYYY-MM-DD]
 *   | scan [as-of <ISO> | --as-of <ISO> | --as-of=<ISO>]
 * Subcommands are case-insensitive; the time must carry a zone (shared/time.ts). A note's text is
 * everything after `note `, kept as typed (case and inner spacing) apart from the ends.
 */
export type LeakCommand =
  | { kind: 'help' }
  | { kind: 'scan'; asOfMs?: number }
  | { kind: 'status' }
  | { kind: 'timeline' }
  | { kind: 'note'; text: string }
  /** A revenue day (local date in the revenue time zone), or null for today. */
  | { kind: 'revenue'; day: string | null }
  | { kind: 'unknown'; word: string }
  | {
      kind: 'invalid';
      reason: 'as_of_missing' | 'as_of_invalid' | 'unexpected_argument' | 'note_missing' | 'day_invalid';
      token: string;
      /** The subcommand an unexpected argument followed, when it is not `scan`. */
      after?: 'status' | 'timeline' | 'revenue';
    };

/** `note`, then one whitespace character (a newline too), then the text, which may span lines. */
const NOTE = /^note(?:\s([\s\S]*))?$/i;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date `YYYY-MM-DD` (not 2025-02-30); `today` is today. Which zone is the use case's. */
function parseRevenue(args: readonly string[]): LeakCommand {
  const [word, extra] = args;
  if (extra !== undefined)
    return { kind: 'invalid', reason: 'unexpected_argument', token: extra, after: 'revenue' };
  if (word === undefined || word.toLowerCase() === 'today') return { kind: 'revenue', day: null };
  const m = DAY.exec(word);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== word)
    return { kind: 'invalid', reason: 'day_invalid', token: word };
  return { kind: 'revenue', day: word };
}

export function parseLeakCommand(text: string): LeakCommand {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const [sub, ...args] = words;
  if (sub === undefined || sub.toLowerCase() === 'help') return { kind: 'help' };
  const lowerSub = sub.toLowerCase();
  if (lowerSub === 'note') {
    const body = NOTE.exec(text.trim())?.[1]?.trim() ?? '';
    return body === ''
      ? { kind: 'invalid', reason: 'note_missing', token: sub }
      : { kind: 'note', text: body };
  }
  if (lowerSub === 'revenue') return parseRevenue(args);
  if (lowerSub === 'status' || lowerSub === 'timeline') {
    if (args[0] !== undefined)
      return { kind: 'invalid', reason: 'unexpected_argument', token: args[0], after: lowerSub };
    return { kind: lowerSub };
  }
  if (lowerSub !== 'scan') return { kind: 'unknown', word: sub };
  if (args.length === 0) return { kind: 'scan' };

  const [flag, ...rest] = args as [string, ...string[]];
  let value: string | undefined;
  let extra: string[];
  const lower = flag.toLowerCase();
  if (lower === 'as-of' || lower === '--as-of') {
    value = rest[0];
    extra = rest.slice(1);
  } else if (lower.startsWith('--as-of=')) {
    value = flag.slice('--as-of='.length);
    extra = rest;
  } else {
    return { kind: 'invalid', reason: 'unexpected_argument', token: flag };
  }
  if (value === undefined || value === '') return { kind: 'invalid', reason: 'as_of_missing', token: flag };
  const asOfMs = parseIsoInstant(value);
  if (asOfMs === null) return { kind: 'invalid', reason: 'as_of_invalid', token: value };
  if (extra[0] !== undefined) return { kind: 'invalid', reason: 'unexpected_argument', token: extra[0] };
  return { kind: 'scan', asOfMs };
}
