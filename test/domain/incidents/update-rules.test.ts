import { describe, expect, it } from 'vitest';
import type { IncidentSeverity, Paging } from '../../../src/domain/budget/budget.ts';
import { DEFAULT_INCIDENT_POLICY } from '../../../src/domain/incidents/incident.ts';
import type { IncidentState } from '../../../src/domain/incidents/lifecycle.ts';
import {
  planUpdate,
  type RepageRule,
  repages,
  severityWhileOpen,
} from '../../../src/domain/incidents/update-rules.ts';

const P = DEFAULT_INCIDENT_POLICY;
const NOW = Date.UTC(2026, 11, 1, 9, 0);

describe('severityWhileOpen', () => {
  const cases: [string, IncidentSeverity | null, IncidentSeverity, boolean, IncidentSeverity][] = [
    ['nothing open: the measured severity', null, 3, true, 3],
    ['nothing open, not firing: still the measured one', null, 4, false, 4],
    ['open SEV-3, firing SEV-1: rises', 3, 1, true, 1],
    ['open SEV-2, firing SEV-3: does not fall', 2, 3, true, 2],
    ['open SEV-2, firing SEV-2: stays', 2, 2, true, 2],
    ['open SEV-2 in a lull (SEV-4 measured): stays', 2, 4, false, 2],
    ['open SEV-3 lowered by hand to SEV-4, a lull: stays at 4', 4, 4, false, 4],
    ['open SEV-4 (lowered by hand), firing SEV-2: rises again', 4, 2, true, 2],
  ];
  it.each(cases)('%s', (_name, open, measured, firing, expected) => {
    expect(severityWhileOpen(open, measured, firing)).toBe(expected);
  });
});

describe('repages', () => {
  const cases: [RepageRule, IncidentState, Paging, Paging, boolean][] = [
    ['rise_from_ok', 'detected', 'OK', 'WARN', true],
    ['rise_from_ok', 'detected', 'OK', 'PAGE', true],
    ['rise_from_ok', 'acknowledged', 'OK', 'PAGE', true],
    ['rise_from_ok', 'detected', 'OK', 'OK', false],
    ['rise_from_ok', 'detected', 'WARN', 'PAGE', false],
    ['rise_from_ok', 'detected', 'PAGE', 'WARN', false],
    ['page_while_unacknowledged', 'detected', 'OK', 'PAGE', true],
    ['page_while_unacknowledged', 'detected', 'WARN', 'PAGE', true],
    ['page_while_unacknowledged', 'acknowledged', 'OK', 'PAGE', false],
    ['page_while_unacknowledged', 'detected', 'OK', 'WARN', false],
    ['page_while_unacknowledged', 'detected', 'PAGE', 'OK', false],
  ];
  it.each(cases)('%s: %s %s → %s pages again: %s', (rule, state, from, to, expected) => {
    expect(repages(rule, { state, paging: from }, to)).toBe(expected);
  });
});

describe('planUpdate', () => {
  type Row = {
    name: string;
    state?: IncidentState;
    from: Paging;
    next: { severity: IncidentSeverity; paging: Paging };
    severityFrom: IncidentSeverity | null;
    rule?: RepageRule;
    expected: ReturnType<typeof planUpdate>;
  };
  const rows: Row[] = [
    {
      name: 'same paging, same severity: nothing but the figures',
      from: 'PAGE',
      next: { severity: 2, paging: 'PAGE' },
      severityFrom: null,
      expected: { severityChanged: false, page: false },
    },
    {
      name: 'worse severity pages',
      from: 'PAGE',
      next: { severity: 1, paging: 'PAGE' },
      severityFrom: 2,
      expected: { severityChanged: true, page: true },
    },
    {
      name: 'lower severity is recorded, pages nobody, and a PAGE that fell to WARN stops repeating',
      from: 'PAGE',
      next: { severity: 4, paging: 'WARN' },
      severityFrom: 2,
      expected: { nextPageAtMs: null, severityChanged: true, page: false },
    },
    {
      name: 'WARN rising to PAGE on an unacknowledged incident repeats from now',
      from: 'WARN',
      next: { severity: 1, paging: 'PAGE' },
      severityFrom: 4,
      expected: { nextPageAtMs: NOW + P.pageRepeatMs, severityChanged: true, page: true },
    },
    {
      name: 'an acknowledged incident that starts paging does not repeat',
      state: 'acknowledged',
      from: 'WARN',
      next: { severity: 1, paging: 'PAGE' },
      severityFrom: 4,
      expected: { nextPageAtMs: null, severityChanged: true, page: true },
    },
    {
      name: 'paging change alone: the repage rule decides (revenue, from OK)',
      from: 'OK',
      next: { severity: 4, paging: 'WARN' },
      severityFrom: null,
      expected: { nextPageAtMs: null, severityChanged: false, page: true },
    },
    {
      name: 'paging change alone: the repage rule decides (SLA, back to PAGE while unacknowledged)',
      from: 'OK',
      next: { severity: 2, paging: 'PAGE' },
      severityFrom: null,
      rule: 'page_while_unacknowledged',
      expected: { nextPageAtMs: NOW + P.pageRepeatMs, severityChanged: false, page: true },
    },
    {
      name: 'paging change alone the rule does not repage: only the repeat changes',
      from: 'PAGE',
      next: { severity: 2, paging: 'OK' },
      severityFrom: null,
      rule: 'page_while_unacknowledged',
      expected: { nextPageAtMs: null, severityChanged: false, page: false },
    },
  ];
  it.each(rows)('$name', (r) => {
    const open = { state: r.state ?? 'detected', paging: r.from };
    expect(planUpdate(open, r.next, r.severityFrom, r.rule ?? 'rise_from_ok', P, NOW)).toEqual(r.expected);
  });
});
