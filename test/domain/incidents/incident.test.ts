import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BUDGET_POLICY,
  type IncidentSeverity,
  type Paging,
} from '../../../src/domain/budget/budget.ts';
import {
  channelName,
  DEFAULT_INCIDENT_POLICY,
  figuresOf,
  humanIssueType,
  type Incident,
  type IncidentFigures,
  type IncidentPolicy,
  judgeScan,
  nextPageAt,
  pageAudience,
  REVENUE_DEDUPE_KEY,
  revenueFigures,
  revenueTitle,
  slugify,
  TOP_ISSUES_KEPT,
  wantsChannel,
  worsened,
} from '../../../src/domain/incidents/incident.ts';
import type { IncidentState } from '../../../src/domain/incidents/lifecycle.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS, ISSUE_TYPES, type IssueType } from '../../../src/domain/rules/catalog.ts';
import { summarize, UNASSIGNED_SEGMENT } from '../../../src/domain/scan/summarize.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { buildOpp, buildRecord, daysAgo, minutesAgo, NOW } from '../build.ts';

const P = DEFAULT_INCIDENT_POLICY;
const WINDOW = P.reopenWindowMs;
const scan = (records: FunnelRecord[], nowMs = NOW) =>
  summarize(records, nowMs, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY);

/** Figures of an empty scan at NOW (SEV-5, OK), with the fields a test is about overridden. */
const figures = (overrides: Partial<IncidentFigures> = {}): IncidentFigures => ({
  ...figuresOf('1', scan([])),
  ...overrides,
});
/** The figures of a scan at `asOfMs` with the given severity. */
const scanAt = (severity: IncidentSeverity, asOfMs = NOW): IncidentFigures =>
  figures({ severity, scanAsOfMs: asOfMs, scanId: `scan-${asOfMs}` });

function incident(
  overrides: Partial<Omit<Incident, 'figures'>> & { figures?: Partial<IncidentFigures> } = {},
): Incident {
  const { figures: f, ...rest } = overrides;
  return {
    recoveredCents: 0,
    id: 'open-1',
    dedupeKey: REVENUE_DEDUPE_KEY,
    title: 'Revenue leak: Unassigned owner',
    state: 'detected',
    severity: 3,
    paging: 'PAGE',
    openedAtMs: NOW - 60 * MINUTE_MS,
    acknowledgedAtMs: null,
    acknowledgedBy: null,
    resolvedAtMs: null,
    resolvedBy: null,
    commander: null,
    figures: figures({ severity: 3, scanAsOfMs: NOW - 5 * MINUTE_MS, ...f }),
    channelId: null,
    channelName: null,
    warRoomTs: null,
    pagesSent: 1,
    nextPageAtMs: null,
    ...rest,
  };
}

/** A resolved incident, resolved `agoMs` before NOW by a scan shortly before that. */
const resolvedAgo = (agoMs: number, f: Partial<IncidentFigures> = {}): Incident =>
  incident({
    id: 'resolved-1',
    state: 'resolved',
    resolvedAtMs: NOW - agoMs,
    resolvedBy: 'system:scheduled-scan',
    figures: { severity: 5, scanAsOfMs: NOW - agoMs - MINUTE_MS, ...f },
  });

describe('DEFAULT_INCIDENT_POLICY and constants', () => {
  it('repeats pages every 15 min, escalates after 2 repeats, opens a channel at SEV-3, reopens within 60 min', () => {
    expect(DEFAULT_INCIDENT_POLICY).toEqual({
      channelSeverity: 3,
      pageRepeatMs: 15 * 60_000,
      escalateAfterRepeats: 2,
      reopenWindowMs: 60 * 60_000,
    });
  });

  it('keeps 10 issues under one revenue dedupe key', () => {
    expect(TOP_ISSUES_KEPT).toBe(10);
    expect(REVENUE_DEDUPE_KEY).toBe('revenue-leak:funnel');
  });
});

describe('judgeScan: no open incident', () => {
  it('a SEV-5 scan (nothing open) does nothing', () => {
    expect(judgeScan(null, null, scanAt(5), P, NOW)).toEqual({ action: 'none' });
  });

  it.each([4, 3, 2, 1] as const)('a SEV-%i scan declares an incident', (sev) => {
    const f = scanAt(sev);
    expect(judgeScan(null, null, f, P, NOW)).toEqual({ action: 'declare', figures: f });
  });

  it('a SEV-5 scan does nothing even right after a resolve', () => {
    expect(judgeScan(null, resolvedAgo(0), scanAt(5), P, NOW)).toEqual({ action: 'none' });
  });
});

describe('judgeScan: an open incident (SEV-3, figures from 5 min ago)', () => {
  const open = incident();

  it('a SEV-5 scan resolves it', () => {
    const f = scanAt(5);
    expect(judgeScan(open, null, f, P, NOW)).toEqual({ action: 'resolve', incidentId: 'open-1', figures: f });
  });

  it.each([
    [1, 3],
    [2, 3],
    [3, null],
    [4, 3],
  ] as const)('a SEV-%i scan updates it with severityFrom %s', (sev, from) => {
    const f = scanAt(sev);
    expect(judgeScan(open, null, f, P, NOW)).toEqual({
      action: 'update',
      incidentId: 'open-1',
      figures: f,
      severityFrom: from,
    });
  });

  it.each([1, 2, 3, 4, 5] as const)('a SEV-%i scan older than its figures changes nothing', (sev) => {
    const stale = scanAt(sev, revenueFigures(open)!.scanAsOfMs - 1);
    expect(judgeScan(open, null, stale, P, NOW)).toEqual({ action: 'none' });
  });

  it('a scan exactly as old as its figures still counts (equal is not older)', () => {
    const f = scanAt(4, revenueFigures(open)!.scanAsOfMs);
    expect(judgeScan(open, null, f, P, NOW)).toMatchObject({ action: 'update', severityFrom: 3 });
    expect(judgeScan(open, null, scanAt(5, revenueFigures(open)!.scanAsOfMs), P, NOW)).toMatchObject({
      action: 'resolve',
    });
  });

  it('the open incident wins over a recently resolved one', () => {
    expect(judgeScan(open, resolvedAgo(0), scanAt(3), P, NOW)).toMatchObject({
      action: 'update',
      incidentId: 'open-1',
    });
  });
});

describe('judgeScan: the reopen window (60 min, inclusive)', () => {
  it.each([
    ['resolved just now', 0, 'reopen'],
    ['resolved 59 min ago', 59 * MINUTE_MS, 'reopen'],
    ['resolved exactly 60 min ago', WINDOW, 'reopen'],
    ['resolved 60 min + 1 ms ago', WINDOW + 1, 'declare'],
    ['resolved a day ago', 24 * 60 * MINUTE_MS, 'declare'],
  ] as const)('%s → %s', (_label, agoMs, action) => {
    const f = scanAt(3);
    const verdict = judgeScan(null, resolvedAgo(agoMs), f, P, NOW);
    expect(verdict).toEqual(
      action === 'reopen' ? { action, incidentId: 'resolved-1', figures: f } : { action, figures: f },
    );
  });

  it('a resolved incident without a resolve time is never reopened', () => {
    const r = incident({ id: 'resolved-1', state: 'resolved', resolvedAtMs: null });
    expect(judgeScan(null, r, scanAt(3), P, NOW)).toMatchObject({ action: 'declare' });
  });

  it('a scan older than the resolved incident figures declares anew (it does not reopen)', () => {
    const r = resolvedAgo(MINUTE_MS, { scanAsOfMs: NOW });
    const f = scanAt(3, NOW - 1);
    expect(judgeScan(null, r, f, P, NOW)).toEqual({ action: 'declare', figures: f });
    // As new as the resolving scan: reopens.
    expect(judgeScan(null, r, scanAt(3, NOW), P, NOW)).toMatchObject({
      action: 'reopen',
      incidentId: 'resolved-1',
    });
  });

  it('follows the configured window', () => {
    const tight: IncidentPolicy = { ...P, reopenWindowMs: 0 };
    expect(judgeScan(null, resolvedAgo(0), scanAt(2), tight, NOW)).toMatchObject({ action: 'reopen' });
    expect(judgeScan(null, resolvedAgo(1), scanAt(2), tight, NOW)).toMatchObject({ action: 'declare' });
  });
});

describe('figuresOf a real scan summary', () => {
  /*
   *  record | what it is                                          | issues (loss)
   *  l1     | lead, no owner, untouched, created 45 min ago, $24k | UNASSIGNED $24,000; SLA 24000×0.5 = $12,000
   *  b1     | opp, bob, no next step, $42k                        | NO_NEXT_STEP 42000×0.25 = $10,500
   *  u1…u11 | opp, no owner, touched n min ago, $1k × n           | UNASSIGNED $1,000 × n
   *
   *  14 issues; the top 10 by dollars: l1 U 24,000 · l1 SLA 12,000 · u11 11,000 · b1 10,500 · u10 … u5.
   */
  const records: FunnelRecord[] = [
    buildRecord({
      id: 'l1',
      owner: '',
      createdAtMs: minutesAgo(45),
      lastTouchAtMs: null,
      valueCents: 2_400_000,
    }),
    buildOpp({ id: 'b1', owner: 'bob', nextStep: '', valueCents: 4_200_000 }),
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) =>
      buildOpp({ id: `u${n}`, owner: '', lastTouchAtMs: minutesAgo(n), valueCents: n * 100_000 }),
    ),
  ];
  const s = scan(records);
  const f = figuresOf('scan-9', s);

  it('keeps at most TOP_ISSUES_KEPT issues, largest dollars first', () => {
    expect(s.issues).toHaveLength(14);
    expect(f.openIssues).toBe(14);
    expect(f.topIssues).toHaveLength(TOP_ISSUES_KEPT);
    expect(f.topIssues.map((i) => [i.issueId, i.lossCents])).toEqual([
      ['l1_UNASSIGNED_OWNER', 2_400_000],
      ['l1_SLA_BREACH_UNTOUCHED', 1_200_000],
      ['u11_UNASSIGNED_OWNER', 1_100_000],
      ['b1_NO_NEXT_STEP', 1_050_000],
      ['u10_UNASSIGNED_OWNER', 1_000_000],
      ['u9_UNASSIGNED_OWNER', 900_000],
      ['u8_UNASSIGNED_OWNER', 800_000],
      ['u7_UNASSIGNED_OWNER', 700_000],
      ['u6_UNASSIGNED_OWNER', 600_000],
      ['u5_UNASSIGNED_OWNER', 500_000],
    ]);
  });

  it('renders each issue line: Unassigned for an empty owner, idle since last touch else creation', () => {
    expect(f.topIssues[0]).toEqual({
      issueId: 'l1_UNASSIGNED_OWNER',
      recordId: 'l1',
      name: 'Contact l1',
      issueType: 'UNASSIGNED_OWNER',
      label: 'high',
      lossCents: 2_400_000,
      owner: UNASSIGNED_SEGMENT,
      idleSinceMs: minutesAgo(45), // never touched: from creation
    });
    expect(f.topIssues[3]).toEqual({
      issueId: 'b1_NO_NEXT_STEP',
      recordId: 'b1',
      name: 'Contact b1',
      issueType: 'NO_NEXT_STEP',
      label: 'high',
      lossCents: 1_050_000,
      owner: 'bob',
      idleSinceMs: minutesAgo(10), // the builder's last touch
    });
    expect(f.topIssues[2]).toMatchObject({ owner: 'Unassigned', idleSinceMs: minutesAgo(11) });
    expect(f.topIssues.filter((i) => i.owner === '')).toEqual([]);
  });

  it('copies the scan totals and roll-ups', () => {
    expect(f).toMatchObject({
      scanId: 'scan-9',
      scanAsOfMs: NOW,
      severity: 1, // $112,500 at risk: burn 2.25 > 2.0
      paging: 'PAGE',
      burn: 2.25,
      budgetRemaining: 0,
      atRiskCents: 11_250_000,
      budgetCents: 5_000_000,
      openIssues: 14,
      highIssues: 14,
    });
    expect(f.topCauses).toEqual(s.topCauses);
    expect(f.affectedOwners).toEqual(s.affectedSegments);
    expect(f.affectedOwners[0]).toEqual({ owner: 'Unassigned', count: 13, lossCents: 10_200_000 });
    expect(f.slos).toEqual(s.slos);
  });

  it('keeps every issue when there are at most ten', () => {
    const ten = scan(records.slice(0, 9)); // l1 (2 issues), b1, u1…u7: 10 issues
    expect(ten.issues).toHaveLength(10);
    expect(figuresOf('x', ten).topIssues.map((i) => i.issueId)).toEqual(ten.issues.map((i) => i.issueId));
  });

  it('an empty scan: SEV-5, OK, nothing listed', () => {
    expect(figuresOf('0', scan([]))).toMatchObject({
      scanId: '0',
      severity: 5,
      paging: 'OK',
      atRiskCents: 0,
      openIssues: 0,
      highIssues: 0,
      topIssues: [],
      topCauses: [],
      affectedOwners: [],
    });
  });

  it('an old lead idles since its creation days ago', () => {
    const old = figuresOf(
      '1',
      scan([buildRecord({ id: 'o', owner: '', createdAtMs: daysAgo(3), lastTouchAtMs: null })]),
    );
    expect(old.topIssues.map((i) => i.idleSinceMs)).toEqual([daysAgo(3), daysAgo(3)]);
  });
});

describe('channelName', () => {
  const OCT_27 = Date.UTC(2023, 9, 27, 12);

  it('inc-<yyyymmdd>-<n>-<slug>, "Revenue leak:" shortened to "revenue"', () => {
    expect(channelName(OCT_27, '7', 'Revenue leak: Unassigned owner')).toBe(
      'inc-20231027-7-revenue-unassigned-owner',
    );
    expect(channelName(OCT_27, '7', 'Revenue leak')).toBe('inc-20231027-7-revenue-leak');
    expect(channelName(OCT_27, '7', 'revenue LEAK:   Stale opp')).toBe('inc-20231027-7-revenue-stale-opp');
  });

  it('uses the UTC date the incident opened', () => {
    expect(channelName(Date.UTC(2023, 9, 27, 23, 59, 59, 999), '1', 'x')).toBe('inc-20231027-1-x');
    expect(channelName(Date.UTC(2023, 9, 28, 0, 0, 0, 0), '1', 'x')).toBe('inc-20231028-1-x');
    expect(channelName(Date.UTC(2024, 0, 5), '1', 'x')).toBe('inc-20240105-1-x');
  });

  it('attempt 1 has no suffix; attempt k > 1 ends -k', () => {
    const title = 'Revenue leak: Unassigned owner';
    expect(channelName(OCT_27, '7', title, 1)).toBe('inc-20231027-7-revenue-unassigned-owner');
    expect(channelName(OCT_27, '7', title)).toBe(channelName(OCT_27, '7', title, 1));
    expect(channelName(OCT_27, '7', title, 2)).toBe('inc-20231027-7-revenue-unassigned-owner-2');
    expect(channelName(OCT_27, '7', title, 13)).toBe('inc-20231027-7-revenue-unassigned-owner-13');
  });

  it('folds accents', () => {
    expect(channelName(OCT_27, '7', 'Café Ünïcode')).toBe('inc-20231027-7-cafe-unicode');
  });

  it.each(['', '🔥🚨💸', '   ', '!!!', '日本語'])(
    'a title with nothing sluggable (%j) gives "incident"',
    (title) => {
      expect(channelName(OCT_27, '7', title)).toBe('inc-20231027-7-incident');
      expect(channelName(OCT_27, '7', title, 2)).toBe('inc-20231027-7-incident-2');
    },
  );

  const VALID = /^[a-z0-9_-]+$/;
  const long = `Revenue leak: ${'Àbc Déf '.repeat(40)}`; // > 300 characters

  it.each([
    ['a 300-char title', 'x'.repeat(300), '7', 1],
    ['a 300-char title, attempt 20', 'Y'.repeat(300), '7', 20],
    ['an accented 300-char revenue title, attempt 20', long, '7', 20],
    ['a 300-char title with a 19-digit number, attempt 20', long, '9223372036854775807', 20],
    ['a title of separators, attempt 20', '-_ '.repeat(100), '7', 20],
  ] as const)('%s: lowercase, [a-z0-9-_] only, ≤ 80 chars, suffix kept', (_label, title, n, attempt) => {
    const name = channelName(OCT_27, n, title, attempt);
    expect(name).toMatch(VALID);
    expect(name).toBe(name.toLowerCase());
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name.startsWith(`inc-20231027-${n}-`)).toBe(true);
    if (attempt > 1) expect(name.endsWith(`-${attempt}`)).toBe(true);
    expect(name).not.toMatch(/--/);
  });

  it('cuts a long slug to 40 characters, without a dangling hyphen before the suffix', () => {
    expect(channelName(OCT_27, '7', 'Y'.repeat(300), 20)).toBe(`inc-20231027-7-${'y'.repeat(40)}-20`);
    // 'revenue-' (8) + 'abc-def-' × 4 (32): the 40-character cut ends on a hyphen, which is dropped.
    expect(channelName(OCT_27, '7', long, 20)).toBe(
      'inc-20231027-7-revenue-abc-def-abc-def-abc-def-abc-def-20',
    );
  });

  it('cuts the slug shorter when a long number leaves less room, to exactly 80', () => {
    const n = '9'.repeat(30); // head 'inc-20231027-' + 30 + '-' = 44, suffix '-20' = 3: 33 left for the slug
    const name = channelName(OCT_27, n, 'z'.repeat(300), 20);
    expect(name).toBe(`inc-20231027-${n}-${'z'.repeat(33)}-20`);
    expect(name).toHaveLength(80);
  });
});

describe('slugify', () => {
  it.each([
    ['Hello World', 'hello-world'],
    ['  --Hello--  ', 'hello'],
    ['a__b  c', 'a-b-c'],
    ['SEV-1 #42 (urgent!)', 'sev-1-42-urgent'],
    ['Café Ünïcode', 'cafe-unicode'],
    ['Ångström naïve résumé', 'angstrom-naive-resume'],
    ['ﬁle', 'file'], // compatibility ligature, folded by NFKD
    ['ＡＢＣ１２３', 'abc123'], // full-width forms, folded by NFKD
    ['', 'incident'],
    ['🔥', 'incident'],
    ['---', 'incident'],
    ['日本語', 'incident'],
    ['ok 🔥 go', 'ok-go'],
  ])('%j → %j', (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });

  it('cuts at 40 characters by default', () => {
    expect(slugify('a'.repeat(50))).toBe('a'.repeat(40));
    expect(slugify('a'.repeat(40))).toBe('a'.repeat(40));
  });

  it.each([
    ['abc-def', 4, 'abc'], // the cut lands on a hyphen: dropped
    ['abc-def', 3, 'abc'],
    ['abc-def', 5, 'abc-d'],
    ['abcdef', 1, 'a'],
    ['abc--def', 5, 'abc-d'], // runs of separators collapse first
  ] as const)('slugify(%j, %i) → %j', (text, max, slug) => {
    expect(slugify(text, max)).toBe(slug);
  });

  it('output is always lowercase [a-z0-9-] with no leading, trailing or doubled hyphen', () => {
    for (const text of ['A b', ' Ü-ber_Straße ', '--x--y--', 'MiXeD 123 !!', 'Ωmega Δelta x']) {
      const slug = slugify(text);
      expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });
});

describe('wantsChannel (default: SEV-3 or worse)', () => {
  it.each([
    [1, true],
    [2, true],
    [3, true],
    [4, false],
    [5, false],
  ] as const)('SEV-%i → %s', (sev, wants) => {
    expect(wantsChannel(sev, P)).toBe(wants);
  });

  it('follows the configured severity', () => {
    expect(wantsChannel(1, { ...P, channelSeverity: 1 })).toBe(true);
    expect(wantsChannel(2, { ...P, channelSeverity: 1 })).toBe(false);
    expect(wantsChannel(4, { ...P, channelSeverity: 4 })).toBe(true);
  });
});

describe('pageAudience', () => {
  it.each([
    ['OK', 0, false, false],
    ['OK', 5, false, false],
    ['WARN', 0, false, false],
    ['WARN', 3, false, false],
    ['WARN', 10, false, false],
    ['PAGE', 0, true, false],
    ['PAGE', 1, true, false],
    ['PAGE', 2, true, false],
    ['PAGE', 3, true, true],
    ['PAGE', 10, true, true],
  ] as const)('%s, repeat %i → on-call %s, escalate %s', (paging, repeat, mentionOnCall, escalate) => {
    expect(pageAudience(paging, repeat, P)).toEqual({ mentionOnCall, escalate });
  });

  it('escalates only past the configured repeats', () => {
    const p = { ...P, escalateAfterRepeats: 0 };
    expect(pageAudience('PAGE', 0, p)).toEqual({ mentionOnCall: true, escalate: false });
    expect(pageAudience('PAGE', 1, p)).toEqual({ mentionOnCall: true, escalate: true });
  });
});

describe('nextPageAt: only an unacknowledged PAGE repeats', () => {
  const SENT = NOW;
  const cases: Array<[IncidentState, Paging, number | null]> = [
    ['detected', 'PAGE', SENT + 15 * MINUTE_MS],
    ['detected', 'WARN', null],
    ['detected', 'OK', null],
    ['acknowledged', 'PAGE', null],
    ['acknowledged', 'WARN', null],
    ['resolved', 'PAGE', null],
    ['resolved', 'OK', null],
  ];
  it.each(cases)('%s + %s → %s', (state, paging, at) => {
    expect(nextPageAt(state, paging, SENT, P)).toBe(at);
  });

  it('uses the configured repeat', () => {
    expect(nextPageAt('detected', 'PAGE', 1_000, { ...P, pageRepeatMs: 5 })).toBe(1_005);
  });
});

describe('worsened: a numerically lower severity is worse', () => {
  it.each([
    [3, 2, true],
    [5, 4, true],
    [4, 1, true],
    [2, 1, true],
    [3, 3, false],
    [1, 1, false],
    [2, 3, false],
    [1, 5, false],
  ] as const)('SEV-%i → SEV-%i: %s', (from, to, w) => {
    expect(worsened(from, to)).toBe(w);
  });
});

describe('titles', () => {
  it.each([
    ['UNASSIGNED_OWNER', 'Unassigned owner'],
    ['STALE_OPP', 'Stale opp'],
    ['NO_NEXT_STEP', 'No next step'],
    ['DUPLICATE_SUSPECT', 'Duplicate suspect'],
    ['ROUTING_MISMATCH', 'Routing mismatch'],
    ['SLA_BREACH_UNTOUCHED', 'SLA breach untouched'],
  ] as const)('humanIssueType(%s) → %j', (t, text) => {
    expect(humanIssueType(t)).toBe(text);
  });

  it('covers every issue type with a plain sentence-case label (acronyms kept)', () => {
    for (const t of ISSUE_TYPES) expect(humanIssueType(t)).toMatch(/^(SLA|[A-Z][a-z]*)( [a-z]+)*$/);
  });

  it('revenueTitle names the top cause, or is plain with none', () => {
    const cause = (issueType: IssueType) => ({ issueType, count: 1, lossCents: 100 });
    expect(revenueTitle(figures({ topCauses: [cause('UNASSIGNED_OWNER'), cause('STALE_OPP')] }))).toBe(
      'Revenue leak: Unassigned owner',
    );
    expect(revenueTitle(figures({ topCauses: [] }))).toBe('Revenue leak');
  });

  it('a title from a real scan makes the expected channel name', () => {
    const f = figuresOf('1', scan([buildRecord({ id: 'x', owner: '' })]));
    const title = revenueTitle(f);
    expect(title).toBe('Revenue leak: Unassigned owner');
    expect(channelName(Date.UTC(2023, 9, 27, 12), '7', title)).toBe(
      'inc-20231027-7-revenue-unassigned-owner',
    );
  });
});
