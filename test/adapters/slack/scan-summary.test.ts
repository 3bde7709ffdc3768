import { describe, expect, it } from 'vitest';
import { parseFixAction } from '../../../src/adapters/slack/blocks/ids.ts';
import { budgetGauge, formatBurn } from '../../../src/adapters/slack/blocks/kit.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { formatAge, renderScanSummary } from '../../../src/adapters/slack/blocks/scan-summary.ts';
import type { FindingsDelta } from '../../../src/app/records/ports.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { type ScanSummary, summarize } from '../../../src/domain/scan/summarize.ts';
import { formatUsd } from '../../../src/shared/money.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';
import { buildRecord, T0 } from '../../support/builders.ts';
import { acknowledged } from './incident-fixtures.ts';

const opts = { thresholds: DEFAULT_THRESHOLDS };
const delta: FindingsDelta = { newIssues: 2, stillOpen: 1, reopened: 0, cleared: 4, reconciled: true };
const scan = (records: FunnelRecord[], now = T0): ScanSummary =>
  summarize(records, now, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY);
const render = (s: ScanSummary, maxIssues?: number) =>
  renderScanSummary({ summary: s, delta }, maxIssues === undefined ? opts : { ...opts, maxIssues });

/** An unowned, regionless lead with no next step: four rules fire (unassigned, routing, SLA, no next step). */
const hostile = (i: number): FunnelRecord =>
  buildRecord({
    id: `rec-${i}-${'9'.repeat(60)}`,
    name: `<!channel> & <https://evil.example|click me> ${'W'.repeat(400)} ${i}`,
    owner: '',
    region: '',
    nextStep: '',
    lastTouchAtMs: null,
    createdAtMs: T0 - 3 * DAY_MS,
    valueCents: 100 * (i + 1),
  });

const moreLine = (blocks: unknown[]) =>
  JSON.stringify(blocks).match(/…and ([\d,]+) more issues? \((\$[\d,]+)\)/);
/** Issue lines start a line of a section's text, either its first or after a newline. */
const listedIssues = (blocks: unknown[]) =>
  (JSON.stringify(blocks).match(/(?:\\n|"text":")• \*/g) ?? []).length;

describe('renderScanSummary stays within Block Kit limits', () => {
  it.each([0, 3, 1_000, 100_000])('%i records with hostile names and owners', (n) => {
    const s = scan(Array.from({ length: n }, (_, i) => hostile(i)));
    const r = render(s);
    expect(limitViolations(r)).toEqual([]);
    expect(r.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(r.blocks).length).toBeLessThan(12_000);
    // The fallback always carries severity, paging and the dollar total.
    expect(r.text).toContain(`SEV-${s.incidentSeverity}`);
    expect(r.text).toContain(s.paging);
    expect(r.text).toContain(formatUsd(s.totalAtRiskCents));
  });

  it('packs issues up to the JSON budget when maxIssues allows hundreds', () => {
    const s = scan(Array.from({ length: 1_000 }, (_, i) => hostile(i)));
    const r = render(s, 10_000);
    expect(limitViolations(r)).toEqual([]);
    // More than the default ten fit, and several sections share them (each ≤ 3,000 characters).
    expect(listedIssues(r.blocks)).toBeGreaterThan(10);
    expect(
      r.blocks.filter((b) => b.type === 'section' && b.text?.text.includes('• *')).length,
    ).toBeGreaterThan(1);
  });

  it.each([undefined, 10_000])(
    'lists what fits and accounts for every other issue in "…and N more ($X)" (maxIssues %s)',
    (max) => {
      const s = scan(Array.from({ length: 1_000 }, (_, i) => hostile(i)));
      const r = render(s, max);
      const listed = listedIssues(r.blocks);
      const more = moreLine(r.blocks);
      expect(listed).toBeGreaterThan(0);
      expect(more).not.toBeNull();
      expect(listed + Number(more![1]!.replace(/,/g, ''))).toBe(s.issues.length);
      const shownCents = s.issues.slice(0, listed).reduce((a, i) => a + i.lossCents, 0);
      expect(more![2]).toBe(formatUsd(s.totalAtRiskCents - shownCents));
    },
  );

  it('honours maxIssues and omits the "more" line when everything fits', () => {
    const three = scan(
      [0, 1, 2].map((i) => buildRecord({ id: `r${i}`, owner: '', valueCents: 100_000 * (i + 1) })),
    );
    expect(three.issues).toHaveLength(3);
    expect(listedIssues(render(three).blocks)).toBe(3);
    expect(moreLine(render(three).blocks)).toBeNull();
    const capped = render(three, 1);
    expect(listedIssues(capped.blocks)).toBe(1);
    expect(moreLine(capped.blocks)?.[1]).toBe('2');
  });
});

describe('escaping and truncation', () => {
  const s = scan([
    buildRecord({
      id: 'x<1>',
      name: 'Acme <!channel> & Co',
      owner: '<@U999> & <!here>',
      nextStep: '',
      createdAtMs: T0 - 2 * DAY_MS,
    }),
  ]);
  const json = JSON.stringify(render(s).blocks);

  it('escapes & < > in record names, ids and owners', () => {
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<!here>');
    expect(json).not.toContain('<@U999>');
    expect(json).toContain('Acme &lt;!channel&gt; &amp; Co');
    expect(json).toContain('&lt;@U999&gt; &amp; &lt;!here&gt;');
    expect(json).toContain('x&lt;1&gt;');
  });

  it('cuts long names with an ellipsis, before escaping (no half entities)', () => {
    const r = render(scan([hostile(1)]));
    const text = JSON.stringify(r.blocks);
    expect(text).toContain('…');
    expect(text).not.toContain('W'.repeat(100));
    expect(text).not.toMatch(/&(a|am|l|g)?…/);
  });

  it('keeps a multi-line name on one line', () => {
    const r = render(scan([buildRecord({ name: 'two\nlines', owner: '' })]));
    expect(JSON.stringify(r.blocks)).toContain('two lines');
  });
});

describe('content', () => {
  it('shows severity, paging, burn, budget gauge, causes, issues, ages, owners and the delta', () => {
    // $20,000 unassigned opp → burn 0.4 → WARN, SEV-4; a $2,000 SLA-breached lead owned by bob.
    const s = scan([
      buildRecord({
        id: 'o1',
        type: 'opp',
        name: 'Initech renewal',
        owner: '',
        stage: 'Proposal',
        valueCents: 2_000_000,
        lastTouchAtMs: T0 - 3 * DAY_MS,
      }),
      buildRecord({
        id: 'l1',
        name: 'Hooli lead',
        owner: 'bob',
        valueCents: 400_000,
        createdAtMs: T0 - 45 * MINUTE_MS,
        lastTouchAtMs: null,
      }),
    ]);
    const r = render(s);
    const json = JSON.stringify(r.blocks);
    expect(r.text).toBe('SEV-4 · WARN · $22,000 at risk across 2 open issues (burn 0.44×)');
    expect(json).toContain(':warning: WARN');
    expect(json).toContain('0.44× the monthly budget');
    expect(json).toContain('`▓▓▓▓▓░░░░░` 56%');
    expect(json).toContain('`UNASSIGNED_OWNER` · 1 issue · *$20,000*');
    expect(json).toMatch(/Initech renewal\* \(`o1`\) · `UNASSIGNED_OWNER` · \*\$20,000\* · 3d · Unassigned/);
    expect(json).toMatch(/Hooli lead\* \(`l1`\) · `SLA_BREACH_UNTOUCHED` · \*\$2,000\* · 45m · bob/);
    expect(json).toContain('2 new · 4 cleared · 0 reopened · 1 still open');
  });

  it('renders "no open issues" with the cleared count', () => {
    const s = scan([buildRecord()]);
    const r = render(s);
    expect(r.text).toBe('SEV-5 · OK · $0 at risk: no open revenue leaks across 1 record');
    const json = JSON.stringify(r.blocks);
    expect(json).toContain('No open revenue leaks');
    expect(json).toContain('4 issues cleared since the last scan');
    expect(limitViolations(r)).toEqual([]);
  });
});

describe('a backfill (as-of older than the newest scan)', () => {
  const backfill: FindingsDelta = { newIssues: 0, stillOpen: 0, reopened: 0, cleared: 0, reconciled: false };
  const open = acknowledged();
  const leaking = () =>
    scan([buildRecord({ id: 'o1', type: 'opp', owner: '', stage: 'Proposal', valueCents: 2_000_000 })]);

  it('says what it is instead of a delta of zeros, and names the incident open now', () => {
    const r = renderScanSummary(
      { summary: leaking(), delta: backfill, incident: { action: 'none', incident: open } },
      opts,
    );
    const json = JSON.stringify(r.blocks);
    expect(json).toContain('backfill: totals stored, findings unchanged');
    expect(json).not.toContain('0 new');
    expect(json).toContain('Incident #42 is open now (SEV-1 · ACKNOWLEDGED), unchanged by this backfill');
    expect(r.text).toMatch(/^Backfill as of 2025-06-02 12:00 UTC: SEV-4 · WARN · \$20,000 at risk/);
    // Its issues are history: no Fix button acts on the present from them.
    expect(r.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(limitViolations(r)).toEqual([]);
  });

  it('never claims that nothing is leaking now while an incident is open', () => {
    const r = renderScanSummary(
      { summary: scan([buildRecord()]), delta: backfill, incident: { action: 'none', incident: open } },
      opts,
    );
    const json = JSON.stringify(r.blocks);
    expect(json).not.toMatch(/Nothing is leaking|No change/);
    expect(json).toContain('Nothing was leaking as of then');
    expect(json).toContain('backfill: totals stored, findings unchanged');
    expect(json).toContain('Incident #42 is open now');
    expect(r.text).toMatch(/^Backfill as of /);
  });

  it('says so when no incident is open now', () => {
    const r = renderScanSummary(
      { summary: leaking(), delta: backfill, incident: { action: 'none', incident: null } },
      opts,
    );
    expect(JSON.stringify(r.blocks)).toContain('No incident is open now; a backfill opens none');
  });
});

describe('Fix buttons', () => {
  type Button = { action_id: string; value: string; text: { text: string } };
  const fixButtons = (blocks: readonly unknown[]): Button[] =>
    (blocks as Array<{ type: string; elements?: Button[] }>).flatMap((b) =>
      b.type === 'actions' ? (b.elements ?? []) : [],
    );

  it('one per issue, with distinct labels and action ids, even for issues of one record', () => {
    // Record 118 is a stale opp without a next step: two issues of one record.
    const s = scan([
      buildRecord({
        id: '118',
        type: 'opp',
        owner: 'alice',
        stage: 'Proposal',
        nextStep: '',
        valueCents: 5_000_000,
        lastTouchAtMs: T0 - 30 * DAY_MS,
      }),
    ]);
    expect(s.issues.map((i) => i.issueId).sort()).toEqual(['118_NO_NEXT_STEP', '118_STALE_OPP']);
    const bs = fixButtons(render(s).blocks);
    expect(bs).toHaveLength(2);
    expect(new Set(bs.map((b) => b.text.text)).size).toBe(2);
    expect(new Set(bs.map((b) => b.action_id)).size).toBe(2);
    expect(new Set(bs.map((b) => b.value)).size).toBe(2);
    expect(bs.map((b) => b.text.text).sort()).toEqual(['Fix 118 · No next step', 'Fix 118 · Stale opp']);
    for (const b of bs) {
      expect(b.text.text.length).toBeLessThanOrEqual(75);
      expect(parseFixAction(b.action_id, b.value)).toEqual({
        action: 'preview',
        target: { kind: 'issue', issueId: b.value },
      });
    }
  });

  it('keeps labels distinct when long record ids share their first 75 characters', () => {
    const id = (n: number) => `${'R'.repeat(100)}${n}`;
    const s = scan([1, 2, 3].map((n) => buildRecord({ id: id(n), owner: '', valueCents: 100_000 * n })));
    const bs = fixButtons(render(s).blocks);
    expect(bs).toHaveLength(3);
    expect(new Set(bs.map((b) => b.text.text)).size).toBe(3);
    for (const b of bs) expect(b.text.text.length).toBeLessThanOrEqual(75);
  });
});

describe('formatters', () => {
  it.each([
    [0, '0.00×'],
    [0.312, '0.31×'],
    [1, '1.0×'],
    [14.93, '14.9×'],
    [1234.5, '1,234.5×'],
  ])('formatBurn(%d) = %s', (burn, text) => expect(formatBurn(burn)).toBe(text));

  it.each([
    [1, '▓▓▓▓▓▓▓▓▓▓'],
    [0.7, '▓▓▓▓▓▓▓░░░'],
    [0.09, '░░░░░░░░░░'],
    [0, '░░░░░░░░░░'],
    [-1, '░░░░░░░░░░'],
  ])('budgetGauge(%d) = %s', (left, gauge) => expect(budgetGauge(left)).toBe(gauge));

  it.each([
    [45 * MINUTE_MS, '45m'],
    [59 * MINUTE_MS, '59m'],
    [60 * MINUTE_MS, '1h'],
    [DAY_MS - 1, '23h'],
    [3 * DAY_MS + 5 * MINUTE_MS, '3d'],
    [-MINUTE_MS, '—'],
  ])('formatAge(%d ms) = %s', (elapsed, text) => {
    const [issue] = scan([
      buildRecord({ owner: '', lastTouchAtMs: T0 - elapsed, createdAtMs: T0 - elapsed }),
    ]).issues;
    expect(formatAge(issue!, T0)).toBe(text);
  });
});
