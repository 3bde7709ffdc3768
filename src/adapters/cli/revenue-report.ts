import type { CurrencyRevenue, RevenueView, SourceState } from '../../app/commerce/view-model.ts';
import type { DaySeriesPoint, DeliveryEvidence } from '../../domain/commerce/figures.ts';
import { formatMinor } from '../../domain/commerce/money-format.ts';
import type { Incident } from '../../domain/incidents/incident.ts';

/**
 * `leak revenue`: one revenue day of the ledger as terminal text (per currency, the converted total,
 * per source, every source's deliveries, open revenue incidents), or the RevenueView as JSON. Currency
 * codes, source names, topics and parse errors arrive in webhooks: they are data, so control characters
 * never reach the terminal.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const clean = (raw: string, max = 60): string => {
  const s = raw.replace(CONTROL, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};
const money = (cents: number, currency: string): string => clean(formatMinor(cents, clean(currency, 8)));
const count = (n: number): string => n.toLocaleString('en-US');

/** Left-aligned columns, two spaces apart (as `leak tokens list`), each line indented by `indent`. */
export function table(rows: readonly string[][], indent = ''): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) =>
    `${indent}${r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ')}`.trimEnd(),
  );
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * The days as one block each, from the lowest (▁) to the highest (█) of the series and zero: a day with
 * refunds over its sales sits below a day with nothing. All days equal (and no revenue at all) is flat ▁.
 */
export function sparkline(series: readonly DaySeriesPoint[]): string {
  const values = series.map((p) => p.netCents);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  if (hi === lo) return BLOCKS[0]!.repeat(values.length);
  return values.map((v) => BLOCKS[Math.round(((v - lo) / (hi - lo)) * (BLOCKS.length - 1))]!).join('');
}

/** "↑ $12.30/day", "↓ €4.00/day" or "→ flat". */
export function slope(centsPerDay: number, currency: string): string {
  if (centsPerDay === 0) return '→ flat';
  return `${centsPerDay > 0 ? '↑' : '↓'} ${money(Math.abs(centsPerDay), currency)}/day`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function ago(atMs: number | null, nowMs: number): string {
  if (atMs === null) return 'never';
  const ms = Math.max(0, nowMs - atMs);
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 72 * 3_600_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

function currencyTable(v: RevenueView): string[] {
  const rows = v.currencies.map((c) => [
    clean(c.currency, 8),
    money(c.netCents, c.currency),
    money(c.previousDayCents, c.currency),
    slope(c.slopeCentsPerDay, c.currency),
    sparkline(c.series),
  ]);
  const previous = v.dayComplete ? 'DAY BEFORE' : 'YESTERDAY';
  return table([
    ['CURRENCY', v.dayComplete ? 'NET (DNR)' : 'NET SO FAR', previous, 'SLOPE', '7 DAYS'],
    ...rows,
  ]);
}

function reportingLines(v: RevenueView): string[] {
  const r = v.reporting;
  if (r === null) return [];
  const lines = [
    '',
    `All currencies in ${clean(r.currency, 8)}, converted at configured rates: ${money(r.netCents, r.currency)}  ` +
      `${sparkline(r.series)}`,
  ];
  if (r.missingRates.length > 0)
    lines.push(
      `  No rate for ${r.missingRates.map((c) => clean(c, 8)).join(', ')}: left out of the total (set FX_RATES).`,
    );
  return lines;
}

function bySourceLines(currencies: readonly CurrencyRevenue[]): string[] {
  const rows = currencies.flatMap((c) =>
    c.bySource.map((s) => [
      clean(s.source, 40),
      clean(c.currency, 8),
      money(s.netCents, c.currency),
      count(s.sales),
      count(s.refunds),
      count(s.disputes),
    ]),
  );
  if (rows.length === 0) return [];
  return [
    '',
    'By source',
    ...table([['SOURCE', 'CURRENCY', 'NET', 'SALES', 'REFUNDS', 'DISPUTES'], ...rows], '  '),
  ];
}

const evidence = (d: DeliveryEvidence | null): string =>
  d === null ? '-' : `${d.status} (${clean(d.topic || '(no topic)', 40)}, #${clean(d.id, 20)})`;

function sourceLines(sources: readonly SourceState[], nowMs: number): string[] {
  if (sources.length === 0) return [];
  const rows = sources.map((s) => [
    clean(s.source, 40),
    ago(s.lastDeliveryAtMs, nowMs),
    evidence(s.lastDelivery),
    count(s.failedLast24h),
    ago(s.lastEventAtMs, nowMs),
  ]);
  const lines = table(
    [['SOURCE', 'LAST DELIVERY', 'STATUS', 'FAILED 24H', 'LAST LEDGER EVENT'], ...rows],
    '  ',
  );
  // The newest delivery's error, under the table: the reason a source's revenue may be missing.
  for (const s of sources)
    if (s.lastDelivery?.error && s.lastDelivery.status === 'failed')
      lines.push(`  ${clean(s.source, 40)}: last delivery failed: ${clean(s.lastDelivery.error, 160)}`);
  if (sources.some((s) => s.failedLast24h > 0)) lines.push('  See them with: leak webhooks failed');
  return ['', 'Sources', ...lines];
}

const incidentLine = (i: Incident): string =>
  `  #${clean(i.id, 20)}  SEV-${i.severity}  ${i.state}  ${clean(i.title, 80)}  (opened ${iso(i.openedAtMs)})`;

const EMPTY =
  'No revenue in the ledger yet. Point your store at this service (POST /webhooks/shopify, /webhooks/stripe\n' +
  'or /webhooks/<source>), or backfill past days with: leak revenue import <orders.csv>';

/** The `leak revenue` text. */
export function formatRevenueReport(v: RevenueView): string {
  const lines = [
    `Revenue ${clean(v.day, 12)}${v.dayComplete ? '' : ' (so far)'} · days in ${clean(v.timezone, 40)} · as of ${iso(v.asOfMs)}`,
    '',
  ];
  if (v.currencies.length === 0 && v.sources.length === 0 && v.openIncidents.length === 0)
    return `${[...lines, EMPTY].join('\n')}\n`;
  if (v.currencies.length === 0) lines.push(`No revenue on ${clean(v.day, 12)}.`);
  else lines.push(...currencyTable(v));
  lines.push(...reportingLines(v), ...bySourceLines(v.currencies), ...sourceLines(v.sources, v.asOfMs), '');
  if (v.openIncidents.length === 0) lines.push('No open revenue incident.');
  else
    lines.push(
      `Open revenue incidents (${count(v.openIncidents.length)})`,
      ...v.openIncidents.map(incidentLine),
    );
  return `${lines.join('\n')}\n`;
}

/** A value with every object's keys in sorted order, so the JSON text is the same whatever built it. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortedKeys(o[k])]),
  );
}

/** `leak revenue --json`: the RevenueView itself (money in minor units, instants in epoch ms), keys sorted. */
export const revenueJson = (v: RevenueView): string => `${JSON.stringify(sortedKeys(v), null, 2)}\n`;
