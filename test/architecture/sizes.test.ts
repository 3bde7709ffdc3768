import { describe, expect, it } from 'vitest';
import { readSrc } from './read-src.ts';
import { checkSizes, codeOnly, describeOversize, LIMITS, lineCount, longFunctions } from './sizes.ts';

/**
 * Files or functions allowed over the limits, each with why. Empty: every file of src/ fits. An entry
 * that no longer applies fails the last test below, so the list cannot go stale.
 */
const EXEMPT: ReadonlyMap<string, string> = new Map<string, string>([]);

const body = (n: number, line = '  x++;'): string[] => Array.from({ length: n }, () => line);
const source = (...lines: string[]): string => `${lines.join('\n')}\n`;
const found = (src: string) => longFunctions(src, LIMITS.functionLines).map((f) => [f.line, f.lines]);

describe('src/ keeps files under 300 lines and functions under 80 (issue 11)', () => {
  const src = readSrc();
  const oversize = checkSizes(src);

  it('measures something (so an empty walk or a blind scanner cannot pass)', () => {
    expect(src.size).toBeGreaterThan(100);
    expect(longFunctions(src.get('src/adapters/scheduler/scheduler.ts')!, 10).length).toBeGreaterThan(0);
  });

  it('reads every file right: once literals and comments are blanked, braces balance and lines stay', () => {
    const unbalanced: string[] = [];
    for (const [file, text] of src) {
      const code = codeOnly(text);
      if (code.split('{').length !== code.split('}').length) unbalanced.push(`${file}: braces`);
      if (code.split('\n').length !== text.split('\n').length) unbalanced.push(`${file}: lines`);
    }
    expect(unbalanced).toEqual([]);
  });

  it('has no file or function over the limits', () => {
    const key = (o: (typeof oversize)[number]) => (o.kind === 'file' ? o.file : `${o.file}:${o.head}`);
    expect(oversize.filter((o) => !EXEMPT.has(key(o))).map((o) => describeOversize(o))).toEqual([]);
  });

  it('needs every exemption it lists', () => {
    const keys = new Set(oversize.map((o) => (o.kind === 'file' ? o.file : `${o.file}:${o.head}`)));
    expect([...EXEMPT.keys()].filter((k) => !keys.has(k))).toEqual([]);
  });
});

describe('the size checker (synthetic sources)', () => {
  it('finds a function declaration over 80 lines, and not one of exactly 80', () => {
    expect(found(source('export async function long(a: number): Promise<void> {', ...body(79), '}'))).toEqual(
      [[1, 81]],
    );
    expect(found(source('function fits() {', ...body(78), '}'))).toEqual([]);
  });

  it('finds an arrow function, a method, an object-literal method and a multi-line parameter list', () => {
    expect(found(source('', 'export const run = async (n: number) => {', ...body(85), '};'))).toEqual([
      [2, 87],
    ]);
    expect(found(source('class A {', '  private step<T>(x: T): void {', ...body(90), '  }', '}'))).toEqual([
      [2, 92],
    ]);
    expect(found(source('const api = {', '  start() {', ...body(81), '  },', '};'))).toEqual([[2, 83]]);
    expect(found(source('function f(', '  a: number,', '): number {', ...body(81), '}'))).toEqual([[3, 83]]);
  });

  it('does not count a long object literal, array or control block as a function', () => {
    const table = source('export const TABLE = {', ...body(120, "  key: { a: 1, b: 'x' },"), '};');
    const list = source('const rows = [', ...body(120, '  [1, 2],'), '];');
    const loop = source(
      'for (const x of xs) {',
      ...body(120),
      '}',
      'if (ok) {',
      ...body(120),
      '} else {',
      '}',
    );
    expect([found(table), found(list), found(loop)]).toEqual([[], [], []]);
  });

  it('ignores braces in strings, template literals, regular expressions and comments', () => {
    const closers = [
      "  const a = '}}}';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      '  const c = `${`}`} ${x ? "}" : `a}`}`;',
      '  const d = /\\}[}/]/g.test(s) ? total / 2 : 1 / 3;',
      '  // }',
      '  /* } */',
    ];
    const openers = [
      '  const b = "{{";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      '  const c = `{ ${"{"} ${`{`}`;',
      '  const d = s.replace(/\\{[{/]/g, "") / 2;',
      '  // {',
      '  /* { */',
    ];
    // Counted, the closers would end the long function early, and the openers would run the short one on.
    expect(found(source('function long() {', ...closers, ...body(80), '}'))).toEqual([[1, 87]]);
    expect(found(source('function short() {', ...openers, '}', ...body(90)))).toEqual([]);
  });

  it('keeps line numbers when a template literal or comment spans lines', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    const text = source('const t = `a', '{ b ${ {c: 1}.c }', 'd`;', '/*', ' { */', 'function f() {', '}');
    expect(codeOnly(text).split('\n')).toEqual(['const t = ', '', ';', '', '', 'function f() {', '}', '']);
  });

  it('reports a file over 300 lines, and not one of exactly 300', () => {
    const files = new Map([
      ['src/a.ts', source(...body(301, 'export const x = 1;'))],
      ['src/b.ts', source(...body(300, 'export const x = 1;'))],
    ]);
    expect(checkSizes(files).map((o) => describeOversize(o))).toEqual([
      'src/a.ts: 301 lines (a file may have 300)',
    ]);
    expect([lineCount(''), lineCount('a'), lineCount('a\n'), lineCount('a\nb')]).toEqual([0, 1, 1, 2]);
  });
});
