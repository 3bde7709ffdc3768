/**
 * A metric's number of distinct tag sets in the Silver minutes. A plain value: the janitor measures it,
 * the outbox carries it to the admins' alert, so it lives below both (and keeps them free of a cycle).
 */
export interface TagCardinality {
  service: string;
  metric: string;
  combinations: number;
}
