/**
 * The Silver tag set of an attribute set: string, number and boolean values only (anything else is
 * dropped), stringified (`200`, `true`), keys sorted by code unit. `tagsHash` is the JSON of the sorted
 * entries: stable, equal exactly when the tag sets are equal, and readable in the database. It is not a
 * digest (the domain has no crypto); a reader looking a series up builds it with this same function.
 */
export function canonicalTags(attributes: Readonly<Record<string, unknown>>): {
  tags: Record<string, string>;
  tagsHash: string;
} {
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(attributes)) {
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
      entries.push([k, String(v)]);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tags: Record<string, string> = {};
  for (const [k, v] of entries) {
    // defineProperty: a `__proto__` key must become a property, not change the prototype.
    Object.defineProperty(tags, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { tags, tagsHash: JSON.stringify(entries) };
}

export type CanonicalTags = ReturnType<typeof canonicalTags>;
