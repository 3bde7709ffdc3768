import { existsSync, readFileSync } from 'node:fs';
import { enableCompileCache, registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What every entry point (`leak`, the server) does before it loads the rest of the program, so a command
 * starts in well under a second instead of two (issue 15):
 *
 * - Node's compile cache keeps compiled code between runs (os.tmpdir(), or NODE_COMPILE_CACHE).
 * - Node 24's module loader learns whether a dependency's .js file is ESM or CommonJS by asking for the
 *   nearest package.json, and parses that file's `exports` map again on every ask. drizzle-orm's map is
 *   1.3 MB and ≈450 of its files load: 1.3 s of CPU and 170 MB of garbage per start (measured with
 *   --cpu-prof; the time is in package_json_reader). Here the answer is kept per directory, so each
 *   package.json is read once, and a package's relative ESM imports resolve without asking again.
 *   The rules are Node's: .mjs is ESM, .cjs is CommonJS, .js follows the nearest package.json's "type".
 *   Bare specifiers (`drizzle-orm/pg-core`) and everything outside node_modules resolve as Node resolves
 *   them.
 *
 * Called once, from the `import.meta.main` block of src/cli.ts and src/main.ts, never from tests.
 */
export function fastStart(): void {
  enableCompileCache();
  registerHooks({ resolve: resolveInsidePackage, load: loadWithKnownFormat });
}

type Hooks = Parameters<typeof registerHooks>[0];
type Resolve = NonNullable<Hooks['resolve']>;
type Load = NonNullable<Hooks['load']>;

type PackageType = 'module' | 'commonjs' | 'none';
const typeOfDir = new Map<string, PackageType>();

/** The "type" of the package.json nearest to `dir` (Node's rule), read once per directory. */
function packageType(dir: string): PackageType {
  const known = typeOfDir.get(dir);
  if (known) return known;
  const file = join(dir, 'package.json');
  let type: PackageType;
  if (existsSync(file)) {
    const declared = (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type;
    type = declared === 'module' || declared === 'commonjs' ? declared : 'none';
  } else type = dirname(dir) === dir ? 'none' : packageType(dirname(dir));
  typeOfDir.set(dir, type);
  return type;
}

/**
 * 'module' or 'commonjs' for a dependency's .mjs/.cjs file, or a .js file under a package.json that says
 * which; null for anything else, such as a package with no "type", whose format Node detects from the code.
 */
function dependencyFormat(url: string): 'module' | 'commonjs' | null {
  if (!url.startsWith('file:') || !url.includes('/node_modules/')) return null;
  if (url.endsWith('.mjs')) return 'module';
  if (url.endsWith('.cjs')) return 'commonjs';
  if (!url.endsWith('.js')) return null;
  const type = packageType(dirname(fileURLToPath(url)));
  return type === 'none' ? null : type;
}

const resolveInsidePackage: Resolve = (specifier, context, nextResolve) => {
  const parent = context.parentURL;
  // Only an ESM file's relative import with its extension: that is a plain path join, no lookup.
  if (parent && /^\.\.?\/.*\.(?:m?js|cjs)$/.test(specifier) && dependencyFormat(parent) === 'module') {
    const url = new URL(specifier, parent).href;
    const format = dependencyFormat(url);
    if (format) return { url, format, shortCircuit: true };
  }
  return nextResolve(specifier, context);
};

const loadWithKnownFormat: Load = (url, context, nextLoad) => {
  const format = context.format ?? dependencyFormat(url);
  return nextLoad(url, format ? { ...context, format } : context);
};
