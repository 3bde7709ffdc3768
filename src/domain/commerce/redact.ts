/**
 * Customer emails never reach storage (DOMAIN.md §8): a delivery's raw body has every email-shaped text
 * replaced by `pii:<hex>` (the keyed hash, shared/pii.ts) before it is written, so the stored body, its
 * replays and the parsers all see the token, and the ledger keeps only the hex.
 *
 * The body is redacted as text, before any parsing, because it is stored as received (JSON, form fields
 * or anything else a sender posts) and a parser may not be able to read it. The token holds only
 * [a-z0-9:], so it needs no escaping inside a JSON string, a form value or plain text: the body still
 * parses after redaction.
 */

/**
 * An address as senders write it: `@` plain, JSON-escaped (`\u0040`, which a JSON encoder may emit for
 * "@") or form-encoded (`%40`). Parts are bounded (RFC 5321: 64 for the local part, 63 per label) so a
 * long run of letters (a base64 blob) is scanned in linear time, not tried from every position to its end.
 * Deliberately loose (a dotted name after an `@` is redacted even if it was never an address): hiding a
 * non-address costs nothing, storing an address breaks the promise.
 */
const EMAIL =
  /[A-Za-z0-9._%+-]{1,64}(?:@|\\u0040|%40)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,63}/g;
const LOCAL_START = /^[A-Za-z0-9._%+-]/;
const UNICODE_ESCAPE = /^u[0-9A-Fa-f]{4}/;

/** The `pii:` token of a stored body: the hex of the keyed hash. */
const TOKEN = /^pii:([0-9a-f]+)$/;

/**
 * `text` with every email replaced by `pii:<hash(email)>`. The hasher gets the address decoded ("@" for
 * `\u0040` or `%40`) and is expected to trim and lowercase it, so the same buyer hashes the same however
 * a sender wrote it. Already redacted text has no address left, so redacting twice changes nothing.
 */
export function redactEmails(text: string, hash: (email: string) => string): string {
  const replace = (match: string, offset: number) => {
    const keep = escapedPrefix(text, offset, match);
    const email = match.slice(keep.length);
    if (!LOCAL_START.test(email)) return match; // only an escape before the "@": no address
    return `${keep}pii:${hash(decoded(email))}`;
  };
  // The pattern is tried only on the run of address characters around each "@" (or its escapes): a
  // match never spans another character, so the result is the same as over the whole text, and a 3 KB
  // order body costs a few indexOf calls instead of a regex attempt at every character (~15× faster).
  const nextMarker = markerFinder(text);
  let out = '';
  let done = 0;
  for (let at = nextMarker(0); at >= 0; at = nextMarker(done)) {
    let start = at;
    while (start > done && inRun(text.charCodeAt(start - 1))) start--;
    let end = at;
    while (end < text.length && inRun(text.charCodeAt(end))) end++;
    out +=
      text.slice(done, start) +
      text.slice(start, end).replace(EMAIL, (m: string, o: number) => replace(m, o + start));
    done = end;
  }
  return done === 0 ? text : out + text.slice(done);
}

const MARKERS = ['@', '\\u0040', '%40'] as const;

/**
 * The first "@", `\u0040` or `%40` at or after `from` (or -1), for ascending `from`: each marker's next
 * position is remembered, so a body with many addresses is still scanned once per marker, not per match.
 */
function markerFinder(text: string): (from: number) => number {
  const next = MARKERS.map(() => -2);
  return (from) => {
    let best = -1;
    MARKERS.forEach((m, k) => {
      if (next[k]! !== -1 && next[k]! < from) next[k] = text.indexOf(m, from);
      const i = next[k]!;
      if (i >= 0 && (best < 0 || i < best)) best = i;
    });
    return best;
  };
}

/** The characters an address (and its escaped "@") is made of: [A-Za-z0-9._%+-], "@" and "\\". */
function inRun(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 64 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 45 ||
    c === 92
  );
}

/**
 * A match that starts right after an odd run of backslashes starts inside a JSON escape: `\njohn@x.com`
 * is a newline then "john@x.com". The escape's letters (`n`, or `u00e9` of `\u00e9`) are kept, else the
 * backslash would be left before "pii:" and the JSON would no longer parse. An address whose local part
 * itself holds an escape (`jo\u0068n@x.com`, which no encoder writes for a letter) keeps its head.
 */
function escapedPrefix(text: string, offset: number, match: string): string {
  let slashes = 0;
  while (offset - slashes > 0 && text[offset - slashes - 1] === '\\') slashes++;
  if (slashes % 2 === 0) return '';
  return UNICODE_ESCAPE.test(match) ? match.slice(0, 5) : match.slice(0, 1);
}

/** The address as written → as meant: `\u0040` and `%40` (and the form's other %XX) decoded. */
function decoded(email: string): string {
  const plain = email.replace('\\u0040', '@');
  if (!plain.includes('%')) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain.replace('%40', '@');
  }
}

/**
 * The customer hash to store for a parsed customer field: the hex of a `pii:<hex>` token as is (the
 * body was redacted on arrival), or the hash of an address that escaped redaction; null when there is
 * no customer (null, blank, or text that is no address such as "guest").
 */
export function customerHashOf(value: string | null, hash: (email: string) => string): string | null {
  if (value === null) return null;
  const v = value.trim();
  const token = TOKEN.exec(v);
  if (token) return token[1]!;
  const email = decoded(v);
  return email.includes('@') ? hash(email) : null;
}
