import type { Cents } from '../../shared/money.ts';

export type RecordType = 'lead' | 'opp';

/**
 * A funnel record after normalization (DOMAIN.md §1). Timestamps are epoch milliseconds (UTC) so a
 * million of them stay cheap in memory. The contact email is never kept: only its keyed hash.
 */
export interface FunnelRecord {
  id: string;
  type: RecordType;
  name: string;
  emailHash: string | null;
  domain: string;
  company: string;
  source: string;
  region: string;
  owner: string;
  stage: string;
  createdAtMs: number;
  lastTouchAtMs: number | null;
  nextStep: string;
  valueCents: Cents;
  notes: string;
}

/** The fields the leak rules, pricing and rendering read: what a scan loads for each record. */
export type ScannableRecord = Pick<
  FunnelRecord,
  | 'id'
  | 'type'
  | 'name'
  | 'domain'
  | 'region'
  | 'owner'
  | 'stage'
  | 'createdAtMs'
  | 'lastTouchAtMs'
  | 'nextStep'
  | 'valueCents'
>;

const normalizedStages = new Map<string, string>();

/**
 * Stage names compare case-insensitively, with `_` and space equivalent ("closed_won" = "Closed Won").
 * A funnel has a handful of distinct stage spellings and a scan asks about each of a million records
 * several times, so results are memoized (bounded: past 1,000 distinct spellings, no more are cached).
 */
export function normalizeStage(stage: string): string {
  const hit = normalizedStages.get(stage);
  if (hit !== undefined) return hit;
  const n = stage
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');
  if (normalizedStages.size < 1000) normalizedStages.set(stage, n);
  return n;
}

const CLOSED = new Set(['closed won', 'closed lost', 'archived']);
/** Closed: Closed Won, Closed Lost and (ours) Archived. An empty stage is open. */
export const isClosedStage = (stage: string): boolean => CLOSED.has(normalizeStage(stage));
export const isArchived = (stage: string): boolean => normalizeStage(stage) === 'archived';

/**
 * The key records are grouped by as duplicates: the domain, lowercased, since DNS names are
 * case-insensitive ("Acme.com" and "acme.com" are one company). Empty means "no key": never a duplicate.
 */
export const duplicateKey = (domain: string): string => domain.trim().toLowerCase();

/** Whether two snapshots of a record agree on every field (a plan's staleness check). */
export const sameRecord = (a: FunnelRecord, b: FunnelRecord): boolean =>
  (Object.keys(a) as (keyof FunnelRecord)[]).every((k) => a[k] === b[k]) &&
  Object.keys(b).length === Object.keys(a).length;
