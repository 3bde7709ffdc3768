import type { RevopsQuery, RevopsViewName } from '../../../app/revops/view.ts';
import {
  type CalendarUnit,
  DEFAULT_PERIOD,
  isDate,
  type PeriodSpec,
  parseDays,
  parseDigestWeek,
  parseRange,
} from '../../../app/revops/view-period.ts';
import { SEGMENTS, type Segment } from '../../../domain/revops/types.ts';
import { safeCode } from '../blocks/mrkdwn.ts';

/**
 * `/revops` grammar, parsed without Slack or I/O so it is table-testable:
 *
 *   /revops pipeline|revenue|marketing|insights [period] [segment SMB|MM|ENT] [owner <name>] [channel <name>]
 *   /revops digest [2026-W48 | 2026-11-23]
 *   /revops help
 *
 *   period: last 7d | last 30d | last 90d | last <N>d        the N days up to now (default: last 30d)
 *         | week | month | quarter  (also "this week" …)     this calendar week/month/quarter so far
 *         | last week | last month | last quarter           the last complete one
 *         | 2026-11-01..2026-11-30                          those dates, both included
 *
 * Words are case-insensitive, filters come in any order. A name runs to the next keyword, so
 * `owner Dana Whitfield last 7d` is Dana Whitfield over 7 days; quote a name that holds a keyword
 * (`channel "Last Click"`). Calendar periods are cut in DIGEST_TIMEZONE (the use case resolves them).
 */
export type RevopsCommand =
  | { kind: 'view'; query: RevopsQuery }
  | { kind: 'digest'; week: string | null }
  /** Help, or a mistake: `problem` is already-safe mrkdwn. */
  | { kind: 'usage'; problem?: string };

const VIEWS: readonly RevopsViewName[] = ['pipeline', 'revenue', 'marketing', 'insights'];
const UNITS: readonly CalendarUnit[] = ['week', 'month', 'quarter'];
const KEYWORDS = new Set(['last', 'this', 'segment', 'owner', 'channel', ...UNITS]);
const PERIOD_HELP =
  '`last 7d`, `last 30d`, `last 90d`, `week`, `month`, `quarter`, `last week` or `2026-11-01..2026-11-30`';

interface Token {
  text: string;
  quoted: boolean;
}

/**
 * Words, with "…", '…', “…” and ‘…’ each kept as one token (Slack may send curly quotes as typed). A
 * quote counts only at the edges of a word, so O'Brien stays one name.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re =
    /(?<!\S)"([^"]*)"(?!\S)|(?<!\S)'([^']*)'(?!\S)|(?<!\S)“([^”]*)”(?!\S)|(?<!\S)‘([^’]*)’(?!\S)|(\S+)/g;
  for (const m of text.matchAll(re)) {
    const quoted = m[5] === undefined;
    out.push({ text: (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '').trim(), quoted });
  }
  return out;
}

const lower = (t: Token | undefined) => (t === undefined || t.quoted ? '' : t.text.toLowerCase());
const isKeyword = (t: Token): boolean =>
  !t.quoted &&
  (KEYWORDS.has(t.text.toLowerCase()) || parseDays(t.text) !== null || parseRange(t.text) !== null);

const usage = (problem: string): RevopsCommand => ({ kind: 'usage', problem });
const code = (s: string) => `\`${safeCode(s, 40)}\``;

/** A period starting at token `i`: the spec and how many tokens it took, or a problem. */
function periodAt(
  tokens: readonly Token[],
  i: number,
): { spec: PeriodSpec; used: number } | { problem: string } {
  const word = lower(tokens[i]);
  const raw = tokens[i]!.text;
  if (word === 'last' || word === 'this') {
    const next = lower(tokens[i + 1]);
    if (UNITS.includes(next as CalendarUnit))
      return { spec: { kind: 'calendar', unit: next as CalendarUnit, which: word }, used: 2 };
    const days = word === 'last' && next !== '' ? parseDays(next) : null;
    if (days?.ok) return { spec: { kind: 'days', days: days.days }, used: 2 };
    if (days && !days.ok) return { problem: safeCode(days.error, 120) };
    return {
      problem:
        word === 'last'
          ? `${code('last')} needs a length: \`last 7d\`, \`last 30d\`, \`last 90d\`, \`last week\`, \`last month\` or \`last quarter\`.`
          : `${code('this')} needs \`week\`, \`month\` or \`quarter\`.`,
    };
  }
  if (UNITS.includes(word as CalendarUnit))
    return { spec: { kind: 'calendar', unit: word as CalendarUnit, which: 'this' }, used: 1 };
  const days = parseDays(raw);
  if (days)
    return days.ok
      ? { spec: { kind: 'days', days: days.days }, used: 1 }
      : { problem: safeCode(days.error, 120) };
  const range = parseRange(raw);
  if (range) return range.ok ? { spec: range.spec, used: 1 } : { problem: safeCode(range.error, 160) };
  return { problem: '' };
}

/** A name from token `i`: one quoted token, or the words up to the next keyword. */
function nameAt(tokens: readonly Token[], i: number): { name: string; used: number } | null {
  const first = tokens[i];
  if (first === undefined || (!first.quoted && isKeyword(first))) return null;
  if (first.quoted) return first.text === '' ? null : { name: first.text, used: 1 };
  const words: string[] = [];
  let j = i;
  while (j < tokens.length && !tokens[j]!.quoted && !isKeyword(tokens[j]!)) words.push(tokens[j++]!.text);
  return { name: words.join(' '), used: j - i };
}

function parseView(view: RevopsViewName, tokens: readonly Token[]): RevopsCommand {
  let period: PeriodSpec | null = null;
  let segment: Segment | undefined;
  const names: { owner?: string; channel?: string } = {};
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const word = lower(t);
    if (word === 'segment') {
      const value = tokens[i + 1]?.text.toUpperCase();
      if (value === undefined) return usage(`${code('segment')} needs one of ${SEGMENTS.join(', ')}.`);
      if (!(SEGMENTS as readonly string[]).includes(value))
        return usage(`${code(tokens[i + 1]!.text)} is not a segment: use ${SEGMENTS.join(', ')}.`);
      if (segment !== undefined) return usage('Give one segment at most.');
      segment = value as Segment;
      i += 2;
      continue;
    }
    if (word === 'owner' || word === 'channel') {
      const name = nameAt(tokens, i + 1);
      if (name === null)
        return usage(
          `${code(word)} needs a name, e.g. \`${word} ${word === 'owner' ? 'Dana Whitfield' : '"Paid Search"'}\`.`,
        );
      if (names[word] !== undefined) return usage(`Give one ${word} at most.`);
      names[word] = name.name;
      i += 1 + name.used;
      continue;
    }
    const p = t.quoted ? { problem: '' } : periodAt(tokens, i);
    if ('spec' in p) {
      if (period !== null) return usage(`Give one period at most: ${PERIOD_HELP}.`);
      period = p.spec;
      i += p.used;
      continue;
    }
    if (p.problem !== '') return usage(p.problem);
    if (isDate(t.text))
      return usage(`A single date is not a period: write a range such as \`${t.text}..${t.text}\`.`);
    return usage(
      `Unexpected ${code(t.text)}: after \`/revops ${view}\` give a period (${PERIOD_HELP}), ` +
        '`segment SMB|MM|ENT`, `owner <name>` or `channel <name>`.',
    );
  }
  return {
    kind: 'view',
    query: { view, period: period ?? DEFAULT_PERIOD, segment, owner: names.owner, channel: names.channel },
  };
}

export function parseRevopsCommand(text: string): RevopsCommand {
  const [sub, ...rest] = tokenize(text.trim());
  const word = lower(sub);
  if (sub === undefined || word === 'help') return { kind: 'usage' };
  if (VIEWS.includes(word as RevopsViewName)) return parseView(word as RevopsViewName, rest);
  if (word === 'digest') {
    const [week, extra] = rest;
    if (week === undefined) return { kind: 'digest', week: null };
    if (extra !== undefined || isKeyword(week))
      return usage(
        '`/revops digest` is the whole business for one week: give at most the week (`2026-W48`) or its ' +
          'Monday (`2026-11-23`). For a slice, ask `/revops pipeline last week segment SMB`.',
      );
    // The shape only: which instants the week covers is the use case's (its time zone).
    const parsed = parseDigestWeek(week.text, 'UTC');
    return parsed.ok ? { kind: 'digest', week: week.text } : usage(safeCode(parsed.error, 200));
  }
  return usage(`Unknown subcommand ${code(sub.text)}.`);
}
