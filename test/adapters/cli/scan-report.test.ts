import { describe, expect, it } from 'vitest';
import { formatScanTable } from '../../../src/adapters/cli/scan-report.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { summarize } from '../../../src/domain/scan/summarize.ts';
import { buildOpp, NOW } from '../../domain/build.ts';

const delta = { newIssues: 1, stillOpen: 0, reopened: 0, cleared: 0, reconciled: true };

describe('leak scan table', () => {
  it('never passes control characters from record data to the terminal', () => {
    const hostile = buildOpp({ id: 'x1', owner: 'Eve\u001b[2J\u001b[31m', region: '', stage: 'Pro\nposal' });
    const summary = summarize([hostile], NOW, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY);
    const table = formatScanTable({ scanId: '1', summary, delta }, DEFAULT_THRESHOLDS);
    expect(summary.issues.length).toBeGreaterThan(0);
    expect(table).toContain('Eve');
    expect(table.includes('\u001b')).toBe(false);
    // Every issue stays on one line of its own.
    expect(table.split('\n').filter((l) => l.startsWith('x1_'))).toHaveLength(summary.issues.length);
  });
});
