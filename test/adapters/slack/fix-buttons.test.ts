import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  FIX_ACTIONS,
  fixPreviewValue,
  fixRunValue,
  parseFixAction,
  parseIncidentAction,
} from '../../../src/adapters/slack/blocks/ids.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderScanSummary } from '../../../src/adapters/slack/blocks/scan-summary.ts';
import type { KnownBlock } from '../../../src/adapters/slack/blocks/types.ts';
import { renderWarRoom } from '../../../src/adapters/slack/blocks/war-room.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS, ISSUE_TYPES } from '../../../src/domain/rules/catalog.ts';
import { summarize } from '../../../src/domain/scan/summarize.ts';
import { buildRecord, T0 } from '../../support/builders.ts';
import { acknowledged, buildIncident, resolved } from './incident-fixtures.ts';

type Button = { action_id: string; value: string; text: { text: string } };
const fixButtons = (blocks: readonly KnownBlock[]): Button[] =>
  blocks
    .flatMap((b) => (b.type === 'actions' ? (b.elements as unknown as Button[]) : []))
    .filter((b) => parseFixAction(b.action_id, b.value)?.action === 'preview');

describe('fix action ids', () => {
  it('round-trips previews of an issue and of a bulk pack', () => {
    const issue = fixPreviewValue({ kind: 'issue', issueId: 'O-2005_UNASSIGNED_OWNER' });
    expect(issue).toBe('O-2005_UNASSIGNED_OWNER');
    expect(parseFixAction(FIX_ACTIONS.preview, issue)).toEqual({
      action: 'preview',
      target: { kind: 'issue', issueId: 'O-2005_UNASSIGNED_OWNER' },
    });
    for (const issueType of ISSUE_TYPES) {
      const v = fixPreviewValue({ kind: 'bulk', issueType });
      expect(v).toBe(`bulk:${issueType}`);
      expect(parseFixAction(FIX_ACTIONS.preview, v)).toEqual({
        action: 'preview',
        target: { kind: 'bulk', issueType },
      });
    }
    expect(parseFixAction(FIX_ACTIONS.preview, 'a.b:c@d-e_F')?.action).toBe('preview');
    expect(parseFixAction(FIX_ACTIONS.preview, 'x'.repeat(200))?.action).toBe('preview');
  });

  it.each(['approve', 'reject', 'rollback'] as const)('round-trips %s with a run id', (action) => {
    expect(parseFixAction(FIX_ACTIONS[action], fixRunValue('7'))).toEqual({ action, runId: '7' });
    expect(parseFixAction(FIX_ACTIONS[action], '9223372036854775807')).toEqual({
      action,
      runId: '9223372036854775807',
    });
  });

  it.each([
    ['fix.nuke', '7'],
    ['', '7'],
    ['FIX.APPROVE', '7'],
    [ACTIONS.ack, '7'],
    [FIX_ACTIONS.approve, ''],
    [FIX_ACTIONS.approve, '0'],
    [FIX_ACTIONS.approve, '07'],
    [FIX_ACTIONS.approve, '-7'],
    [FIX_ACTIONS.reject, '7 '],
    [FIX_ACTIONS.rollback, '9223372036854775808'],
    [FIX_ACTIONS.rollback, 'O-2005_UNASSIGNED_OWNER'],
    [FIX_ACTIONS.approve, undefined],
    [FIX_ACTIONS.preview, null],
    [FIX_ACTIONS.preview, ''],
    [FIX_ACTIONS.preview, 'bulk:'],
    [FIX_ACTIONS.preview, 'bulk:NOPE'],
    [FIX_ACTIONS.preview, 'bulk:unassigned_owner'],
    [FIX_ACTIONS.preview, 'x'.repeat(201)],
    [FIX_ACTIONS.preview, 'O 2005'],
    [FIX_ACTIONS.preview, '<!channel>'],
    [FIX_ACTIONS.preview, 'a/b'],
  ])('rejects %j with value %j', (id, value) => {
    expect(parseFixAction(id, value)).toBeNull();
  });

  it('keeps fix and incident ids apart, and refuses values that could not parse back', () => {
    expect(parseIncidentAction(FIX_ACTIONS.approve, '7')).toBeNull();
    expect(Object.values(ACTIONS)).not.toContain(FIX_ACTIONS.preview);
    expect(() => fixRunValue('abc')).toThrow();
    expect(() => fixPreviewValue({ kind: 'issue', issueId: 'x<1>' })).toThrow();
    expect(() => fixPreviewValue({ kind: 'issue', issueId: 'bulk:STALE_OPP' })).toThrow();
    expect(() => fixPreviewValue({ kind: 'bulk', issueType: 'NOPE' as never })).toThrow();
  });
});

describe('War Room "Preview fix"', () => {
  it('previews the bulk pack for the top cause while open', () => {
    for (const i of [buildIncident(), acknowledged()]) {
      const [b, ...others] = fixButtons(renderWarRoom(i).blocks);
      expect(others).toEqual([]);
      expect(b?.text.text).toBe('Preview fix: Stale opp');
      expect(parseFixAction(b!.action_id, b!.value)).toEqual({
        action: 'preview',
        target: { kind: 'bulk', issueType: 'STALE_OPP' },
      });
    }
  });

  it('has none once resolved or without a cause', () => {
    expect(fixButtons(renderWarRoom(resolved()).blocks)).toEqual([]);
    const none = buildIncident({ figures: { topCauses: [], openIssues: 0, topIssues: [] } });
    expect(fixButtons(renderWarRoom(none).blocks)).toEqual([]);
  });
});

describe('scan summary "Fix" buttons', () => {
  const scan = (records: FunnelRecord[]) => summarize(records, T0, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY);
  const render = (records: FunnelRecord[], maxIssues?: number) =>
    renderScanSummary(
      {
        summary: scan(records),
        delta: { newIssues: 0, stillOpen: 0, reopened: 0, cleared: 0, reconciled: true },
      },
      maxIssues === undefined
        ? { thresholds: DEFAULT_THRESHOLDS }
        : { thresholds: DEFAULT_THRESHOLDS, maxIssues },
    );
  const unowned = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      buildRecord({ id: `O-${2000 + i}`, owner: '', valueCents: 100_000 * (i + 1) }),
    );

  it('offers one per listed issue, the first five, after the issues', () => {
    const records = unowned(8);
    const s = scan(records);
    const r = render(records);
    const bs = fixButtons(r.blocks);
    expect(bs).toHaveLength(5);
    expect(bs.map((b) => b.value)).toEqual(s.issues.slice(0, 5).map((i) => i.issueId));
    expect(bs[0]?.text.text).toBe(`Fix ${s.issues[0]!.record.id} · Unassigned owner`);
    for (const b of bs) expect(parseFixAction(b.action_id, b.value)?.action).toBe('preview');
    expect(r.blocks.at(-1)?.type).toBe('actions');
    expect(limitViolations(r)).toEqual([]);
  });

  it('offers no more buttons than issues listed, and none for ids a button cannot carry', () => {
    expect(fixButtons(render(unowned(8), 2).blocks)).toHaveLength(2);
    expect(fixButtons(render([buildRecord({ id: 'x<1>', owner: '' })]).blocks)).toEqual([]);
    expect(render([buildRecord()]).blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('cuts long record ids to 75 characters', () => {
    const [b] = fixButtons(render([buildRecord({ id: 'R'.repeat(150), owner: '' })]).blocks);
    expect(b?.text.text).toHaveLength(75);
    expect(b?.value).toMatch(/^R{150}_/);
  });
});
