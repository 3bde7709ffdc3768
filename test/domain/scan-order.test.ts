import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET_POLICY } from '../../src/domain/budget/budget.ts';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS, RULES } from '../../src/domain/rules/catalog.ts';
import { compareIssues, type OrderedIssue, orderIssues } from '../../src/domain/scan/order.ts';
import { summarize } from '../../src/domain/scan/summarize.ts';
import { buildRecord, daysAgo, minutesAgo, NOW } from './build.ts';

/** A small deterministic generator, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Records that fire several rules each, with few distinct values so dollars and severity often tie. */
function funnel(ids: string[], seed: number): FunnelRecord[] {
  const r = rng(seed);
  return ids.map((id) =>
    buildRecord({
      id,
      type: r() < 0.5 ? 'lead' : 'opp',
      stage: ['New', 'Proposal', 'Negotiation', ''][Math.floor(r() * 4)]!,
      owner: r() < 0.4 ? '' : 'alice',
      region: r() < 0.3 ? '' : 'NA',
      nextStep: r() < 0.5 ? '' : 'Call',
      domain: r() < 0.5 ? 'acme.com' : `d${Math.floor(r() * 3)}.com`,
      createdAtMs: daysAgo(Math.floor(r() * 30)),
      lastTouchAtMs: r() < 0.4 ? null : minutesAgo(Math.floor(r() * 20_000)),
      valueCents: [0, 100_000, 250_050, 1_000_000][Math.floor(r() * 4)]!,
    }),
  );
}

const idOrder = (issues: readonly OrderedIssue[]) =>
  issues.map((_, k) => k).sort((a, b) => (issues[a]!.issueId < issues[b]!.issueId ? -1 : 1));

describe('orderIssues: compareIssues order by integer keys', () => {
  const cases: [string, string[]][] = [
    [
      'ids with no prefix of another (the record-id shortcut)',
      ['b7', 'a1', 'c3', 'a2', 'Z9', 'é1', 'a_', 'b8'],
    ],
    [
      'ids where one plus "_" starts another ("r1", "r1_": compared directly)',
      ['r1', 'r10', 'r1_', 'r2', 'r', 'r1x'],
    ],
    [
      'numbered ids, one a prefix of another ("D1", "D10": the shortcut still holds)',
      ['D1', 'D10', 'D100', 'D2', 'D11', 'D1x', 'D'],
    ],
    ['many records, shuffled ids', Array.from({ length: 300 }, (_, i) => `k${(i * 7919) % 1000}x`)],
  ];
  for (const [name, ids] of cases)
    it(name, () => {
      for (const seed of [1, 2, 3]) {
        const s = summarize(funnel(ids, seed), NOW, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY);
        const expected = s.issues.slice().sort(compareIssues);
        expect(s.issues.map((i) => i.issueId)).toEqual(expected.map((i) => i.issueId));
        expect(Array.from(s.byIssueId!)).toEqual(idOrder(s.issues));
      }
    });

  it('falls back to compareIssues for losses that are not whole non-negative cents', () => {
    const rec = { id: 'x' };
    const issue = (id: string, lossCents: number): OrderedIssue => ({
      issueId: `x_${id}`,
      lossCents,
      rule: RULES.duplicate,
      record: rec,
    });
    const issues = [issue('A', 1.5), issue('B', -3), issue('C', 2 ** 60), issue('D', 7), issue('E', 7)];
    const o = orderIssues(issues);
    expect(Array.from(o.byScanOrder, (k) => issues[k]!.issueId)).toEqual(
      issues
        .slice()
        .sort(compareIssues)
        .map((i) => i.issueId),
    );
    expect(Array.from(o.byIssueId)).toEqual([0, 1, 2, 3, 4]);
  });

  it('orders large losses across several 16-bit digits', () => {
    const issues = [2 ** 40 + 5, 2 ** 40 + 5, 70_000, 2 ** 33, 0, 65_536, 65_535].map(
      (lossCents, k): OrderedIssue => ({
        issueId: `r${k}_T`,
        lossCents,
        rule: k === 1 ? RULES.unassigned : RULES.duplicate,
        record: { id: `r${k}` },
      }),
    );
    const o = orderIssues(issues);
    expect(Array.from(o.byScanOrder)).toEqual([1, 0, 3, 2, 5, 6, 4]);
  });
});
