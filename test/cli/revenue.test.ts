import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRevenueReport, revenueJson, sparkline } from '../../src/adapters/cli/revenue-report.ts';
import type { RevenueView } from '../../src/app/commerce/view-model.ts';
import type { Incident } from '../../src/domain/incidents/incident.ts';
import { piiHasher } from '../../src/shared/pii.ts';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/**
 * `leak revenue` and `leak revenue import` through the real entry point, in-process, on each backend: the
 * fixtures under test/fixtures/commerce are a Shopify order export and a generic order CSV, each with
 * dirty rows (a bad amount, a missing currency, a bad date, a quoted name with a comma, a note spanning
 * two lines, multi-line-item orders, a row with an unquoted comma).
 */

const FIXTURES = new URL('../fixtures/commerce/', import.meta.url).pathname;
const SHOPIFY_CSV = join(FIXTURES, 'shopify-orders.csv');
const GENERIC_CSV = join(FIXTURES, 'generic-orders.csv');
const KEY = 'revenue-test-key-0123456789abcdef';

type EntryRow = {
  source: string;
  kind: string;
  external_id: string;
  sale_external_id: string | null;
  status: string;
  amount_cents: string | number;
  currency: string;
  customer_hash: string | null;
  stream: string;
  items: number;
  occurred_at: string | Date;
  settled_at: string | Date | null;
};

const isoOf = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString());

describe.each(backends.map((b) => b.name))('leak revenue on %s', (name) => {
  let target: CliTarget;
  const leak = (args: string[], env: Record<string, string> = {}) =>
    runLeak(args, { ...target.env, PII_HASH_KEY: KEY, ...env }, { storedPiiKey: false });
  const entries = () =>
    target.withDb((db) =>
      db.query<EntryRow>('SELECT * FROM ledger_entries ORDER BY source, kind, external_id'),
    );

  beforeAll(async () => {
    target = await openCliTarget(name, 'leak-revenue');
  });
  afterAll(async () => target.dispose());

  it('is listed in --help, has its own help, and rejects bad usage with 64', async () => {
    const usage = (await leak(['--help'])).out;
    expect(usage).toMatch(/leak revenue \[--day <date>\]/);
    expect(usage).toMatch(/leak revenue import <orders\.csv>/);
    const help = await leak(['revenue', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--day <YYYY-MM-DD>/);
    expect(help.out).toMatch(/--source <source>/);
    expect(help.out).toMatch(/Example: leak revenue import orders_export_1\.csv/);
    for (const args of [
      ['revenue', 'import'],
      ['revenue', 'import', 'a.csv', 'b.csv'],
      ['revenue', 'import', 'a.csv', '--day', '2024-11-10'],
      ['revenue', '--source', 'shopify'],
      ['revenue', 'frobnicate'],
      ['revenue', '--weekly'],
    ]) {
      const r = await leak(args);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.err).toMatch(/^leak revenue: /);
    }
  });

  it('says how to feed an empty ledger', async () => {
    const r = await leak(['revenue']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Revenue \d{4}-\d\d-\d\d \(so far\) · days in UTC · as of /);
    expect(r.out).toMatch(/No revenue in the ledger yet/);
    expect(r.out).toMatch(/leak revenue import <orders\.csv>/);
  });

  it('refuses a day that is not a date or has not started, and a file it cannot read', async () => {
    expect(await leak(['revenue', '--day', '2024-02-30'])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/"2024-02-30" is not a date: use YYYY-MM-DD/),
    });
    expect((await leak(['revenue', '--day', '2999-01-01'])).err).toMatch(/has not started yet/);
    const dir = mkdtempSync(join(tmpdir(), 'leak-revenue-csv-'));
    expect(await leak(['revenue', 'import', join(dir, 'missing.csv')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/file not found/),
    });
    const funnel = join(dir, 'funnel.csv');
    writeFileSync(funnel, 'id,type,name,email\nL-1,lead,Ann,ann@example.com\n');
    expect(await leak(['revenue', 'import', funnel])).toMatchObject({
      code: 1,
      err: expect.stringMatching(
        /line 1: the header is neither Shopify's order export \(missing Financial Status, Currency, Total, Created at\)/,
      ),
    });
    expect(await leak(['revenue', 'import', GENERIC_CSV])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/a generic order CSV needs the source .*--source/),
    });
    expect((await leak(['revenue', 'import', GENERIC_CSV, '--source', 'My Shop!'])).err).toMatch(
      /"my shop!" is not a source name/,
    );
    expect(await entries()).toEqual([]);
  });

  it("imports Shopify's order export: good orders written, bad rows reported by line, emails hashed", async () => {
    const r = await leak(['revenue', 'import', SHOPIFY_CSV]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(
      /^Imported .*shopify-orders\.csv \(Shopify's order export\) into source shopify: 12 rows, 6 orders → 8 ledger entries \(8 new or updated, 0 already there\), 3 rejected \(\d+\.\d\d s\)\n/,
    );
    const bad = [
      'line 8: Total "12.5.0" is not a plain non-negative amount with at most 2 decimals of USD',
      'line 10: Currency is missing',
      'line 11: Created at "2024-13-40 10:00:00 +0000" is not a time',
    ];
    for (const b of bad) {
      expect(r.out).toContain(`  ${b}`);
      expect(r.err).toContain(`shopify-orders.csv: ${b}`);
    }
    // Progress on stderr: without a TTY, a line per 10% of the file (one, for a file read in one chunk).
    expect(r.err).toMatch(/100\.0% .* 12 rows .* 3 rejected/);

    const rows = await entries();
    const hash = piiHasher(KEY);
    const byId = new Map(rows.map((e) => [`${e.kind}:${e.external_id}`, e]));
    expect([...byId.keys()]).toEqual([
      'refund:5940139491002:refund-export',
      'refund:5940139491008:refund-export',
      'sale:5940139491001',
      'sale:5940139491002',
      'sale:5940139491003',
      'sale:5940139491004',
      'sale:5940139491008',
      'sale:5940139491009',
    ]);
    const ann = byId.get('sale:5940139491001')!;
    // Two line items (2 + 1), paid: CLEARED, settled at Paid at; the email only as the intake's keyed hash.
    expect(ann).toMatchObject({ status: 'CLEARED', currency: 'USD', items: 3, stream: 'web' });
    expect(Number(ann.amount_cents)).toBe(3498);
    expect(ann.customer_hash).toBe(hash('ann@example.com'));
    expect(isoOf(ann.settled_at)).toBe('2024-11-08T10:00:00.000Z');
    expect(JSON.stringify(rows)).not.toMatch(/example\.com/i);
    const refund = byId.get('refund:5940139491002:refund-export')!;
    expect(refund).toMatchObject({ status: 'POSTED', sale_external_id: '5940139491002' });
    expect(Number(refund.amount_cents)).toBe(2000);
    expect(isoOf(refund.occurred_at)).toBe('2024-11-09T17:00:00.000Z');
    expect(byId.get('sale:5940139491003')).toMatchObject({
      status: 'PENDING',
      currency: 'EUR',
      settled_at: null,
    });
    expect(byId.get('sale:5940139491004')).toMatchObject({ status: 'VOIDED' });
    expect(isoOf(byId.get('refund:5940139491008:refund-export')!.occurred_at)).toBe(
      '2024-11-10T15:00:00.000Z',
    );
    expect(byId.get('sale:5940139491009')).toMatchObject({ currency: 'JPY', items: 4, stream: 'pos' });
    expect(Number(byId.get('sale:5940139491009')!.amount_cents)).toBe(1200);
  });

  it('importing the same file again writes nothing new', async () => {
    const before = await entries();
    const r = await leak(['revenue', 'import', SHOPIFY_CSV]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/8 ledger entries \(0 new or updated, 8 already there\), 3 rejected/);
    expect(await entries()).toEqual(before);
  });

  it('imports the generic CSV into the source it names (BOM, quoted comma, unquoted comma)', async () => {
    const r = await leak(['revenue', 'import', GENERIC_CSV, '--source', 'myshop']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/\(generic order CSV\) into source myshop: 9 rows, 5 orders → 5 ledger entries/);
    expect(r.out).toContain('  line 5: amount "-5.00" is not a plain non-negative amount');
    expect(r.out).toContain('  line 6: currency is missing');
    expect(r.out).toContain('  line 7: occurred_at "yesterday" is not a time');
    expect(r.out).toContain('  line 10: has 8 fields, the header has 7 (an unquoted comma?)');
    const mine = (await entries()).filter((e) => e.source === 'myshop');
    expect(mine.map((e) => [e.external_id, e.status, Number(e.amount_cents), e.currency, e.stream])).toEqual([
      ['ord_1', 'CLEARED', 1999, 'EUR', 'subscriptions'],
      ['ord_2', 'PENDING', 500, 'EUR', ''],
      ['ord_3', 'VOIDED', 750, 'EUR', ''],
      ['ord_7', 'CLEARED', 4200, 'EUR', 'Books, hardcover'],
      ['ord_8', 'CLEARED', 1250, 'KWD', ''],
    ]);
  });

  it('shows a past day per currency, the day before, the slope, 7 days, and each source', async () => {
    const r = await leak(['revenue', '--day', '2024-11-10']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^Revenue 2024-11-10 · days in UTC · as of /);
    expect(lines[2]).toMatch(/^CURRENCY\s+NET \(DNR\)\s+DAY BEFORE\s+SLOPE\s+7 DAYS$/);
    // USD: 11-08 $34.98, 11-09 $59.99 − $20.00 refund, 11-10 a $25.00 sale refunded the same day.
    expect(r.out).toMatch(/^USD\s+\$0\.00\s+\$39\.99\s+→ flat\s+▁▁▁▁▇█▁$/m);
    expect(r.out).toMatch(/^EUR\s+€42\.00\s+€19\.99\s+↑ €6\.00\/day\s+▁▁▁▁▁▄█$/m);
    expect(r.out).toMatch(/^JPY\s+¥1,200\s+¥0\s+↑ ¥171\/day\s+▁▁▁▁▁▁█$/m);
    expect(r.out).toMatch(/^KWD\s+KWD 1\.250\s+KWD 0\.000/m);
    expect(r.out).toMatch(/^By source\n\s+SOURCE\s+CURRENCY\s+NET\s+SALES\s+REFUNDS\s+DISPUTES$/m);
    expect(r.out).toMatch(/^\s+shopify\s+USD\s+\$0\.00\s+2\s+1\s+0$/m);
    expect(r.out).toMatch(/^\s+myshop\s+EUR\s+€42\.00\s+3\s+0\s+0$/m);
    expect(r.out).toMatch(/^\s+shopify\s+never\s+-\s+0\s+\d+ d ago$/m);
    expect(r.out).toMatch(/^No open revenue incident\.$/m);
    expect(r.out).not.toMatch(/converted/);
  });

  it('converts into the reporting currency at the configured rates and names currencies without one', async () => {
    const env = { REPORTING_CURRENCY: 'USD', FX_RATES: 'EUR=1.10' };
    const r = await leak(['revenue', '--day', '2024-11-10'], env);
    expect(r.out).toMatch(/^All currencies in USD, converted at configured rates: \$46\.20 {2}[▁-█]{7}$/m);
    expect(r.out).toMatch(/^ {2}No rate for JPY, KWD: left out of the total \(set FX_RATES\)\.$/m);
    const json = JSON.parse((await leak(['revenue', '--day', '2024-11-10', '--json'], env)).out);
    expect(json.reporting).toMatchObject({ currency: 'USD', netCents: 4620, missingRates: ['JPY', 'KWD'] });
  });

  it('--json prints the RevenueView with its keys sorted', async () => {
    const r = await leak(['revenue', '--day', '2024-11-09', '--json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out) as RevenueView;
    expect(Object.keys(v)).toEqual([
      'asOfMs',
      'currencies',
      'day',
      'dayComplete',
      'openIncidents',
      'reporting',
      'sources',
      'timezone',
    ]);
    expect(v).toMatchObject({ day: '2024-11-09', dayComplete: true, timezone: 'UTC', reporting: null });
    const usd = v.currencies.find((c) => c.currency === 'USD')!;
    expect(usd).toMatchObject({ netCents: 3999, previousDayCents: 3498 });
    expect(usd.series.map((p) => p.netCents)).toEqual([0, 0, 0, 0, 0, 3498, 3999]);
    expect(usd.bySource).toEqual([{ disputes: 0, netCents: 3999, refunds: 1, sales: 1, source: 'shopify' }]);
    expect(v.sources.map((s) => s.source)).toEqual(['myshop', 'shopify']);
  });
});

describe('the revenue report text', () => {
  const incident = {
    id: '7',
    title: 'Revenue dip: shopify USD',
    state: 'DETECTED',
    severity: 2,
    openedAtMs: Date.UTC(2024, 10, 10, 14, 0),
    figures: { kind: 'commerce' },
  } as unknown as Incident;
  const view: RevenueView = {
    asOfMs: Date.UTC(2024, 10, 10, 15, 0),
    day: '2024-11-10',
    dayComplete: false,
    timezone: 'Europe/Istanbul',
    currencies: [],
    reporting: null,
    openIncidents: [incident],
    sources: [
      {
        source: 'shop\u001b[31mify',
        lastDeliveryAtMs: Date.UTC(2024, 10, 10, 14, 55),
        lastEventAtMs: Date.UTC(2024, 10, 10, 12, 0),
        lastDelivery: {
          id: '42',
          topic: 'orders/paid',
          receivedAtMs: Date.UTC(2024, 10, 10, 14, 55),
          status: 'failed',
          error: 'total_price is missing',
        },
        failedLast24h: 3,
      },
    ],
  };

  it('lists incidents and sources, with the last failure, and keeps escape sequences out', () => {
    const text = formatRevenueReport(view);
    expect(text).toMatch(
      /^Revenue 2024-11-10 \(so far\) · days in Europe\/Istanbul · as of 2024-11-10T15:00:00Z$/m,
    );
    expect(text).toMatch(/^No revenue on 2024-11-10\.$/m);
    expect(text).toMatch(/^\s+shop \[31mify\s+5 min ago\s+failed \(orders\/paid, #42\)\s+3\s+3 h ago$/m);
    expect(text).toMatch(/^\s+shop \[31mify: last delivery failed: total_price is missing$/m);
    expect(text).toMatch(/See them with: leak webhooks failed/);
    expect(text).toMatch(
      /^Open revenue incidents \(1\)\n\s+#7\s+SEV-2\s+DETECTED\s+Revenue dip: shopify USD/m,
    );
    expect(text).not.toContain('\u001b');
    expect(JSON.parse(revenueJson(view)).sources[0].failedLast24h).toBe(3);
  });

  it('draws the sparkline from the lowest to the highest day, a refund-heavy day lowest', () => {
    const s = (values: number[]) => sparkline(values.map((netCents, i) => ({ day: `d${i}`, netCents })));
    expect(s([0, 0, 0])).toBe('▁▁▁');
    expect(s([0, 100, 50])).toBe('▁█▅');
    expect(s([-100, 0, 100])).toBe('▁▅█');
  });
});
