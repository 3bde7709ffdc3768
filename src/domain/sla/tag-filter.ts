import { show } from '../zod-issues.ts';

/**
 * The attribute filter an SLI source may state (`filter:` in a metricSource spec), matched against the tag
 * set of each Silver row (tags are text: `200`, `true`, `GET`). The language, kept small on purpose:
 *
 * - `key: value` — the attribute equals the value (`http.request.method: GET`, `http.response.status_code: 503`);
 * - `key: [a, b, …]` — any of the listed values or patterns (`[2xx, 3xx]`);
 * - `key: 5xx` — a status class: a number from 500 up to (not including) 600 (`1xx` … `9xx`);
 * - `key: ">=500"`, `">500"`, `"<=499"`, `"<400"` — a numeric comparison;
 * - `key: 500..599` — a numeric range, both ends included;
 * - `key: "*"` — the attribute is present, whatever its value (`error.type: "*"`);
 * - `key: "!=value"` — the attribute is absent or does not match the value or pattern after `!=`.
 *
 * Every key of a filter must match (AND); the values listed for one key are alternatives (OR). A row
 * without the attribute matches no positive condition. Numeric patterns match only numeric text.
 */

export type TagMatch =
  | { op: 'eq'; value: string }
  | { op: 'range'; min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }
  | { op: 'present' }
  | { op: 'not'; match: TagMatch };

/** Attribute key → the alternatives its value may match; every key must match. */
export type TagFilter = Record<string, TagMatch[]>;

/** Tag text that numeric patterns compare as a number (the SQL side uses the same expression). */
export const NUMERIC_TAG = /^-?[0-9]+(\.[0-9]+)?$/;
export const NUMERIC_TAG_SQL = '^-?[0-9]+(\\.[0-9]+)?$';

const NUM = '(-?[0-9]+(?:\\.[0-9]+)?)';
const CLASS = /^([1-9])xx$/i;
const COMPARE = new RegExp(`^(>=|<=|>|<)\\s*${NUM}$`);
const RANGE = new RegExp(`^${NUM}\\s*\\.\\.\\s*${NUM}$`);
const PATTERNS = 'a value, a list of values, or a pattern (5xx, ">=500", 500..599, "*", "!=value")';

function parseMatch(raw: unknown, negated = false): TagMatch | string {
  if (typeof raw === 'number' && Number.isFinite(raw)) return { op: 'eq', value: String(raw) };
  if (typeof raw === 'boolean') return { op: 'eq', value: String(raw) };
  if (typeof raw !== 'string') return `must be ${PATTERNS} (got ${show(raw, 'a mapping')})`;
  const s = raw.trim();
  if (s === '') return 'must not be empty';
  if (s === '*') return { op: 'present' };
  if (s.startsWith('!=')) {
    if (negated) return `cannot negate twice (got ${show(raw)})`;
    const inner = parseMatch(s.slice(2), true);
    return typeof inner === 'string' ? inner : { op: 'not', match: inner };
  }
  const cls = CLASS.exec(s);
  if (cls)
    return { op: 'range', min: Number(cls[1]) * 100, max: Number(cls[1]) * 100 + 100, maxExclusive: true };
  const cmp = COMPARE.exec(s);
  if (cmp) {
    const n = Number(cmp[2]);
    if (cmp[1] === '>=') return { op: 'range', min: n };
    if (cmp[1] === '>') return { op: 'range', min: n, minExclusive: true };
    if (cmp[1] === '<=') return { op: 'range', max: n };
    return { op: 'range', max: n, maxExclusive: true };
  }
  const range = RANGE.exec(s);
  if (range) {
    const [min, max] = [Number(range[1]), Number(range[2])];
    if (min > max) return `range ${show(raw)} must go from the smaller number to the larger`;
    return { op: 'range', min, max };
  }
  return { op: 'eq', value: s };
}

/** A `filter:` mapping as written, or every problem with its path under `at`. */
export function parseTagFilter(raw: unknown, at: string): { filter: TagFilter } | { errors: string[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return {
      errors: [`${at} must be a mapping of attribute to ${PATTERNS} (got ${show(raw, 'a mapping')})`],
    };
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return { errors: [`${at} must name at least one attribute`] };
  const errors: string[] = [];
  const filter: TagFilter = {};
  for (const [key, value] of entries) {
    const where = `${at}.${key}`;
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) errors.push(`${where} must list at least one value`);
    const matches: TagMatch[] = [];
    list.forEach((v, i) => {
      const m = parseMatch(v);
      if (typeof m === 'string') errors.push(`${Array.isArray(value) ? `${where}[${i}]` : where} ${m}`);
      else matches.push(m);
    });
    Object.defineProperty(filter, key, {
      value: matches,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return errors.length > 0 ? { errors } : { filter };
}

function matchOne(m: TagMatch, v: string | undefined): boolean {
  switch (m.op) {
    case 'eq':
      return v === m.value;
    case 'present':
      return v !== undefined;
    case 'not':
      return !matchOne(m.match, v);
    case 'range': {
      if (v === undefined || !NUMERIC_TAG.test(v)) return false;
      const n = Number(v);
      if (m.min !== undefined && (m.minExclusive ? n <= m.min : n < m.min)) return false;
      if (m.max !== undefined && (m.maxExclusive ? n >= m.max : n > m.max)) return false;
      return true;
    }
  }
}

/** Whether a row's tag set matches the filter (what the SQL in adapters/db/sla-select-sql.ts computes). */
export const matchesTags = (filter: TagFilter, tags: Readonly<Record<string, string>>): boolean =>
  Object.entries(filter).every(([k, alternatives]) =>
    alternatives.some((m) => matchOne(m, Object.hasOwn(tags, k) ? tags[k] : undefined)),
  );

/** `5xx`, `>=500`, `500..599`, `GET`, `*`, `!=200`: a match as the filter language writes it. */
export function formatMatch(m: TagMatch): string {
  switch (m.op) {
    case 'eq':
      return m.value;
    case 'present':
      return '*';
    case 'not':
      return `!=${formatMatch(m.match)}`;
    case 'range': {
      const { min, max, minExclusive, maxExclusive } = m;
      if (min !== undefined && max !== undefined) {
        if (!minExclusive && maxExclusive && min % 100 === 0 && max === min + 100) return `${min / 100}xx`;
        return `${min}..${max}`;
      }
      if (min !== undefined) return `${minExclusive ? '>' : '>='}${min}`;
      return `${maxExclusive ? '<' : '<='}${max}`;
    }
  }
}

/** `http.response.status_code=5xx, http.route=/pay`. */
export const formatTagFilter = (f: TagFilter): string =>
  Object.entries(f)
    .map(([k, ms]) => `${k}=${ms.map(formatMatch).join('|')}`)
    .join(', ');

/** [low, high] with openness, for the overlap and containment checks below (eq of a number: a point). */
type Interval = { lo: number; hi: number; loOpen: boolean; hiOpen: boolean };
const intervalOf = (m: TagMatch): Interval | null => {
  if (m.op === 'range')
    return {
      lo: m.min ?? -Infinity,
      hi: m.max ?? Infinity,
      loOpen: m.min !== undefined && m.minExclusive === true,
      hiOpen: m.max !== undefined && m.maxExclusive === true,
    };
  if (m.op === 'eq' && NUMERIC_TAG.test(m.value)) {
    const n = Number(m.value);
    return { lo: n, hi: n, loOpen: false, hiOpen: false };
  }
  return null;
};

/** True only when no value can match both (conservative: unsure is false). */
function pairNeverOverlaps(a: TagMatch, b: TagMatch): boolean {
  if (a.op === 'eq' && b.op === 'eq') return a.value !== b.value;
  // "!=X" against Y: disjoint when every value of Y matches X.
  if (a.op === 'not') return b.op !== 'not' && covers([a.match], [b]);
  if (b.op === 'not') return covers([b.match], [a]);
  if (a.op === 'present' || b.op === 'present') return false;
  const [x, y] = [intervalOf(a), intervalOf(b)];
  if (x === null || y === null) return true; // a text value against a numeric range
  const below = x.hi < y.lo || (x.hi === y.lo && (x.hiOpen || y.loOpen));
  const above = y.hi < x.lo || (y.hi === x.lo && (y.hiOpen || x.loOpen));
  return below || above;
}

/** No value matches an alternative of `a` and one of `b` both. */
export const neverOverlaps = (a: readonly TagMatch[], b: readonly TagMatch[]): boolean =>
  a.every((x) => b.every((y) => pairNeverOverlaps(x, y)));

/** Every value matching some alternative of `inner` matches some alternative of `outer` (conservative). */
export function covers(outer: readonly TagMatch[], inner: readonly TagMatch[]): boolean {
  return inner.every((i) =>
    outer.some((o) => {
      if (JSON.stringify(o) === JSON.stringify(i)) return true;
      if (o.op === 'present') return i.op !== 'not';
      const [x, y] = [intervalOf(o), intervalOf(i)];
      if (o.op !== 'range' || x === null || y === null) return false;
      const loOk = x.lo < y.lo || (x.lo === y.lo && (!x.loOpen || y.loOpen));
      const hiOk = y.hi < x.hi || (y.hi === x.hi && (!x.hiOpen || y.hiOpen));
      return loOk && hiOk;
    }),
  );
}

/** Every row `total` counts matches `good` too (no filter on total: every row of the metric). */
export const filterCovers = (total: TagFilter | undefined, good: TagFilter): boolean =>
  Object.entries(good).every(
    ([k, ms]) => total !== undefined && Object.hasOwn(total, k) && covers(ms, total[k]!),
  );

/** The first attribute on which no row can match both filters, or null. */
export const disjointOn = (a: TagFilter | undefined, b: TagFilter): string | null =>
  Object.keys(b).find((k) => a !== undefined && Object.hasOwn(a, k) && neverOverlaps(a[k]!, b[k]!)) ?? null;
