import type { TimelineEntry } from '../../../src/app/incidents/ports.ts';
import { REVENUE_SLOS, type SloStatus } from '../../../src/domain/budget/slos.ts';
import type { Incident, IncidentFigures, IssueLine } from '../../../src/domain/incidents/incident.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';

/** A fixed instant: renderers take every time from their input, never from a clock. */
export const T0 = Date.parse('2025-06-02T12:00:00.000Z');

export function buildIssue(n: number, overrides: Partial<IssueLine> = {}): IssueLine {
  return {
    issueId: `iss-${n}`,
    recordId: `rec-${n}`,
    name: `Deal ${n}`,
    issueType: 'STALE_OPP',
    label: 'high',
    lossCents: 1_000_000 - n * 10_000,
    owner: 'alice',
    idleSinceMs: T0 - 3 * DAY_MS,
    ...overrides,
  };
}

export const SLOS: SloStatus[] = REVENUE_SLOS.map((d, n) => ({
  id: d.id,
  name: d.name,
  target: d.target,
  current: n === 0 ? 0.9496 : 1,
  breached: n === 0,
  budgetShare: d.budgetShare,
  budgetCents: Math.round(5_000_000 * d.budgetShare),
  badCount: n === 0 ? 5 : 0,
  population: 100,
}));

export function buildFigures(overrides: Partial<IncidentFigures> = {}): IncidentFigures {
  return {
    scanId: '7',
    scanAsOfMs: T0,
    severity: 1,
    paging: 'PAGE',
    burn: 14.92178,
    budgetRemaining: 0,
    atRiskCents: 74_608_900,
    budgetCents: 5_000_000,
    openIssues: 12,
    highIssues: 3,
    topCauses: [
      { issueType: 'STALE_OPP', count: 8, lossCents: 60_000_000 },
      { issueType: 'UNASSIGNED_OWNER', count: 4, lossCents: 14_608_900 },
    ],
    affectedOwners: [
      { owner: 'alice', count: 7, lossCents: 50_000_000 },
      { owner: 'Unassigned', count: 5, lossCents: 24_608_900 },
    ],
    topIssues: [
      buildIssue(1),
      buildIssue(2, { idleSinceMs: T0 - 5 * 60 * MINUTE_MS - 1 }),
      buildIssue(3, { idleSinceMs: T0 - 45 * MINUTE_MS }),
      ...[4, 5, 6, 7, 8, 9, 10].map((n) => buildIssue(n)),
    ],
    slos: SLOS,
    ...overrides,
  };
}

export function buildIncident(
  overrides: Partial<Omit<Incident, 'figures'>> & { figures?: Partial<IncidentFigures> } = {},
): Incident {
  const { figures, ...rest } = overrides;
  return {
    recoveredCents: 0,
    id: '42',
    dedupeKey: 'revenue-leak:funnel',
    title: 'Revenue leak: Stale opp',
    state: 'detected',
    severity: 1,
    paging: 'PAGE',
    openedAtMs: T0 - 30 * MINUTE_MS,
    acknowledgedAtMs: null,
    acknowledgedBy: null,
    resolvedAtMs: null,
    resolvedBy: null,
    commander: null,
    figures: buildFigures(figures),
    channelId: 'C0INC1',
    channelName: 'inc-20250602-42-revenue-stale-opp',
    warRoomTs: '1717329600.000100',
    pagesSent: 1,
    nextPageAtMs: null,
    ...rest,
  };
}

export const acknowledged = (o: Parameters<typeof buildIncident>[0] = {}): Incident =>
  buildIncident({
    state: 'acknowledged',
    acknowledgedAtMs: T0 - 10 * MINUTE_MS,
    acknowledgedBy: 'slack:T123:U456',
    commander: 'U456',
    ...o,
  });

export const resolved = (o: Parameters<typeof buildIncident>[0] = {}): Incident =>
  acknowledged({
    state: 'resolved',
    resolvedAtMs: T0,
    resolvedBy: 'system:scheduled-scan',
    ...o,
    figures: {
      openIssues: 0,
      highIssues: 0,
      atRiskCents: 0,
      burn: 0,
      budgetRemaining: 1,
      topCauses: [],
      affectedOwners: [],
      topIssues: [],
      ...o.figures,
    },
  });

export function buildEntry(n: number, overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  return {
    id: String(n),
    incidentId: '42',
    kind: 'NOTE',
    actor: 'slack:T123:U456',
    atMs: T0 + n * MINUTE_MS,
    data: { text: `note ${n}` },
    ...overrides,
  };
}

/** Everything a hostile record, owner or note could try: broadcasts, group and user pings, forged links. */
export const HOSTILE =
  '<!channel> <!here> <!everyone> <!subteam^S0EVIL> <@U0EVIL> <https://evil.example|click> &';

/** Every block and the fallback as one string, to search for what a reader would see or be pinged by. */
export const flat = (r: { text?: string; blocks: readonly unknown[] }): string =>
  `${r.text ?? ''}\n${JSON.stringify(r.blocks)}`;

/** Control sequences that notify people: none may come from data. */
export const PINGS = /<!(channel|here|everyone|subteam\^S0EVIL)|<@U0EVIL>|<https:\/\/evil/;
