import { describe, expect, it } from 'vitest';
import type { Paging } from '../../../src/domain/budget/budget.ts';
import type { IncidentState } from '../../../src/domain/incidents/lifecycle.ts';
import { budgetPagingShown, incidentPagingShown } from '../../../src/domain/incidents/paging-shown.ts';

const incident = (state: IncidentState, paging: Paging) => ({ state, paging });
const scan = (severity: 1 | 2 | 3 | 4 | 5, paging: Paging) => ({ severity, paging });

describe('incidentPagingShown', () => {
  it.each([
    ['detected', 'PAGE'],
    ['acknowledged', 'PAGE'],
    ['detected', 'WARN'],
    ['acknowledged', 'OK'],
  ] as const)('an open (%s) incident shows its paging, %s', (state, paging) => {
    expect(incidentPagingShown(incident(state, paging))).toEqual({ kind: 'paging', paging });
  });

  it.each(['PAGE', 'WARN', 'OK'] as const)(
    'a resolved incident shows no paging, whatever it was (%s)',
    (p) => {
      expect(incidentPagingShown(incident('resolved', p))).toEqual({ kind: 'resolved' });
    },
  );
});

describe('budgetPagingShown', () => {
  it('is unknown before any scan', () => {
    expect(budgetPagingShown(null, null, null)).toBeNull();
    expect(budgetPagingShown(incident('detected', 'PAGE'), null, null)).toBeNull();
  });

  it('with an open incident, shows the paging of the figures shown', () => {
    expect(budgetPagingShown(incident('acknowledged', 'PAGE'), scan(1, 'PAGE'), null)).toEqual({
      kind: 'paging',
      paging: 'PAGE',
    });
    expect(budgetPagingShown(incident('detected', 'PAGE'), scan(4, 'WARN'), null)).toEqual({
      kind: 'paging',
      paging: 'WARN',
    });
  });

  it('without an open incident and a scan that found nothing, is all clear', () => {
    expect(budgetPagingShown(null, scan(5, 'OK'), null)).toEqual({ kind: 'all_clear' });
    expect(budgetPagingShown(null, scan(5, 'OK'), { severity: 5 })).toEqual({ kind: 'all_clear' });
  });

  it('without an open incident but a scan that still leaks, is never all clear nor paging', () => {
    // Resolved by hand: the resolved incident kept the leaking figures it was resolved with.
    expect(budgetPagingShown(null, scan(1, 'PAGE'), { severity: 1 })).toEqual({
      kind: 'still_burning',
      paging: 'PAGE',
      resolvedByHand: true,
    });
    // Any open issue keeps an incident open (SEV-4 with paging OK too): the next scan opens one.
    expect(budgetPagingShown(null, scan(4, 'OK'), null)).toEqual({
      kind: 'still_burning',
      paging: 'OK',
      resolvedByHand: false,
    });
    // The last incident was resolved by a clean scan: whatever burns now was not resolved by hand.
    expect(budgetPagingShown(null, scan(3, 'PAGE'), { severity: 5 })).toEqual({
      kind: 'still_burning',
      paging: 'PAGE',
      resolvedByHand: false,
    });
  });
});
