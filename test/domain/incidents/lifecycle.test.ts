import { describe, expect, it } from 'vitest';
import {
  INCIDENT_EVENTS,
  INCIDENT_STATES,
  type IncidentEvent,
  type IncidentState,
  TRANSITIONS,
  transition,
} from '../../../src/domain/incidents/lifecycle.ts';

/*
 * The lifecycle table, pinned pair by pair. Every (state, event) pair is listed below as legal (with the
 * state it lands in) or illegal; a pair missing from LEGAL is asserted to be refused. Adding an entry to
 * TRANSITIONS makes the "exactly 9 legal moves" test fail until the new move is pinned here.
 */
const LEGAL: ReadonlyArray<readonly [IncidentState, IncidentEvent, IncidentState]> = [
  ['detected', 'acknowledge', 'acknowledged'],
  ['detected', 'resolve', 'resolved'],
  ['detected', 'change_severity', 'detected'],
  ['detected', 'note', 'detected'],
  ['acknowledged', 'resolve', 'resolved'],
  ['acknowledged', 'change_severity', 'acknowledged'],
  ['acknowledged', 'note', 'acknowledged'],
  ['resolved', 'reopen', 'detected'],
  ['resolved', 'note', 'resolved'],
];

const legalTarget = (from: IncidentState, event: IncidentEvent): IncidentState | undefined =>
  LEGAL.find(([s, e]) => s === from && e === event)?.[2];

const ALL_PAIRS: Array<[IncidentState, IncidentEvent]> = INCIDENT_STATES.flatMap((s) =>
  INCIDENT_EVENTS.map((e): [IncidentState, IncidentEvent] => [s, e]),
);
const ILLEGAL = ALL_PAIRS.filter(([s, e]) => legalTarget(s, e) === undefined);

describe('states and events', () => {
  it('are the three states and five events, in order', () => {
    expect(INCIDENT_STATES).toEqual(['detected', 'acknowledged', 'resolved']);
    expect(INCIDENT_EVENTS).toEqual(['acknowledge', 'resolve', 'reopen', 'change_severity', 'note']);
  });

  it('make 15 pairs: 9 legal, 6 refused', () => {
    expect(ALL_PAIRS).toHaveLength(15);
    expect(ILLEGAL).toHaveLength(6);
  });
});

describe('legal moves land where the table says', () => {
  it.each(LEGAL)('%s + %s → %s', (from, event, to) => {
    expect(transition(from, event)).toEqual({ ok: true, from, to });
  });

  it('there are exactly 9 legal moves (a new table entry must be pinned above)', () => {
    const legal = ALL_PAIRS.filter(([s, e]) => transition(s, e).ok);
    expect(legal).toHaveLength(9);
    expect(legal).toEqual(LEGAL.map(([s, e]) => [s, e]));
    // The table itself holds nothing beyond these nine (no entry hidden from the state × event sweep).
    const entries = Object.entries(TRANSITIONS).flatMap(([s, moves]) =>
      Object.entries(moves).map(([e, to]) => [s, e, to]),
    );
    expect(entries).toHaveLength(9);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...INCIDENT_STATES].sort());
  });

  it('every move lands in a known state', () => {
    for (const [s, e] of ALL_PAIRS) {
      const t = transition(s, e);
      if (t.ok) expect(INCIDENT_STATES).toContain(t.to);
    }
  });
});

describe('every other pair is refused (ok: false), never thrown', () => {
  it.each(ILLEGAL)('%s + %s is refused with a reason naming both', (from, event) => {
    const t = transition(from, event);
    expect(t).toMatchObject({ ok: false, from, event });
    if (t.ok) throw new Error('unreachable');
    expect(t.reason).toContain(from);
    expect(t.reason).toContain(event.replace('_', ' '));
  });

  it('the refused pairs are exactly these six', () => {
    expect(ILLEGAL).toEqual([
      ['detected', 'reopen'],
      ['acknowledged', 'acknowledge'],
      ['acknowledged', 'reopen'],
      ['resolved', 'acknowledge'],
      ['resolved', 'resolve'],
      ['resolved', 'change_severity'],
    ]);
  });

  it.each([
    ['acknowledged', 'acknowledge', 'an incident that is acknowledged cannot acknowledge'],
    ['resolved', 'acknowledge', 'an incident that is resolved cannot acknowledge'],
    ['resolved', 'resolve', 'an incident that is resolved cannot resolve'],
    ['detected', 'reopen', 'an incident that is detected cannot reopen'],
    ['acknowledged', 'reopen', 'an incident that is acknowledged cannot reopen'],
    ['resolved', 'change_severity', 'an incident that is resolved cannot change severity'],
  ] as const)('%s + %s reads "%s"', (from, event, reason) => {
    expect(transition(from, event)).toEqual({ ok: false, from, event, reason });
  });
});
