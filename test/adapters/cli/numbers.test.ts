import { describe, expect, it } from 'vitest';
import { renderAuditVerdict } from '../../../src/adapters/cli/audit-verify.ts';
import { formatScanTable } from '../../../src/adapters/cli/scan-report.ts';
import { renderScanSummary } from '../../../src/adapters/slack/blocks/scan-summary.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { type ScanSummary, summarize } from '../../../src/domain/scan/summarize.ts';
import { buildOpp, NOW } from '../../domain/build.ts';

/**
 * `leak scan` and the Slack scan answer write the same numbers the same way (issue 10, item 13): burn as a
 * multiple of the budget (never "1450.8%" on one and "14.5×" on the other), counts with thousands separators.
 */

/** A summary burning 14.5×: $725,394 at risk of a $50,000 budget, as summarize() prices it. */
function burning(): ScanSummary {
  const base = summarize(
    [buildOpp({ id: 'o1', owner: '', valueCents: 72_539_400 })],
    NOW,
    DEFAULT_THRESHOLDS,
    DEFAULT_BUDGET_POLICY,
  );
  expect(base.burn).toBeGreaterThan(14);
  return base;
}

const delta = { newIssues: 12_345, stillOpen: 0, reopened: 1_002, cleared: 3, reconciled: true };
const slackText = (s: ScanSummary) =>
  JSON.stringify(renderScanSummary({ summary: s, delta }, { thresholds: DEFAULT_THRESHOLDS }).blocks);

describe('the scan in the terminal and in Slack', () => {
  it('quote the same burn string: a multiple of the budget on both', () => {
    const s = burning();
    const cli = formatScanTable({ scanId: '7', summary: s, delta }, DEFAULT_THRESHOLDS);
    const burnInSlack = /\*Burn\*\\n([\d,.]+×) the monthly budget/.exec(slackText(s))?.[1];
    expect(burnInSlack).toMatch(/^\d+\.\d×$/);
    expect(cli).toContain(`burn ${burnInSlack}`);
    expect(cli).not.toMatch(/burn [\d,.]+%/);
  });

  it('a budget burnt 1,450× is written with separators on both', () => {
    const s = { ...burning(), burn: 1450.8 };
    const cli = formatScanTable({ scanId: '7', summary: s, delta }, DEFAULT_THRESHOLDS);
    expect(cli).toContain('burn 1,450.8×');
    expect(slackText(s)).toContain('1,450.8× the monthly budget');
  });

  it('counts carry thousands separators in the terminal: 12345 prints 12,345', () => {
    const base = burning();
    const s: ScanSummary = {
      ...base,
      records: 12_345,
      topCauses: base.topCauses.map((c) => ({ ...c, count: 12_345 })),
    };
    const cli = formatScanTable({ scanId: '7', summary: s, delta }, DEFAULT_THRESHOLDS);
    expect(cli).toContain('12,345 records');
    expect(cli).toContain('(12,345 new, 1,002 reopened, 3 cleared since last scan)');
    const cause = cli.split('\n').find((l) => l.trim().startsWith(base.topCauses[0]!.issueType))!;
    expect(cause).toContain(' 12,345 ');
    expect(cli).not.toMatch(/\b12345\b/);
  });
});

describe('leak audit verify', () => {
  it('counts rows with separators, in text only (--json keeps the number)', () => {
    expect(renderAuditVerdict({ ok: true, rows: 12_345 }, { json: false }).text).toBe(
      'audit log ok: 12,345 rows, chain intact\n',
    );
    expect(
      renderAuditVerdict(
        { ok: false, rows: 12_345, firstBad: { id: '9', reason: 'hash mismatch' } },
        { json: false },
      ).text,
    ).toBe('audit log BROKEN at row 9: hash mismatch (12,345 rows checked)\n');
    expect(JSON.parse(renderAuditVerdict({ ok: true, rows: 12_345 }, { json: true }).text).rows).toBe(12_345);
  });
});
