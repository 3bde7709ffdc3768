import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DAY_MS, MINUTE_MS } from '../../src/shared/time.ts';

/** A fixed instant for tests that pin time (habit 1); end-to-end tests pass their own `now`. */
export const T0 = Date.parse('2025-06-02T12:00:00.000Z');

/**
 * A record no rule fires on at `now`: an owned, recently touched, next-stepped, regioned, open lead with a
 * domain of its own (derived from the id, so two default records are never duplicates). Override only the
 * fields a test is about; times default relative to `now`.
 */
export function buildRecord(overrides: Partial<FunnelRecord> = {}, now: number = T0): FunnelRecord {
  const id = overrides.id ?? 'r1';
  return {
    id,
    type: 'lead',
    name: `Contact ${id}`,
    emailHash: null,
    domain: `${id}.example.com`,
    company: 'Example Co',
    source: 'web',
    region: 'NA',
    owner: 'alice',
    stage: 'New',
    createdAtMs: now - 60 * MINUTE_MS,
    lastTouchAtMs: now - 10 * MINUTE_MS,
    nextStep: 'Discovery call',
    valueCents: 1_000_000,
    notes: '',
    ...overrides,
  };
}

export const minutesBefore = (now: number, m: number): number => now - m * MINUTE_MS;
export const daysBefore = (now: number, d: number): number => now - d * DAY_MS;
