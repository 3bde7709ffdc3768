/**
 * The size rules of issue 11 as a pure checker over { repo-relative path → source text }, like
 * import-rules.ts: no file over 300 lines, no function over 80.
 *
 * TypeScript here ships no JS compiler API, so functions are found by a heuristic (the one of the
 * fnlen.py script the issue was measured with): a line that opens a block and looks like a function
 * head (`function …{`, `… => {`, a method `name(…) {`, or the `) {` closing a multi-line parameter list)
 * starts a function, and the function ends where the braces opened on that line close again. Braces
 * inside strings, template literals, regular expressions and comments are blanked out first, so they do
 * not count. An object literal (`const x = {`) is not a function head: a long table of data is fine.
 */

export interface SizeLimits {
  fileLines: number;
  functionLines: number;
}

export const LIMITS: SizeLimits = { fileLines: 300, functionLines: 80 };

export interface Oversize {
  file: string;
  kind: 'file' | 'function';
  /** 1-based line where the file or the function starts. */
  line: number;
  lines: number;
  /** The function's head line (trimmed, at most 60 characters); empty for a file. */
  head: string;
}

/** After one of these (or at the start), a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set([
  'return',
  'typeof',
  'case',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
  'else',
  'do',
]);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\w$]/.test(c);

function regexMayStartAt(src: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && /\s/.test(src[k]!)) k--;
  if (k < 0) return true;
  const p = src[k]!;
  if (p === ')' || p === ']' || p === "'" || p === '"' || p === '`') return false;
  if (!isWordChar(p)) return true;
  let s = k;
  while (s > 0 && isWordChar(src[s - 1])) s--;
  return REGEX_AFTER_WORD.has(src.slice(s, k + 1));
}

/** Index just past the string, regex or comment starting at `i` (never past the end of its line for
 * strings and regexes, so one unbalanced quote cannot swallow the rest of the file). */
function skipLiteral(src: string, i: number): number {
  const c = src[i]!;
  if (c === '/' && src[i + 1] === '/') {
    const nl = src.indexOf('\n', i);
    return nl < 0 ? src.length : nl;
  }
  if (c === '/' && src[i + 1] === '*') {
    const end = src.indexOf('*/', i + 2);
    return end < 0 ? src.length : end + 2;
  }
  let k = i + 1;
  let inClass = false;
  while (k < src.length && src[k] !== '\n') {
    const ch = src[k]!;
    if (ch === '\\') {
      k += 2;
      continue;
    }
    if (ch === c && !inClass) return c === '/' ? skipFlags(src, k + 1) : k + 1;
    // A `/` inside a regex's character class does not end it.
    if (c === '/' && (ch === '[' || ch === ']')) inClass = ch === '[';
    k++;
  }
  return k;
}

const skipFlags = (src: string, k: number): number => {
  while (isWordChar(src[k])) k++;
  return k;
};

/** A literal's text blanked: its newlines kept (so line numbers stay), everything else dropped. */
const blank = (text: string): string => text.replace(/[^\n]/g, '');

/** True when `src[i]` starts a string, comment or regular expression (not a template literal). */
function literalStartsAt(src: string, i: number): boolean {
  const c = src[i];
  if (c === "'" || c === '"') return true;
  if (c !== '/') return false;
  return src[i + 1] === '/' || src[i + 1] === '*' || regexMayStartAt(src, i);
}

/**
 * The source with every string, template literal (its `${…}` parts included), regular expression and
 * comment blanked, newlines kept: what is left is code whose braces are real blocks and literals.
 */
export function codeOnly(src: string): string {
  let out = '';
  // Open template literals and `${` expressions, innermost last; an expression remembers its brace depth.
  const stack: Array<{ kind: 'template' } | { kind: 'expr'; depth: number }> = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const top = stack.at(-1);
    let next = i + 1;
    if (top?.kind === 'template') {
      if (c === '\\') next = i + 2;
      else if (c === '`') stack.pop();
      else if (c === '$' && src[i + 1] === '{') {
        stack.push({ kind: 'expr', depth: 0 });
        next = i + 2;
      }
    } else if (literalStartsAt(src, i)) {
      next = skipLiteral(src, i);
    } else if (c === '`') {
      stack.push({ kind: 'template' });
    } else if (top?.kind === 'expr' && c === '{') {
      top.depth++;
    } else if (top?.kind === 'expr' && c === '}') {
      if (top.depth === 0) stack.pop();
      else top.depth--;
    } else if (!top) {
      out += c;
      i = next;
      continue;
    }
    out += blank(src.slice(i, next));
    i = next;
  }
  return out;
}

const FUNCTION_HEAD = new RegExp(
  [
    /(\bfunction\b[^;]*\{\s*$)/.source,
    /(=>\s*\{\s*$)/.source,
    /(^\s*(public |private |static |async |get |set )*[A-Za-z_$][\w$]*\s*(<[^>]*>)?\(.*\)\s*(:\s*[^=;]+)?\{\s*$)/
      .source,
    /(^\s*\)\s*(:\s*[^=;]+)?\{\s*$)/.source,
  ].join('|'),
);
const CONTROL_HEAD = /^\s*(\}\s*)?(if|for|while|switch|catch|else|do|try)\b/;

const count = (line: string, ch: string): number => line.split(ch).length - 1;

/** Every function of `source` longer than `max` lines, by the heuristic above. */
export function longFunctions(source: string, max: number): Array<Omit<Oversize, 'file' | 'kind'>> {
  const lines = codeOnly(source).split('\n');
  const out: Array<Omit<Oversize, 'file' | 'kind'>> = [];
  lines.forEach((head, i) => {
    if (!FUNCTION_HEAD.test(head) || CONTROL_HEAD.test(head)) return;
    let depth = 0;
    let j = i;
    for (; j < lines.length; j++) {
      depth += count(lines[j]!, '{') - count(lines[j]!, '}');
      if (depth <= 0 && j > i) break;
    }
    const n = Math.min(j, lines.length - 1) - i + 1;
    if (n > max) out.push({ line: i + 1, lines: n, head: head.trim().slice(0, 60) });
  });
  return out;
}

/** Lines as `wc -l` counts them: a final newline ends the last line rather than starting another. */
export const lineCount = (source: string): number =>
  source.length === 0 ? 0 : source.split('\n').length - (source.endsWith('\n') ? 1 : 0);

/** Every file and function of `files` over the limits, longest first. */
export function checkSizes(files: ReadonlyMap<string, string>, limits: SizeLimits = LIMITS): Oversize[] {
  const out: Oversize[] = [];
  for (const [file, source] of files) {
    const n = lineCount(source);
    if (n > limits.fileLines) out.push({ file, kind: 'file', line: 1, lines: n, head: '' });
    for (const f of longFunctions(source, limits.functionLines)) out.push({ file, kind: 'function', ...f });
  }
  return out.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}

export const describeOversize = (o: Oversize, limits: SizeLimits = LIMITS): string =>
  o.kind === 'file'
    ? `${o.file}: ${o.lines} lines (a file may have ${limits.fileLines})`
    : `${o.file}:${o.line}: function of ${o.lines} lines (at most ${limits.functionLines}): ${o.head}`;
