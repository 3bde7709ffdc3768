import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvRow } from '../../../src/adapters/csv/reader.ts';
import { Bad } from '../../../src/domain/revops/cells.ts';
import { customerLine, dealLine, mrrLine, spendLine } from '../../../src/domain/revops/csv-out.ts';
import {
  CHANNELS,
  CHURN_REASONS,
  type GenerateOptions,
  generateCustomers,
  generateDeals,
  generateSpend,
  yearStartMs,
} from '../../../src/domain/revops/generate.ts';
import { parseCustomer } from '../../../src/domain/revops/parse-customer.ts';
import { parseDeal } from '../../../src/domain/revops/parse-deal.ts';
import { parseMrr } from '../../../src/domain/revops/parse-mrr.ts';
import { parseSpend } from '../../../src/domain/revops/parse-spend.ts';
import { DAY_MS } from '../../../src/shared/time.ts';

const END = Date.parse('2026-12-01T00:00:00Z');
const opts = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({
  seed: 42,
  endMs: END,
  deals: 3_000,
  customers: 800,
  ...o,
});
const OPEN = new Set(['Discovery', 'Demo', 'Negotiation']);

/** The CSV fields of one generated line, read by the import's own parser. */
function fields(line: string): string[] {
  const out: CsvRow[] = [];
  const p = new CsvParser();
  p.push(line, out);
  p.end(out);
  if (out.length !== 1) throw new Error(`not one record: ${line}`);
  return out[0]!.fields;
}

const deals = [...generateDeals(opts())];
const customers = [...generateCustomers(opts())];
const spend = [...generateSpend(opts())];

describe('the generator is deterministic', () => {
  const text = (o: GenerateOptions) =>
    [...generateDeals(o)].map(dealLine).join('') +
    [...generateCustomers(o)].map((c) => customerLine(c.customer) + c.months.map(mrrLine).join('')).join('') +
    [...generateSpend(o)].map(spendLine).join('');

  it('the same seed gives the same rows; another seed others', () => {
    const small = opts({ deals: 300, customers: 100 });
    expect(text(small)).toBe(text(small));
    expect(text({ ...small, seed: 43 })).not.toBe(text(small));
  });

  it('makes exactly the sizes asked for, with unique ids', () => {
    expect(deals).toHaveLength(3_000);
    expect(new Set(deals.map((d) => d.dealId)).size).toBe(3_000);
    expect(customers).toHaveLength(800);
    expect(new Set(customers.map((c) => c.customer.customerId)).size).toBe(800);
    expect([...generateDeals(opts({ deals: 0 }))]).toEqual([]);
  });
});

describe('every generated row reads back through the import parsers unchanged', () => {
  it.each([
    ['deals', () => deals.map((d) => [parseDeal(fields(dealLine(d))), d])],
    ['customers', () => customers.map((c) => [parseCustomer(fields(customerLine(c.customer))), c.customer])],
    ['mrr', () => customers.flatMap((c) => c.months.map((m) => [parseMrr(fields(mrrLine(m))), m]))],
    ['spend', () => spend.map((s) => [parseSpend(fields(spendLine(s))), s])],
  ])('%s', (_, pairs) => {
    const all = pairs();
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter(([p]) => p instanceof Bad)).toEqual([]);
    // One comparison of the whole lists: an expect per row is slow at these sizes.
    expect(JSON.stringify(all.map(([p]) => p))).toBe(JSON.stringify(all.map(([, row]) => row)));
  });
});

describe('deals look like a pipeline', () => {
  const start = yearStartMs(opts());

  it('fall in the year, in their segment ranges, from the spend channels', () => {
    const ranges = { SMB: [8_000, 30_000], MM: [30_000, 150_000], ENT: [150_000, 750_000] };
    const channels = new Set(CHANNELS.map((c) => c.name));
    const odd = deals.filter((d) => {
      const [lo = 0, hi = 0] = ranges[d.segment];
      return !(
        d.createdAtMs >= start &&
        d.lastStageChangeMs >= d.createdAtMs &&
        d.lastStageChangeMs < END &&
        d.amountCents >= lo * 100 &&
        d.amountCents <= hi * 100 &&
        channels.has(d.sourceChannel)
      );
    });
    expect(odd).toEqual([]);
  });

  it('win about a quarter of closed deals and leave some open', () => {
    const won = deals.filter((d) => d.stage === 'Closed_Won').length;
    const lost = deals.filter((d) => d.stage === 'Closed_Lost').length;
    expect(won / (won + lost)).toBeGreaterThan(0.2);
    expect(won / (won + lost)).toBeLessThan(0.3);
    expect(deals.filter((d) => OPEN.has(d.stage)).length).toBeGreaterThan(200);
  });

  it('include stuck deals (open, ≥ 45 days in stage, ≥ $50k) even at a small size', () => {
    const stuck = (ds: typeof deals) =>
      ds.filter(
        (d) => OPEN.has(d.stage) && END - d.lastStageChangeMs >= 45 * DAY_MS && d.amountCents >= 5_000_000,
      );
    expect(stuck(deals).length).toBeGreaterThanOrEqual(75);
    expect(stuck([...generateDeals(opts({ deals: 80 }))]).length).toBeGreaterThanOrEqual(2);
  });

  it('mix segments about 60/30/10', () => {
    const share = (s: string) => deals.filter((d) => d.segment === s).length / deals.length;
    // Every 40th deal is made a stuck MM or ENT deal, so SMB lands a little under 60 %.
    expect(share('SMB')).toBeGreaterThan(0.55);
    expect(share('SMB')).toBeLessThan(0.62);
    expect(share('MM')).toBeGreaterThan(0.27);
    expect(share('ENT')).toBeGreaterThan(0.08);
    expect(share('ENT')).toBeLessThan(0.14);
  });
});

describe('customers churn month by month', () => {
  it('have a history from the start month up to, not including, the churn month', () => {
    const reasons = CHURN_REASONS.map(([r]) => r as string);
    const nextMonth = (m: string): string => {
      const d = new Date(`${m}T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() + 1);
      return d.toISOString().slice(0, 10);
    };
    const problems = customers.flatMap(({ customer: c, months }) => {
      const p: string[] = [];
      if (months[0]!.month !== `${c.startDate.slice(0, 7)}-01`) p.push('first month is not the start month');
      for (let i = 1; i < months.length; i++)
        if (months[i]!.month !== nextMonth(months[i - 1]!.month)) p.push(`gap before ${months[i]!.month}`);
      if (months.at(-1)!.mrrCents !== c.mrrCents) p.push('mrr is not the last month');
      if (c.churnDate === null) {
        if (c.churnReason !== null) p.push('reason without churn');
        if (months.at(-1)!.month !== '2026-11-01') p.push('active but history stops early');
      } else {
        if (!(c.churnDate >= c.startDate && c.churnDate < '2026-12-01')) p.push(`churn ${c.churnDate}`);
        if (!(months.at(-1)!.month < c.churnDate.slice(0, 7))) p.push('paid in its churn month');
        if (!reasons.includes(c.churnReason ?? '')) p.push(`reason ${c.churnReason}`);
      }
      return p.map((x) => `${c.customerId}: ${x}`);
    });
    expect(problems).toEqual([]);
    expect(customers.filter((c) => c.customer.churnDate !== null).length).toBeGreaterThan(50);
  });

  it('at about the monthly logo churn of their segment', () => {
    for (const [segment, rate] of [
      ['SMB', 0.03],
      ['MM', 0.015],
    ] as const) {
      const mine = customers.filter((c) => c.customer.segment === segment);
      const churned = mine.filter((c) => c.customer.churnDate !== null).length;
      // Churn hazards per customer-month after the first.
      const exposure = mine.reduce((s, c) => s + c.months.length - 1 + (c.customer.churnDate ? 1 : 0), 0);
      expect(churned / exposure).toBeGreaterThan(rate * 0.7);
      expect(churned / exposure).toBeLessThan(rate * 1.3);
    }
  });

  it('expand and contract now and then', () => {
    const moves = customers.flatMap((c) =>
      c.months.slice(1).map((m, i) => m.mrrCents - c.months[i]!.mrrCents),
    );
    expect(moves.filter((d) => d > 0).length).toBeGreaterThan(50);
    expect(moves.filter((d) => d < 0).length).toBeGreaterThan(20);
  });
});

describe('marketing spend', () => {
  it('is sized so that each channel lands near its target ROI, Events alone under 200 %', () => {
    const big = opts({ deals: 20_000, customers: 0 });
    const won = new Map<string, number>();
    const spent = new Map<string, number>();
    for (const d of generateDeals(big))
      if (d.stage === 'Closed_Won') won.set(d.sourceChannel, (won.get(d.sourceChannel) ?? 0) + d.amountCents);
    for (const r of generateSpend(big)) spent.set(r.channel, (spent.get(r.channel) ?? 0) + r.spendCents);
    const roi = (c: string) => ((won.get(c)! - spent.get(c)!) / spent.get(c)!) * 100;
    for (const c of CHANNELS) {
      const ratio = (1 + roi(c.name) / 100) / (1 + c.targetRoiPct / 100);
      expect([c.name, ratio > 0.75 && ratio < 1.3]).toEqual([c.name, true]);
    }
    expect(CHANNELS.filter((c) => roi(c.name) < 200).map((c) => c.name)).toEqual(['Events']);
  });

  it('covers every day of the year for every channel (Events on event days only)', () => {
    const days = new Set(spend.map((s) => s.day));
    expect(days.size).toBe(365);
    expect([...days].sort()[0]).toBe('2025-12-01');
    const events = new Set(spend.filter((s) => s.channel === 'Events').map((s) => s.day));
    expect(events.size).toBeGreaterThan(10);
    expect(events.size).toBeLessThan(45);
    expect(new Set(spend.map((s) => s.channel))).toEqual(new Set(CHANNELS.map((c) => c.name)));
  });

  it('has a narrowing funnel and a positive ROI target per channel', () => {
    const widening = spend.filter(
      (s) =>
        s.impressions < s.clicks ||
        s.clicks < s.leads ||
        s.leads < s.mqls ||
        s.mqls < s.sqls ||
        s.sqls < s.opportunities ||
        s.opportunities < s.won,
    );
    expect(widening).toEqual([]);
    expect(spend.every((s) => s.spendCents > 0)).toBe(true);
    // Opportunities per channel follow its share of the deals.
    const opps = spend.filter((s) => s.channel === 'Paid Search').reduce((a, s) => a + s.opportunities, 0);
    expect(opps / 3_000).toBeGreaterThan(0.2);
    expect(opps / 3_000).toBeLessThan(0.3);
  });
});
