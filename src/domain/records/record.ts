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

/** Stage names compare case-insensitively, with `_` and space equivalent ("closed_won" = "Closed Won"). */
export const normalizeStage = (stage: string): string =>
  stage
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');

const CLOSED = new Set(['closed won', 'closed lost', 'archived']);
/** Closed: Closed Won, Closed Lost and (ours) Archived. An empty stage is open. */
export const isClosedStage = (stage: string): boolean => CLOSED.has(normalizeStage(stage));
export const isArchived = (stage: string): boolean => normalizeStage(stage) === 'archived';

/**
 * The key records are grouped by as duplicates: the domain, lowercased, since DNS names are
 * case-insensitive ("Acme.com" and "acme.com" are one company). Empty means "no key": never a duplicate.
 */
export const duplicateKey = (domain: string): string => domain.trim().toLowerCase();
