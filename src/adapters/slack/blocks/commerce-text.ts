import type { DaySeriesPoint, DeliveryEvidence } from '../../../domain/commerce/figures.ts';
import { formatMinor } from '../../../domain/commerce/money-format.ts';
import { slackDate } from './kit.ts';
import { escapeMrkdwn, oneLine, safeCode, truncate } from './mrkdwn.ts';

/**
 * The text pieces every revenue-watch surface shares (commerce incidents, `/leak revenue`, the Home
 * section): money in its own currency, slopes, ages and durations, delivery evidence and the 7-day bars.
 * Currency codes, sources, topics and errors arrive in webhooks: every one of them is data, so escaped.
 */

const HOUR_MS = 3_600_000;
const CURRENCY_MAX = 8;

/** mrkdwn formatting characters: data must not turn bold, italic, struck or code on or off. */
const FORMATTING = /[*_~`]/g;

/**
 * A currency code as data: one line, short, without formatting characters (an ISO code has none; a webhook
 * could send anything). Raw, not escaped.
 */
const rawCurrency = (currency: string): string =>
  truncate(oneLine(currency).replace(FORMATTING, ''), CURRENCY_MAX);

/** "$1,234.50", "€12.00", "¥1,200", raw (for plain text: topics, the PNG's caller, code blocks). */
export const moneyPlain = (cents: number, currency: string): string =>
  oneLine(formatMinor(cents, rawCurrency(currency)));

/** The same, escaped for mrkdwn. */
export const money = (cents: number, currency: string): string => escapeMrkdwn(moneyPlain(cents, currency));

/** A currency code for mrkdwn (often inside `*…*`, so without formatting characters). */
export const currencyCode = (currency: string): string => escapeMrkdwn(rawCurrency(currency));

/**
 * A source name for mrkdwn, as inline code: `shopify`, `stripe`, or whatever a misconfigured sender calls
 * itself. Inside code `*bold*` stays literal; `<`, `>` and `&` are escaped and a backtick is a look-alike.
 */
export const sourceName = (source: string): string => `\`${safeCode(source || '(unnamed)', 40)}\``;

/** Data for plain text (a channel topic): one line, cut, with no `<` or `>` to open a control sequence. */
export const plainData = (raw: string, max: number): string =>
  truncate(oneLine(raw), max).replace(/</g, '‹').replace(/>/g, '›');

/** "↑ $12.30/day", "↓ $4.00/day" or "→ flat" (escaped). */
export function slopeText(centsPerDay: number, currency: string): string {
  if (centsPerDay === 0) return '→ flat';
  return `${centsPerDay > 0 ? '↑' : '↓'} ${money(Math.abs(centsPerDay), currency)}/day`;
}

/** "45 min", "31 h", "4 d": a length of time, rounded down. */
export function duration(ms: number): string {
  const m = Math.max(0, ms);
  if (m < HOUR_MS) return `${Math.floor(m / 60_000)} min`;
  if (m < 72 * HOUR_MS) return `${Math.floor(m / HOUR_MS)} h`;
  return `${Math.floor(m / (24 * HOUR_MS))} d`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago" as of `nowMs`; "never" for null. */
export function ago(atMs: number | null, nowMs: number): string {
  if (atMs === null) return 'never';
  const d = nowMs - atMs;
  return d < 60_000 ? 'just now' : `${duration(d)} ago`;
}

/** A share floored to 0.1%, so a drop just under the threshold never reads as the threshold. */
export const dropPct = (x: number): string => `${Math.floor(Math.max(0, x) * 1000 + 1e-9) / 10}%`;

const STATUS_EMOJI: Record<DeliveryEvidence['status'], string> = {
  received: ':inbox_tray:',
  parsed: ':white_check_mark:',
  failed: ':x:',
  ignored: ':heavy_minus_sign:',
};

/** "• :x: `orders/paid` failed 5 min ago (<date>) · `missing total_price`". */
export function deliveryLine(d: DeliveryEvidence, nowMs: number): string {
  const error = d.error ? ` · \`${safeCode(d.error, 160)}\`` : '';
  return (
    `• ${STATUS_EMOJI[d.status] ?? ''} \`${safeCode(d.topic || '(no topic)', 60)}\` ${d.status} ` +
    `${ago(d.receivedAtMs, nowMs)} (${slackDate(d.receivedAtMs)})${error}`
  );
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "Mon 05-26" for `2025-05-26`; anything else shown as it is (cut), never thrown on. */
export function dayLabel(day: string): string {
  const m = DAY_RE.exec(day);
  if (!m) return truncate(oneLine(day), 10);
  const wd = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return `${WEEKDAYS[wd] ?? '???'} ${m[2]}-${m[3]}`;
}

const BAR_CELLS = 16;

/**
 * The 7-day series as a text bar chart for a code block: one row per day, the bar scaled to the largest
 * absolute day, a negative day (refunds over sales) drawn hatched with its minus sign. Escaped for mrkdwn
 * (Slack still reads `<…>` inside code) and free of backticks.
 */
export function seriesBars(
  series: readonly DaySeriesPoint[],
  currency: string,
  lastInProgress: boolean,
): string {
  const max = Math.max(1, ...series.map((p) => Math.abs(p.netCents)));
  const amounts = series.map((p) => moneyPlain(p.netCents, currency));
  const width = Math.max(0, ...amounts.map((a) => a.length));
  const rows = series.map((p, n) => {
    const cells = p.netCents === 0 ? 0 : Math.max(1, Math.round((Math.abs(p.netCents) / max) * BAR_CELLS));
    const bar = (p.netCents < 0 ? '░' : '█').repeat(cells).padEnd(BAR_CELLS, ' ');
    const tail = lastInProgress && n === series.length - 1 ? ' (so far)' : '';
    return `${dayLabel(p.day).padEnd(10)} ${bar} ${amounts[n]!.padStart(width)}${tail}`;
  });
  return escapeMrkdwn(rows.join('\n')).replace(/`/g, 'ˋ');
}

/** The series as a code block, or a short note when there is none. */
export const seriesBlockText = (
  series: readonly DaySeriesPoint[],
  currency: string,
  lastInProgress: boolean,
): string =>
  series.length === 0
    ? '_No days to show._'
    : `\`\`\`\n${seriesBars(series, currency, lastInProgress)}\n\`\`\``;
