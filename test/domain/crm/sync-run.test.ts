import { describe, expect, it } from 'vitest';
import { allowanceStop, shareOfDaily, syncCap } from '../../../src/domain/crm/allowance.ts';
import {
  ALERT_AFTER_FAILURES,
  type AlertMemory,
  alertAfter,
  RUN_LIFECYCLE,
  SLOT_LIFECYCLE,
  statesFor,
  transition,
} from '../../../src/domain/crm/sync-run.ts';

describe('the daily allowance', () => {
  it('the first call is always allowed: it learns the allowance', () => {
    expect(allowanceStop({ spent: 0, dailyMax: null, dailyRemaining: null }, 0.5)).toBeNull();
  });

  it('a sync stops at its share of the daily allowance (boundary: the cap itself)', () => {
    expect(syncCap(250_000, 0.5)).toBe(125_000);
    expect(allowanceStop({ spent: 124_999, dailyMax: 250_000, dailyRemaining: 200_000 }, 0.5)).toBeNull();
    expect(allowanceStop({ spent: 125_000, dailyMax: 250_000, dailyRemaining: 200_000 }, 0.5)).toBe(
      'this sync reached its share of the daily allowance: 125000 calls of 125000 (CRM_DAILY_SHARE 50% of 250000)',
    );
  });

  it('and never takes the account below what the others are kept (boundary: the reserve itself)', () => {
    expect(allowanceStop({ spent: 10, dailyMax: 1000, dailyRemaining: 901 }, 0.1)).toBeNull();
    expect(allowanceStop({ spent: 10, dailyMax: 1000, dailyRemaining: 900 }, 0.1)).toBe(
      'the account has 900 calls left today, kept for other integrations (CRM_DAILY_SHARE 10% of 1000)',
    );
  });

  it('spend as a share of the daily allowance', () => {
    expect(shareOfDaily(25, 250_000)).toBe(0.0001);
    expect(shareOfDaily(25, null)).toBeNull();
  });
});

describe('the sync lifecycles', () => {
  it('one sync at a time: a slot is taken from idle, or over from a run whose lease lapsed', () => {
    expect(transition(SLOT_LIFECYCLE, 'idle', 'start')).toBe('running');
    expect(transition(SLOT_LIFECYCLE, 'running', 'start')).toBeNull();
    expect(statesFor(SLOT_LIFECYCLE, 'take_over')).toEqual(['running']);
    expect(statesFor(SLOT_LIFECYCLE, 'finish')).toEqual(['running']);
  });

  it('a run ends once', () => {
    expect(transition(RUN_LIFECYCLE, 'running', 'stop')).toBe('partial');
    expect(transition(RUN_LIFECYCLE, 'failed', 'complete')).toBeNull();
    expect(statesFor(RUN_LIFECYCLE, 'fail')).toEqual(['running']);
  });
});

describe('admin alerts: one per failure episode, never one per run', () => {
  const quiet: AlertMemory = { alertedKind: null, consecutiveFailures: 0 };
  const fail = (m: AlertMemory, kind: 'auth' | 'unavailable') =>
    alertAfter(m, { status: 'failed', failure: { kind, reason: `${kind} reason` } });

  it('a revoked token alerts at once, then not again until a sync gets through, which says so', () => {
    const first = fail(quiet, 'auth');
    expect(first.alert).toEqual({ event: 'failed', kind: 'auth', reason: 'auth reason', failures: 1 });
    const second = fail(first.memory, 'auth');
    expect(second.alert).toBeNull();
    expect(second.memory).toEqual({ alertedKind: 'auth', consecutiveFailures: 2 });
    const ok = alertAfter(second.memory, { status: 'succeeded' });
    expect(ok.alert).toEqual({ event: 'recovered', kind: 'auth' });
    expect(ok.memory).toEqual(quiet);
  });

  it('an outage alerts only once it lasts ALERT_AFTER_FAILURES runs', () => {
    let m = quiet;
    for (let i = 1; i < ALERT_AFTER_FAILURES; i++) {
      const r = fail(m, 'unavailable');
      expect(r.alert).toBeNull();
      m = r.memory;
    }
    expect(fail(m, 'unavailable').alert).toMatchObject({ event: 'failed', failures: ALERT_AFTER_FAILURES });
    // One that passed before it was alerted recovers silently; a partial run counts as getting through.
    expect(alertAfter(m, { status: 'partial' }).alert).toBeNull();
  });
});
