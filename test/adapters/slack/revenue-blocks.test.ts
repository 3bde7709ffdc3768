import { describe, expect, it, vi } from 'vitest';
import { renderHome } from '../../../src/adapters/slack/blocks/home.ts';
import { LIMITS, limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderRevenueView, revenueChartNote } from '../../../src/adapters/slack/blocks/revenue.ts';
import { revenueHomeBlocks } from '../../../src/adapters/slack/blocks/revenue-home.ts';
import { homeRevenue } from '../../../src/adapters/slack/listeners/events.ts';
import type { SlackUseCases } from '../../../src/adapters/slack/listeners/use-cases.ts';
import type { CurrencyRevenue } from '../../../src/app/commerce/view-model.ts';
import type { Ctx } from '../../../src/app/context.ts';
import { commerceIncident, delivery, dipFigures, revenueView, SERIES, source } from './commerce-fixtures.ts';
import { flat, HOSTILE, PINGS, T0 } from './incident-fixtures.ts';

const currency = (code: string, o: Partial<CurrencyRevenue> = {}): CurrencyRevenue => ({
  currency: code,
  netCents: 123_450,
  previousDayCents: 100_000,
  slopeCentsPerDay: 500,
  series: SERIES,
  bySource: [{ source: 'shopify', netCents: 123_450, sales: 4, refunds: 0, disputes: 0 }],
  ...o,
});

/** Every limit, plus the one a Home tab shares with messages: the block JSON budget. */
const homeOk = (blocks: readonly unknown[]) => {
  expect(blocks.length).toBeLessThanOrEqual(100);
  expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(LIMITS.blocksJsonBudget);
};

const huge = () =>
  revenueView({
    currencies: Array.from({ length: 60 }, (_, n) =>
      currency(`C${n}${HOSTILE}`, {
        bySource: Array.from({ length: 10 }, (_, k) => ({
          source: `${'long-source-name-'.repeat(10)}${k}`,
          netCents: 1,
          sales: 1,
          refunds: 0,
          disputes: 0,
        })),
      }),
    ),
    reporting: {
      currency: 'USD',
      netCents: 1,
      series: SERIES,
      missingRates: Array.from({ length: 80 }, (_, n) => `X${n}`),
    },
    openIncidents: Array.from({ length: 40 }, (_, n) =>
      commerceIncident(dipFigures({ source: `${HOSTILE} ${n}` }), {
        title: `Revenue dip: ${HOSTILE} ${'t'.repeat(200)}`,
      }),
    ),
    sources: Array.from({ length: 200 }, (_, n) =>
      source(`*bold* ${HOSTILE} ${'s'.repeat(300)} ${n}`, {
        failedLast24h: n,
        lastDelivery: delivery(n, {
          status: 'failed',
          topic: HOSTILE,
          error: `${HOSTILE}${'e'.repeat(4000)}`,
        }),
      }),
    ),
  });

describe('renderRevenueView (/leak revenue)', () => {
  it('shows DNR per currency with yesterday and slope, the converted total, incidents and sources', () => {
    const r = renderRevenueView(revenueView(), ':frame_with_picture: chart shared');
    expect(limitViolations(r)).toEqual([]);
    const text = flat(r);
    for (const s of [
      'Revenue · 2025-06-02 (so far)',
      '• *USD* · DNR *$120.00* (so far) · yesterday $1,000.00 · slope ↓ $118.57/day',
      'by source: `shopify` $100.00 · `stripe` $20.00',
      '• *EUR* · DNR *€500.00* (so far) · yesterday €400.00 · slope ↑ €14.30/day',
      '*All currencies in USD* (converted at configured rates): *$660.00*',
      'No rate for TRY',
      '*Open revenue incidents (2)*',
      'today $120.00 vs $900.00 (weekday baseline) · <#C0REV1>',
      '`stripe` silent 31 h (usual ≤ 24 h)',
      '• `shopify` · last delivery 5 min ago',
      ':warning: 3 failed in 24 h',
      '`charge.succeeded` failed',
      '`bad signature`',
      ':frame_with_picture: chart shared',
    ])
      expect(text).toContain(s);
    expect(r.text).toBe(
      'Revenue 2025-06-02: $120.00 (yesterday $1,000.00), €500.00 (yesterday €400.00) · 2 open revenue incidents',
    );
  });

  it('a past day says "the day before" and no "so far"; no reporting currency, no total', () => {
    const r = renderRevenueView(
      revenueView({ day: '2025-05-01', dayComplete: true, reporting: null, openIncidents: [] }),
    );
    const text = flat(r);
    expect(text).toContain('• *USD* · DNR *$120.00* · the day before $1,000.00');
    expect(text).not.toContain('so far');
    expect(text).not.toContain('converted at configured rates');
    expect(text).toContain('No open revenue incident');
  });

  it('an empty ledger explains how to point Shopify and Stripe at the webhooks', () => {
    const r = renderRevenueView(
      revenueView({ currencies: [], sources: [], openIncidents: [], reporting: null }),
    );
    expect(limitViolations(r)).toEqual([]);
    const text = flat(r);
    for (const s of [
      'No revenue in the ledger yet',
      '/webhooks/shopify',
      '/webhooks/stripe',
      'SHOPIFY_WEBHOOK_SECRET',
    ])
      expect(text).toContain(s);
    // No raw `<…>` of ours either: Slack would read it as a link or a mention.
    const sections = r.blocks.filter((b) => b.type === 'section').map((b) => JSON.stringify(b));
    for (const s of sections) expect(s).not.toMatch(/<[^!#@]/);
  });

  it('sources but no revenue on the day says so and still lists the sources', () => {
    const text = flat(renderRevenueView(revenueView({ currencies: [], reporting: null })));
    expect(text).toContain('No revenue on 2025-06-02.');
    expect(text).toContain('*Sources*');
  });

  it('stays within Block Kit limits with huge, hostile input, and says how much it left out', () => {
    const r = renderRevenueView(huge(), ':frame_with_picture: chart');
    expect(limitViolations(r)).toEqual([]);
    const text = flat(r);
    expect(text).not.toMatch(PINGS);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toMatch(/…and \d+ more currencies/);
    expect(text).toMatch(/…and \d+ more incidents/);
    expect(text).toMatch(/…and \d+ more sources/);
    expect(text).toContain(':frame_with_picture: chart');
  });

  it('a source or currency named like markup cannot bold, italicise or ping', () => {
    const v = revenueView({
      currencies: [
        currency('*US*D_', {
          bySource: [{ source: '*bold* _it_', netCents: 1, sales: 1, refunds: 0, disputes: 0 }],
        }),
      ],
      sources: [source('*bold* <!channel>', { failedLast24h: 1 })],
    });
    for (const blocks of [renderRevenueView(v).blocks, renderHome(statusView, T0, v).blocks]) {
      const text = flat({ blocks });
      expect(text).toContain('`*bold* &lt;!channel&gt;`');
      expect(text).not.toContain('<!channel>');
      expect(text).toContain('*USD*');
    }
    expect(flat(renderRevenueView(v))).toContain('`*bold* _it_`');
  });

  it('the chart note says where the chart went, or nothing when there was none', () => {
    expect(revenueChartNote({ kind: 'uploaded', fileId: 'F1' })).toContain('shared in this channel');
    expect(revenueChartNote({ kind: 'failed', code: 'not_in_channel' })).toContain('invite the bot');
    expect(revenueChartNote({ kind: 'failed', code: '<!channel>' })).toContain('&lt;!channel&gt;');
    expect(revenueChartNote({ kind: 'skipped', reason: 'no_channel' })).toContain(
      'only be shared in a channel',
    );
    expect(revenueChartNote({ kind: 'skipped', reason: 'no_slas' })).toBeUndefined();
    expect(revenueChartNote({ kind: 'skipped', reason: 'unsupported' })).toBeUndefined();
  });
});

const statusView = {
  open: [],
  figures: null,
  budgetPaging: null,
  recent: [],
  recoveredThisWeekCents: 0,
};

describe('App Home revenue section', () => {
  it('shows DNR per currency, slope, open revenue incidents and the sources with a problem', () => {
    const blocks = renderHome(statusView, T0, revenueView()).blocks;
    homeOk(blocks);
    const text = flat({ blocks });
    for (const s of [
      'Revenue today (so far)',
      '• *USD* $120.00 · yesterday $1,000.00 · ↓ $118.57/day',
      'All in USD: $660.00 (converted at configured rates)',
      '*SEV-1 · Revenue dip: shopify USD*',
      ':warning: `stripe` · 3 failed in 24 h',
      '`/leak revenue`',
    ])
      expect(text).toContain(s);
    // shopify is fine: not listed among the problems.
    expect(text).not.toContain(':warning: `shopify`');
  });

  it('is absent without a revenue view, and an empty ledger points at /leak revenue', () => {
    expect(flat({ blocks: renderHome(statusView, T0).blocks })).not.toContain('Revenue today');
    const empty = renderHome(
      statusView,
      T0,
      revenueView({ currencies: [], sources: [], openIncidents: [], reporting: null }),
    );
    expect(flat(empty)).toContain('No revenue in the ledger yet');
  });

  it('fits its budget with huge, hostile input', () => {
    const blocks = renderHome(statusView, T0, huge()).blocks;
    homeOk(blocks);
    expect(flat({ blocks })).not.toMatch(PINGS);
    expect(JSON.stringify(revenueHomeBlocks(huge(), 2_500)).length).toBeLessThanOrEqual(2_500);
    expect(revenueHomeBlocks(huge(), 50)).toEqual([]);
  });
});

describe('homeRevenue (the Home listener)', () => {
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
  const ctx: Ctx = { actor: { type: 'slack', teamId: 'T1', userId: 'U1' }, requestId: 'r1', log };
  const uc = (revenue?: SlackUseCases['revenue']) => ({ ...(revenue ? { revenue } : {}) }) as SlackUseCases;

  it('asks for today without a channel (no chart), and answers the view', async () => {
    const revenue = vi.fn(async () => ({
      view: revenueView(),
      chart: { kind: 'skipped', reason: 'no_channel' } as const,
    }));
    expect(await homeRevenue(uc(revenue), ctx)).toEqual(revenueView());
    expect(revenue).toHaveBeenCalledWith(ctx, { day: null, channelId: null });
  });

  it('answers null when the watch is not configured, or (with a warning) when reading it fails', async () => {
    expect(await homeRevenue(uc(), ctx)).toBeNull();
    expect(
      await homeRevenue(
        uc(async () => Promise.reject(new Error('db down'))),
        ctx,
      ),
    ).toBeNull();
    expect(log.warn).toHaveBeenCalledOnce();
  });
});
