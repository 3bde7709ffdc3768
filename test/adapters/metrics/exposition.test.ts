import { describe, expect, it } from 'vitest';
import { parseExposition } from './exposition.ts';

/** The test reader must be able to fail, or the tests that parse a scrape with it prove nothing. */
describe('parseExposition (the tests’ strict reader of the text format)', () => {
  const good = [
    '# HELP a_total Things.',
    '# TYPE a_total counter',
    'a_total{kind="x",note="say \\"hi\\"\\n"} 3',
    '',
    '# TYPE h histogram',
    'h_bucket{le="0.5"} 1',
    'h_bucket{le="+Inf"} 2',
    'h_sum 0.75',
    'h_count 2',
    '# TYPE g gauge',
    'g NaN',
    '',
  ].join('\n');

  it('reads families, labels (unescaped) and values', () => {
    const e = parseExposition(good);
    expect(e.value('a_total', { kind: 'x', note: 'say "hi"\n' })).toBe(3);
    expect(e.value('h_bucket', { le: '+Inf' })).toBe(2);
    expect(e.value('g')).toBeNaN();
  });

  it.each([
    ['a sample without a TYPE', 'x 1\n'],
    ['a bad metric name', '# TYPE 1x counter\n1x 1\n'],
    ['an unquoted label value', '# TYPE x counter\nx{a=b} 1\n'],
    ['a value that is not a number', '# TYPE x counter\nx one\n'],
    ['a family declared twice', '# TYPE x counter\n# TYPE x counter\n'],
    ['a series twice', '# TYPE x counter\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['a stray line', '# TYPE x counter\nx 1 junk here\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});
