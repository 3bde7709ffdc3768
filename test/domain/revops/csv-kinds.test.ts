import { describe, expect, it } from 'vitest';
import { HEADER as FUNNEL } from '../../../src/domain/records/parse-row.ts';
import { KIND_COLUMNS, pick, readHeader } from '../../../src/domain/revops/csv-kinds.ts';

const split = (h: string): string[] => h.split(',');

describe('readHeader detects the kind from the header', () => {
  it.each([
    [
      'deal_id,account,segment,owner,stage,amount,created_at,expected_close,last_stage_change,probability,source_channel',
      'deals',
    ],
    ['customer_id,account,segment,plan,start_date,mrr,churn_date,churn_reason', 'customers'],
    ['customer_id,month,mrr', 'mrr'],
    ['date,channel,campaign,segment,geo,spend,impressions,clicks,leads,mqls,sqls,opportunities,won', 'spend'],
    [FUNNEL.join(','), 'funnel'],
    // Names trimmed and case-insensitive; RevOps columns in any order.
    [' MRR , Month,Customer_ID ', 'mrr'],
    ['won,opportunities,sqls,mqls,leads,clicks,impressions,spend,geo,segment,campaign,channel,date', 'spend'],
  ])('%s → %s', (header, kind) => {
    const v = readHeader(split(header));
    expect(v.ok && v.layout.kind).toBe(kind);
  });

  it('maps the file columns onto the canonical order', () => {
    const v = readHeader(split('mrr,month,customer_id'));
    if (!v.ok) throw new Error(v.reason);
    expect(v.layout).toEqual({ kind: 'mrr', width: 3, at: [2, 1, 0] });
    expect(pick(['99.00', '2026-01', 'C-1'], v.layout, [])).toEqual(['C-1', '2026-01', '99.00']);
  });

  it('names the missing and unexpected columns relative to the closest kind', () => {
    const v = readHeader(
      split(
        'deal_id,account,segment,owner,stage,amount_usd,created_at,expected_close,last_stage_change,probability,source_channel',
      ),
    );
    expect(v).toEqual({
      ok: false,
      reason:
        'bad header: matches no CSV kind (funnel, deals, customers, mrr, spend); closest is deals: missing column(s): amount; ' +
        `unexpected column(s): amount_usd; expected deals columns ${KIND_COLUMNS.deals.join(',')}`,
    });
  });

  it('a missing column alone, or an extra one alone', () => {
    expect(readHeader(split('customer_id,month'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('closest is mrr: missing column(s): mrr; expected'),
    });
    expect(readHeader(split('customer_id,month,mrr,'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('closest is mrr: unexpected column(s): (empty); expected'),
    });
  });

  it('refuses a repeated column', () => {
    expect(readHeader(split('customer_id,month,mrr,MRR'))).toEqual({
      ok: false,
      reason: 'bad header: repeated column(s): mrr',
    });
  });

  it('--kind: the header must be that kind', () => {
    expect(readHeader(split('customer_id,month,mrr'), 'mrr')).toMatchObject({ ok: true });
    expect(readHeader(split('customer_id,month,mrr'), 'customers')).toEqual({
      ok: false,
      reason:
        'bad header: not a customers CSV: missing column(s): account, segment, plan, start_date, churn_date, churn_reason; ' +
        `unexpected column(s): month; expected customers columns ${KIND_COLUMNS.customers.join(',')}`,
    });
  });

  it('the funnel keeps its in-order header rule', () => {
    const swapped = [FUNNEL[1]!, FUNNEL[0]!, ...FUNNEL.slice(2)];
    expect(readHeader(swapped)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/columns out of order/),
    });
    expect(readHeader([...FUNNEL], 'funnel')).toMatchObject({ ok: true, layout: { kind: 'funnel' } });
  });
});
