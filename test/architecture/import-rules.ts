import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * The import rules of ARCHITECTURE.md as a pure checker over { repo-relative path → source text }, so
 * the test can run it on src/ and on synthetic violations alike.
 *
 * - src/domain/**   imports only src/domain, src/shared and 'zod'; no node: module, not even through a
 *                   shared file (shared/ids.ts and shared/pii.ts use node:crypto, so domain must not
 *                   import them): the domain stays pure and runs anywhere.
 * - src/app/**      imports only src/app, src/domain, src/shared (and 'zod', which the domain may use
 *                   too); no node: module and no vendor library: the shell reaches it through ports.
 * - src/adapters/<x>/** never imports another src/adapters/<y>, except src/adapters/log, which every
 *                   adapter may use so all of them log through one pino root.
 * - src/shared/**   imports nothing from src except src/shared (node: modules and packages are fine).
 * - src/main.ts and src/cli.ts are entry points: only they may import each other; nothing else
 *                   imports them.
 *
 * Import cycles, between files and between folders, are checked by import-cycles.ts (cycles.test.ts).
 */

export type Target =
  | { kind: 'src'; path: string }
  | { kind: 'node'; name: string }
  | { kind: 'package'; name: string }
  | { kind: 'outside'; path: string };

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

const ENTRY_POINTS = new Set(['src/main.ts', 'src/cli.ts']);
const PURE_PACKAGES = new Set(['zod']);
const SHARED_BY_ALL_ADAPTERS = 'log';

/** Whole-line comments are dropped so prose that mentions `from '…'` in a JSDoc is not read as code. */
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*).*$/gm;
const SPECIFIER_PATTERNS = [
  /\bfrom\s*['"]([^'"\n]+)['"]/g, // import … from '…', export … from '…'
  /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g, // import('…')
  /^\s*import\s*['"]([^'"\n]+)['"]/gm, // import '…' (side effect only)
];

export function importSpecifiers(source: string): string[] {
  const code = source.replace(COMMENT_LINE, '');
  const out: string[] = [];
  for (const re of SPECIFIER_PATTERNS) for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

const isBuiltin = (spec: string): boolean =>
  spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);

const packageName = (spec: string): string => {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
};

export function resolveImport(fromFile: string, spec: string, known: ReadonlySet<string>): Target {
  if (isBuiltin(spec)) return { kind: 'node', name: spec };
  if (!spec.startsWith('.') && !spec.startsWith('/')) return { kind: 'package', name: packageName(spec) };
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
  const candidates = [joined, joined.replace(/\.js$/, '.ts'), `${joined}.ts`, `${joined}/index.ts`];
  const hit = candidates.find((c) => known.has(c)) ?? joined;
  return hit.startsWith('src/') ? { kind: 'src', path: hit } : { kind: 'outside', path: hit };
}

const under = (p: string, dir: string): boolean => p.startsWith(`${dir}/`);
const adapterOf = (p: string): string | null => (under(p, 'src/adapters') ? p.split('/')[2]! : null);
const describeTarget = (t: Target): string => (t.kind === 'src' || t.kind === 'outside' ? t.path : t.name);

/** Why `file` may not import `t`, or null when it may (direct edge only). */
function directViolation(file: string, t: Target): string | null {
  if (t.kind === 'src' && ENTRY_POINTS.has(t.path) && !ENTRY_POINTS.has(file))
    return 'only the entry points (src/main.ts, src/cli.ts) may import an entry point';

  if (under(file, 'src/domain')) {
    if (t.kind === 'src' && t.path === 'src/shared/ids.ts')
      return 'domain must not import shared/ids.ts (node:crypto)';
    if (t.kind === 'src' && (under(t.path, 'src/domain') || under(t.path, 'src/shared'))) return null;
    if (t.kind === 'package' && PURE_PACKAGES.has(t.name)) return null;
    return 'domain imports only src/domain, src/shared and zod';
  }
  if (under(file, 'src/app')) {
    if (t.kind === 'src' && ['src/app', 'src/domain', 'src/shared'].some((d) => under(t.path, d)))
      return null;
    if (t.kind === 'package' && PURE_PACKAGES.has(t.name)) return null;
    return 'app imports only src/app, src/domain, src/shared (and zod)';
  }
  if (under(file, 'src/shared')) {
    if (t.kind === 'node' || t.kind === 'package') return null;
    if (t.kind === 'src' && under(t.path, 'src/shared')) return null;
    return 'shared imports nothing from src except src/shared';
  }
  const from = adapterOf(file);
  if (from !== null && t.kind === 'src') {
    const to = adapterOf(t.path);
    if (to !== null && to !== from && to !== SHARED_BY_ALL_ADAPTERS)
      return `adapter "${from}" must not import adapter "${to}" (only adapters/log is shared)`;
  }
  return null;
}

/** The first node: module or non-pure package reachable from `start` through src imports, if any. */
function impurityReachableFrom(start: string, edges: ReadonlyMap<string, Target[]>): string | null {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const t of edges.get(f) ?? []) {
      if (t.kind === 'node' || (t.kind === 'package' && !PURE_PACKAGES.has(t.name)))
        return `${t.name} via ${f}`;
      if (t.kind === 'src') stack.push(t.path);
    }
  }
  return null;
}

/** Every rule violation in `files` (repo-relative path → TypeScript source). */
export function checkImports(files: ReadonlyMap<string, string>): Violation[] {
  const known = new Set(files.keys());
  const edges = new Map<string, Target[]>();
  const specs = new Map<string, string[]>();
  for (const [file, source] of files) {
    const s = importSpecifiers(source);
    specs.set(file, s);
    edges.set(
      file,
      s.map((spec) => resolveImport(file, spec, known)),
    );
  }

  const out: Violation[] = [];
  for (const [file, targets] of edges) {
    targets.forEach((t, i) => {
      const specifier = specs.get(file)![i]!;
      const direct = directViolation(file, t);
      if (direct) {
        out.push({ file, specifier, reason: `${direct} (imports ${describeTarget(t)})` });
        return;
      }
      if (under(file, 'src/domain') && t.kind === 'src' && under(t.path, 'src/shared')) {
        const impure = impurityReachableFrom(t.path, edges);
        if (impure)
          out.push({ file, specifier, reason: `domain must stay pure, but ${t.path} reaches ${impure}` });
      }
    });
  }
  return out;
}
