/**
 * A copy of a string that pins nothing else. A field cut out of a larger decoded text (a CSV chunk, a COPY
 * chunk) is a V8 sliced string that keeps the whole ~1 MiB text it came from alive; a string kept longer
 * than its text (an import's id map, a scan's records) must not, or memory grows with every chunk read
 * (measured: 1M ids pinned ~210 MB of CSV chunks; 1M records ~140 MB of COPY text). Concatenating makes a
 * cons string and slicing flattens it into a fresh buffer the result points into: 4× cheaper than a Buffer
 * round trip. Strings under 13 characters are never slices in V8, so they are returned as they are.
 */
export const detach = (s: string): string => (s.length < 13 ? s : `${s} `.slice(0, -1));

/**
 * A detach() that returns one shared instance per distinct value, for columns with few distinct values
 * (owner, stage, region; a domain shared by many records). Records then share their owner string, which
 * costs no memory per record, and a Map keyed by it (the scan's roll-ups) finds the hash already computed
 * and the key identical, instead of hashing and comparing a fresh copy per record. Once `limit` distinct
 * values are seen the column is not what it seemed (a domain per record, say): from then on values are
 * only detached, with no lookup, so neither memory nor time is spent on a table that would not help.
 */
export function interner(limit = 4096): (s: string) => string {
  let seen: Map<string, string> | null = new Map();
  return (s) => {
    if (seen === null) return detach(s);
    const known = seen.get(s);
    if (known !== undefined) return known;
    const d = detach(s);
    seen.set(d, d);
    if (seen.size >= limit) seen = null;
    return d;
  };
}
