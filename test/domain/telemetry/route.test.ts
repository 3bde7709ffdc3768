import { describe, expect, it } from 'vitest';
import type { Level } from '../../../src/domain/telemetry/event.ts';
import { isBronze, isErrorEvent, isSlowEvent } from '../../../src/domain/telemetry/route.ts';

const ev = (ok: boolean, level: Level | null, durationMs: number | null) => ({ ok, level, durationMs });

describe('tier routing (DOMAIN.md §6)', () => {
  it('sends errors to Bronze: ok false, or level ERROR or FATAL', () => {
    expect(isBronze(ev(false, null, null), null)).toBe(true);
    expect(isBronze(ev(true, 'ERROR', null), null)).toBe(true);
    expect(isBronze(ev(true, 'FATAL', 5), 1000)).toBe(true);
    for (const level of ['DEBUG', 'INFO', 'WARN', null] as const) {
      expect(isBronze(ev(true, level, 5), 1000), String(level)).toBe(false);
      expect(isErrorEvent(ev(true, level, null))).toBe(false);
    }
  });

  it('sends events strictly slower than the threshold to Bronze', () => {
    expect(isBronze(ev(true, 'INFO', 1000), 1000)).toBe(false);
    expect(isBronze(ev(true, 'INFO', 1000.001), 1000)).toBe(true);
    expect(isBronze(ev(true, 'INFO', 999), 1000)).toBe(false);
    expect(isBronze(ev(true, 'INFO', 1), 0)).toBe(true);
    expect(isBronze(ev(true, 'INFO', 0), 0)).toBe(false);
  });

  it('never calls an event slow without a threshold or without a duration', () => {
    expect(isSlowEvent(ev(true, null, 1e9), null)).toBe(false);
    expect(isSlowEvent(ev(true, null, null), 0)).toBe(false);
    expect(isBronze(ev(true, null, null), 0)).toBe(false);
  });
});
