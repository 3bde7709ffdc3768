import { describe, expect, it } from 'vitest';
import { renderHome } from '../../../src/adapters/slack/blocks/home.ts';
import {
  parseRevopsAction,
  REVOPS_ACTIONS,
  revopsShowValue,
} from '../../../src/adapters/slack/blocks/ids.ts';
import { LIMITS, limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderRevopsDigest } from '../../../src/adapters/slack/blocks/revops-digest.ts';
import { renderRevopsUsage } from '../../../src/adapters/slack/blocks/revops-help.ts';
import { revopsHomeBlocks } from '../../../src/adapters/slack/blocks/revops-home.ts';
import { renderRevopsInsights } from '../../../src/adapters/slack/blocks/revops-insights.ts';
import { revopsChartNote } from '../../../src/adapters/slack/blocks/revops-kit.ts';
import { renderRevopsMarketing } from '../../../src/adapters/slack/blocks/revops-marketing.ts';
import { renderRevopsPipeline } from '../../../src/adapters/slack/blocks/revops-pipeline.ts';
import { renderRevopsRevenue } from '../../../src/adapters/slack/blocks/revops-revenue.ts';
import type { KnownBlock } from '../../../src/adapters/slack/blocks/types.ts';
import type { RevopsView } from '../../../src/app/revops/view.ts';
import type { RevopsReport } from '../../../src/domain/revops/figures.ts';
import {
  bigRevopsReport,
  buildRevopsReport,
  emptyRevopsReport,
  REVOPS_FROM,
  REVOPS_TO,
} from '../../support/revops-report.ts';
import { flat } from './incident-fixtures.ts';

/** The RevOps Block Kit renderers: the figures a reader needs, within Slack's limits, data escaped. */

const PERIOD = {
  fromMs: REVOPS_FROM,
  toMs: REVOPS_TO,
  label: 'last 30 days (31 Oct – 30 Nov 2026)',
  partial: false,
};
const asView = (report: RevopsReport, view: RevopsView['view'] = 'pipeline'): RevopsView => ({
  view,
  period: PERIOD,
  report,
});
const RENDERERS = {
  pipeline: (r: RevopsReport) => renderRevopsPipeline(asView(r), ':frame_with_picture: note'),
  revenue: (r: RevopsReport) => renderRevopsRevenue(asView(r, 'revenue')),
  marketing: (r: RevopsReport) => renderRevopsMarketing(asView(r, 'marketing')),
  insights: (r: RevopsReport) => renderRevopsInsights(asView(r, 'insights')),
  digest: (r: RevopsReport) =>
    renderRevopsDigest({
      week: '2026-W48',
      span: '23 – 29 Nov 2026',
      timezone: 'America/New_York',
      report: r,
    }),
};

/** Section texts (and fields), to look for one figure where a reader sees it. */
const texts = (blocks: readonly KnownBlock[]): string[] =>
  blocks.flatMap((b) =>
    b.type === 'section' ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)] : [],
  );
/** Every code block must close: an odd count of ``` in a section means data broke out of one. */
const fencesBalanced = (blocks: readonly KnownBlock[]) =>
  texts(blocks).every((t) => (t.match(/```/g) ?? []).length % 2 === 0);

describe.each(Object.entries(RENDERERS))('%s', (_name, render) => {
  it.each([
    ['the usual report', buildRevopsReport()],
    ['everything at its largest, with hostile names', bigRevopsReport()],
    ['nothing imported', emptyRevopsReport({ fromMs: REVOPS_FROM, toMs: REVOPS_TO })],
  ])('%s is within Block Kit limits, escaped, its code blocks closed', (_what, report) => {
    const r = render(report);
    expect(limitViolations(r)).toEqual([]);
    expect(r.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    expect(fencesBalanced(r.blocks)).toBe(true);
    // Button values are not rendered (they come back on a click, parsed by ids.ts): leave them out.
    const all = flat(r).replace(/"value":"(?:[^"\\]|\\.)*"/g, '');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil');
  });
});

describe('pipeline', () => {
  const r = renderRevopsPipeline(asView(buildRevopsReport()), ':frame_with_picture: chart');
  const t = texts(r.blocks);

  it('headline figures with their change; weighted and velocity are not compared', () => {
    // $3,184,500 open against $2,961,000 the 30 days before.
    expect(t).toContain('*Open pipeline*\n*$3,184,500*  ▲ +$223,500 (+7.5%)');
    expect(t).toContain('*Win rate*\n*27.5%*  ▼ −3.7 pp');
    expect(t).toContain('*Weighted*\n*$1,217,000*  _not compared_');
    expect(t).toContain('*Velocity*\n*$54,120/day*  _not compared_');
    expect(r.text).toBe(
      'Pipeline, last 30 days (31 Oct – 30 Nov 2026): Open pipeline $3,184,500 (+$223,500 (+7.5%)), Weighted $1,217,000, ' +
        'Win rate 27.5% (−3.7 pp); 3 stuck deals worth $380,000',
    );
  });

  it('stages with average days and conversion, owners by open pipeline, stuck deals longest first', () => {
    const stages = t.find((s) => s.startsWith('*Stages*'))!;
    expect(stages).toContain('STAGE        DEALS      AMOUNT  WEIGHTED  AVG DAYS  CONV →');
    expect(stages).toContain('Discovery       19  $1,210,000  $242,000      12.4   58.1%');
    expect(stages).toContain('Negotiation      9    $930,000  $557,200      33.9       -');
    const owners = t.find((s) => s.startsWith('*Top 4 owners'))!;
    expect(owners.indexOf('Dana Whitfield')).toBeLessThan(owners.indexOf('Tom Becker'));
    const stuck = t.find((s) => s.startsWith('*Stuck deals: 3 worth $380,000'))!;
    expect(stuck.indexOf('D-1042')).toBeLessThan(stuck.indexOf('D-0977'));
    expect(stuck).toContain('Globex Corporation  Luis Ortega     Negotiation  $180,000    96');
  });

  it('many owners: the top ten, and how many more', () => {
    const big = texts(renderRevopsPipeline(asView(bigRevopsReport())).blocks);
    expect(big.find((s) => s.startsWith('*Top 10 owners'))).toContain('…and 50 more owners');
  });
});

describe('revenue', () => {
  const t = texts(renderRevopsRevenue(asView(buildRevopsReport(), 'revenue')).blocks);

  it('MRR movement per month adds up to the next month, and cohort retention has its own section', () => {
    const mrr = t.find((s) => s.startsWith('*MRR movement by month*'))!;
    expect(mrr).toContain(
      'MONTH        START     +NEW  +EXPANSION  +REACTIV.  −CONTRACTION  −CHURN       END',
    );
    expect(mrr).toContain(
      'Oct 2026  $402,100  $20,000      $8,600     $1,200        $3,100  $9,400  $419,400',
    );
    expect(mrr).toContain('Nov 2026  $419,400  $23,000');
    const cohorts = t.find((s) => s.startsWith('*Cohort retention'))!;
    expect(cohorts).toContain('Jun 2026         31  100%  97%  94%  90%  87%  87%');
    expect(t.find((s) => s.startsWith('*Churn reasons*'))).toContain('Price');
  });
});

describe('marketing', () => {
  const t = texts(renderRevopsMarketing(asView(buildRevopsReport(), 'marketing')).blocks);

  it('per channel spend, the funnel, CAC and ROI with a total; payback per segment against its benchmark', () => {
    const channels = t.find((s) => s.startsWith('*Channels'))!;
    expect(channels).toContain('CHANNEL         SPEND  LEADS    MQL  SQL  OPP  WON      CAC    ROI');
    expect(channels).toContain('Paid Search   $48,500  1,240    521  198  109    6   $8,083   486%');
    expect(channels).toContain('Partners       $9,000     95     40   15    8    0        -  -100%');
    expect(channels).toMatch(/TOTAL +\$164,200/);
    const payback = t.find((s) => s.startsWith('*CAC payback'))!;
    expect(payback).toContain('MM       $61,000    3  $20,333  $980  20.7 mo    18.0 mo  over');
  });
});

describe('insights', () => {
  const report = buildRevopsReport();
  const r = renderRevopsInsights(asView(report, 'insights'));

  it('each with confidence, numbers and period, most severe first, and a button that reopens its view', () => {
    const sections = r.blocks.filter((b) => b.type === 'section' && 'accessory' in b) as Extract<
      KnownBlock,
      { type: 'section' }
    >[];
    expect(sections.map((s) => s.text!.text.split('\n')[0])).toEqual([
      ':red_circle: *3 deals worth $380,000 stuck over 45 days* · _confidence 90%_',
      ':large_orange_circle: *NRR 101.8% is under 105%* · _confidence 70%_',
      ':large_blue_circle: *Partners: ROI -100% with $9,000 spent* · _confidence 45%_',
    ]);
    expect(sections[0]!.text!.text).toContain(':rotating_light: Leak: stuck deals · $380,000 at risk');
    const buttons = sections.map(
      (s) => s.accessory as { action_id: string; value: string; text: { text: string } },
    );
    expect(buttons.map((b) => [b.action_id, b.text.text])).toEqual([
      ['revops.show', 'Show pipeline'],
      ['revops.show#1', 'Show revenue'],
      ['revops.show#2', 'Show marketing'],
    ]);
    expect(buttons.map((b) => parseRevopsAction(b.action_id, b.value))).toEqual([
      { view: 'pipeline', filter: report.filter },
      { view: 'revenue', filter: report.filter },
      { view: 'marketing', filter: report.filter },
    ]);
  });

  it('thirty insights: as many as fit, then how many more', () => {
    const big = renderRevopsInsights(asView(bigRevopsReport(), 'insights'));
    expect(flat(big)).toMatch(/…and \d+ more insights: `leak revops insights` lists them all/);
  });

  it('none: says nothing stands out', () => {
    expect(flat(renderRevopsInsights(asView(buildRevopsReport({ insights: [] }), 'insights')))).toContain(
      'Nothing stands out in this period',
    );
  });
});

describe('the weekly digest', () => {
  it('figures of the three areas with their change, stuck deals, top insights with buttons', () => {
    const r = RENDERERS.digest(buildRevopsReport());
    expect((r.blocks[0] as { text: { text: string } }).text.text).toBe(
      ':calendar: RevOps weekly digest · 2026-W48',
    );
    const t = texts(r.blocks);
    expect(t).toEqual(expect.arrayContaining(['*Pipeline*', '*Revenue*', '*Marketing*']));
    expect(t).toContain('*MRR* $439,700\n▲ +$12,100 (+2.8%)');
    expect(t.join('\n')).toContain(
      ':hourglass: *3 stuck deals* worth *$380,000*. Longest: `D-1042` Globex Corporation',
    );
    expect(r.text).toMatch(/^RevOps weekly digest 2026-W48 \(23 – 29 Nov 2026\): Open pipeline \$3,184,500/);
    const big = RENDERERS.digest(bigRevopsReport());
    expect(big.blocks.filter((b) => b.type === 'section' && 'accessory' in b).length).toBeLessThanOrEqual(5);
    expect(flat(big)).toContain('`/revops insights last week` lists them all');
  });
});

describe('App Home "This week"', () => {
  const statusView = { open: [], figures: null, budgetPaging: null, recent: [], recoveredThisWeekCents: 0 };
  const week: RevopsView = {
    view: 'insights',
    period: { ...PERIOD, label: 'this week 2026-W49 so far (30 Nov – 2 Dec 2026)' },
    report: buildRevopsReport(),
  };

  it('open pipeline, won this week, MRR and the top three insights, within its share of the budget', () => {
    const blocks = revopsHomeBlocks(week, LIMITS.blocksJsonBudget * 0.15);
    const text = flat({ blocks });
    for (const s of [
      '*:calendar: This week* · this week 2026-W49 so far',
      '• *Open pipeline* $3,184,500 (▲ +$223,500 (+7.5%))',
      '• *Won this week* $534,600 (11 deals)',
      '• *MRR* $439,700 (▲ +$12,100 (+2.8%))',
      '3 deals worth $380,000 stuck over 45 days',
    ])
      expect(text).toContain(s);
    expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(LIMITS.blocksJsonBudget * 0.15);
  });

  it('is on the Home tab only when given, and the tab stays within the budget with it', () => {
    expect(flat(renderHome(statusView, REVOPS_TO)).includes('This week')).toBe(false);
    const home = renderHome(statusView, REVOPS_TO, null, { ...week, report: bigRevopsReport() });
    expect(flat(home)).toContain('This week');
    expect(JSON.stringify(home.blocks).length).toBeLessThanOrEqual(LIMITS.blocksJsonBudget);
    expect(flat(home)).not.toContain('<!channel>');
  });
});

describe('RevOps buttons and notes', () => {
  const f = {
    fromMs: REVOPS_FROM,
    toMs: REVOPS_TO,
    segment: 'ENT' as const,
    owner: 'Dana',
    channel: 'Paid Search',
  };

  it('a button value round-trips; one too long for a button is not made', () => {
    expect(parseRevopsAction(REVOPS_ACTIONS.show, revopsShowValue('revenue', f))).toEqual({
      view: 'revenue',
      filter: f,
    });
    expect(revopsShowValue('pipeline', { ...f, owner: 'x'.repeat(2_000) })).toBeNull();
  });

  it.each([
    ['another kind', 'incident.ack', '{"v":"pipeline","f":1,"t":2}'],
    ['no value', REVOPS_ACTIONS.show, undefined],
    ['not JSON', REVOPS_ACTIONS.show, 'pipeline'],
    ['an array', REVOPS_ACTIONS.show, '[1,2]'],
    ['an unknown view', REVOPS_ACTIONS.show, '{"v":"insights","f":1,"t":2}'],
    ['an end before the start', REVOPS_ACTIONS.show, '{"v":"pipeline","f":5,"t":2}'],
    ['a period of years', REVOPS_ACTIONS.show, `{"v":"pipeline","f":0,"t":${900 * 86_400_000}}`],
    ['a fractional instant', REVOPS_ACTIONS.show, '{"v":"pipeline","f":1.5,"t":2}'],
    ['an unknown segment', REVOPS_ACTIONS.show, '{"v":"pipeline","f":1,"t":2,"s":"XL"}'],
    ['an empty owner', REVOPS_ACTIONS.show, '{"v":"pipeline","f":1,"t":2,"o":" "}'],
    ['a numeric channel', REVOPS_ACTIONS.show, '{"v":"pipeline","f":1,"t":2,"c":7}'],
  ])('refuses %s', (_what, id, value) => {
    expect(parseRevopsAction(id, value)).toBeNull();
  });

  it('the chart note says where the chart went', () => {
    expect(revopsChartNote({ kind: 'uploaded', count: 1 })).toContain('The chart is shared in this channel');
    expect(revopsChartNote({ kind: 'uploaded', count: 3 })).toContain('3 charts are shared');
    expect(revopsChartNote({ kind: 'failed', code: 'not_in_channel' })).toContain('invite the bot');
    expect(revopsChartNote({ kind: 'failed', code: '<!channel>' })).toContain('&lt;!channel&gt;');
    expect(revopsChartNote({ kind: 'skipped', reason: 'no_channel' })).toContain(
      'only be shared in a channel',
    );
    expect(revopsChartNote({ kind: 'skipped', reason: 'no_chart' })).toBeUndefined();
  });

  it('usage lists every subcommand, and a problem comes first', () => {
    const u = renderRevopsUsage('Unknown subcommand `x`.');
    expect(limitViolations(u)).toEqual([]);
    for (const s of [
      '/revops pipeline',
      '/revops revenue',
      '/revops marketing',
      '/revops insights',
      '/revops digest',
    ])
      expect(u.text).toContain(s);
    expect(u.text.startsWith('Unknown subcommand `x`.')).toBe(true);
  });
});
