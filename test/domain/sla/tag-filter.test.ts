import { describe, expect, it } from 'vitest';
import {
  disjointOn,
  filterCovers,
  formatTagFilter,
  matchesTags,
  parseTagFilter,
  type TagFilter,
} from '../../../src/domain/sla/tag-filter.ts';

const parse = (raw: unknown): TagFilter => {
  const r = parseTagFilter(raw, 'filter');
  if ('errors' in r) throw new Error(r.errors.join('\n'));
  return r.filter;
};
const STATUS = 'http.response.status_code';

describe('the SLI attribute filter language', () => {
  // biome-ignore format: one case per line reads as the table it is
  const CASES: [unknown, Record<string, string>, boolean][] = [
    ['5xx', { [STATUS]: '503' }, true],
    ['5xx', { [STATUS]: '500' }, true],
    ['5xx', { [STATUS]: '599' }, true],
    ['5xx', { [STATUS]: '600' }, false],
    ['5xx', { [STATUS]: '499' }, false],
    ['5XX', { [STATUS]: '502' }, true],
    ['>=500', { [STATUS]: '500' }, true],
    ['>500', { [STATUS]: '500' }, false],
    ['<400', { [STATUS]: '399' }, true],
    ['<=399', { [STATUS]: '400' }, false],
    ['500..503', { [STATUS]: '503' }, true],
    ['500..503', { [STATUS]: '504' }, false],
    [503, { [STATUS]: '503' }, true],
    ['503', { [STATUS]: '503.0' }, false], // exact values compare as text
    [[200, '3xx'], { [STATUS]: '302' }, true],
    [[200, '3xx'], { [STATUS]: '404' }, false],
    ['*', { [STATUS]: '200' }, true],
    ['*', {}, false],
    ['!=200', { [STATUS]: '500' }, true],
    ['!=200', {}, true], // absent is "not 200"
    ['!=5xx', { [STATUS]: '503' }, false],
    ['>=500', { [STATUS]: 'oops' }, false], // numeric patterns match numeric text only
    ['5xx', {}, false],
  ];
  it.each(CASES)('%j against %j → %s', (pattern, tags, expected) => {
    expect(matchesTags(parse({ [STATUS]: pattern }), tags)).toBe(expected);
  });

  it('every key must match; booleans and text compare as Silver stores them (text)', () => {
    const f = parse({ 'http.request.method': 'GET', 'cache.hit': true });
    expect(matchesTags(f, { 'http.request.method': 'GET', 'cache.hit': 'true' })).toBe(true);
    expect(matchesTags(f, { 'http.request.method': 'GET', 'cache.hit': 'false' })).toBe(false);
    expect(formatTagFilter(parse({ [STATUS]: ['5xx', '>=400', '!=200', '*', '1..2'] }))).toBe(
      `${STATUS}=5xx|>=400|!=200|*|1..2`,
    );
  });

  it('refuses what it cannot read, naming the field', () => {
    expect(parseTagFilter({}, 'f')).toEqual({ errors: ['f must name at least one attribute'] });
    expect(parseTagFilter('5xx', 'f')).toEqual({
      errors: [
        'f must be a mapping of attribute to a value, a list of values, or a pattern (5xx, ">=500", 500..599, "*", "!=value") (got "5xx")',
      ],
    });
    expect(parseTagFilter({ a: [], b: '599..500', c: { x: 1 }, d: '!=!=1' }, 'f')).toEqual({
      errors: [
        'f.a must list at least one value',
        'f.b range "599..500" must go from the smaller number to the larger',
        'f.c must be a value, a list of values, or a pattern (5xx, ">=500", 500..599, "*", "!=value") (got a mapping)',
        'f.d cannot negate twice (got "!=1")',
      ],
    });
  });

  it('knows when a good filter matches everything total counts, and when a bad one matches none of it', () => {
    const total = parse({ 'http.route': '/pay', [STATUS]: '5xx' });
    expect(filterCovers(total, parse({ [STATUS]: '>=500' }))).toBe(true);
    expect(filterCovers(total, parse({ [STATUS]: '503' }))).toBe(false);
    expect(filterCovers(undefined, parse({ [STATUS]: '2xx' }))).toBe(false);
    expect(disjointOn(parse({ [STATUS]: 200 }), parse({ [STATUS]: '5xx' }))).toBe(STATUS);
    expect(disjointOn(parse({ [STATUS]: '2xx' }), parse({ [STATUS]: ['4xx', '5xx'] }))).toBe(STATUS);
    expect(disjointOn(parse({ [STATUS]: '!=5xx' }), parse({ [STATUS]: 503 }))).toBe(STATUS);
    expect(disjointOn(parse({ [STATUS]: '>=400' }), parse({ [STATUS]: '5xx' }))).toBeNull();
    expect(disjointOn(parse({ 'http.route': '/pay' }), parse({ [STATUS]: '5xx' }))).toBeNull();
  });
});
