import { describe, expect, it } from 'vitest';
import { checkImports, importSpecifiers, resolveImport } from './import-rules.ts';
import { readSrc } from './read-src.ts';

const check = (files: Record<string, string>) => checkImports(new Map(Object.entries(files)));
const PURE_SHARED = { 'src/shared/money.ts': 'export const x = 1;' };

describe('src/ follows the import rules (ARCHITECTURE.md)', () => {
  const src = readSrc();

  it('finds the layers it checks (so an empty walk cannot pass)', () => {
    const keys = [...src.keys()];
    for (const layer of ['src/domain/', 'src/shared/', 'src/app/'])
      expect(keys.filter((k) => k.startsWith(layer)).length, layer).toBeGreaterThan(0);
    expect(keys).toContain('src/domain/rules/evaluate.ts');
    expect(importSpecifiers(src.get('src/domain/rules/evaluate.ts')!)).toContain('../records/record.ts');
  });

  it('has no violations', () => {
    const violations = checkImports(src).map((v) => `${v.file}: '${v.specifier}' — ${v.reason}`);
    expect(violations).toEqual([]);
  });

  it('the domain reads no clock, environment or randomness (habit 1)', () => {
    const IMPURE = [
      /\bDate\.now\s*\(/,
      /\bnew Date\s*\(\s*\)/,
      /\bprocess\./,
      /\bMath\.random\s*\(/,
      /\bperformance\.now\s*\(/,
    ];
    const found: string[] = [];
    for (const [file, source] of src) {
      if (!file.startsWith('src/domain/')) continue;
      const code = source.replace(/^\s*(?:\/\/|\/\*|\*).*$/gm, '');
      for (const re of IMPURE) if (re.test(code)) found.push(`${file}: ${re}`);
    }
    expect(found).toEqual([]);
  });
});

describe('importSpecifiers', () => {
  it('reads from-imports, re-exports, multi-line lists, dynamic and side-effect imports', () => {
    const source = [
      "import { a } from '../a.ts';",
      'import type { B } from "./b.ts";',
      'import {',
      '  c,',
      '  d,',
      "} from '../../c.ts';",
      "export { e } from './e.ts';",
      "export * from './f.ts';",
      "const g = await import('./g.ts');",
      "import './h.ts';",
      "import pino from 'pino';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      ['../a.ts', './b.ts', '../../c.ts', './e.ts', './f.ts', './g.ts', './h.ts', 'pino'].sort(),
    );
  });

  it('ignores prose in comments', () => {
    expect(
      importSpecifiers(
        "/**\n * Rows come from 'the CSV' or import('nowhere').\n */\n// from 'x'\nconst a = 1;",
      ),
    ).toEqual([]);
  });
});

describe('resolveImport', () => {
  const known = new Set(['src/domain/records/record.ts', 'src/shared/money.ts']);
  it.each([
    [
      'src/domain/rules/evaluate.ts',
      '../records/record.ts',
      { kind: 'src', path: 'src/domain/records/record.ts' },
    ],
    ['src/domain/rules/evaluate.ts', '../../shared/money.ts', { kind: 'src', path: 'src/shared/money.ts' }],
    ['src/domain/rules/evaluate.ts', '../../shared/money.js', { kind: 'src', path: 'src/shared/money.ts' }],
    ['src/app/scan.ts', 'node:crypto', { kind: 'node', name: 'node:crypto' }],
    ['src/app/scan.ts', 'fs/promises', { kind: 'node', name: 'fs/promises' }],
    ['src/app/scan.ts', 'drizzle-orm/pg-core', { kind: 'package', name: 'drizzle-orm' }],
    ['src/app/scan.ts', '@slack/bolt', { kind: 'package', name: '@slack/bolt' }],
    ['src/app/scan.ts', '../../package.json', { kind: 'outside', path: 'package.json' }],
  ])('%s imports %s', (from, spec, expected) => {
    expect(resolveImport(from, spec, known)).toEqual(expected);
  });
});

describe('the checker catches violations (synthetic sources)', () => {
  it.each([
    [
      'domain → adapters',
      { 'src/domain/x.ts': "import { db } from '../adapters/db/client.ts';" },
      'domain imports only',
    ],
    [
      'domain → app',
      { 'src/domain/x/y.ts': "import type { Ctx } from '../../app/context.ts';" },
      'domain imports only',
    ],
    [
      'domain → config',
      { 'src/domain/x.ts': "import { loadConfig } from '../config/config.ts';" },
      'domain imports only',
    ],
    [
      'domain → node:',
      { 'src/domain/x.ts': "import { createHash } from 'node:crypto';" },
      'domain imports only',
    ],
    [
      'domain → bare builtin',
      { 'src/domain/x.ts': "import { readFileSync } from 'fs';" },
      'domain imports only',
    ],
    ['domain → vendor', { 'src/domain/x.ts': "import pino from 'pino';" }, 'domain imports only'],
    [
      'domain → shared/ids.ts',
      { 'src/domain/x.ts': "import { newRef } from '../shared/ids.ts';" },
      'shared/ids.ts',
    ],
    [
      'domain → dynamic adapter',
      { 'src/domain/x.ts': "const m = await import('../adapters/db/client.ts');" },
      'domain imports only',
    ],
    [
      'app → adapters',
      { 'src/app/scan.ts': "import { openDb } from '../adapters/db/client.ts';" },
      'app imports only',
    ],
    [
      'app → config',
      { 'src/app/scan.ts': "import type { Config } from '../config/config.ts';" },
      'app imports only',
    ],
    ['app → node:', { 'src/app/scan.ts': "import { randomUUID } from 'node:crypto';" }, 'app imports only'],
    ['app → vendor', { 'src/app/scan.ts': "import type { App } from '@slack/bolt';" }, 'app imports only'],
    [
      'adapter → adapter',
      { 'src/adapters/slack/app.ts': "import { openDb } from '../db/client.ts';" },
      'adapter "slack" must not import adapter "db"',
    ],
    [
      'adapter → adapter (deep)',
      { 'src/adapters/slack/blocks/x.ts': "export * from '../../csv/reader.ts';" },
      'adapter "slack" must not import adapter "csv"',
    ],
    [
      'adapter → main.ts',
      { 'src/adapters/http/health.ts': "import { runServer } from '../../main.ts';" },
      'entry point',
    ],
    [
      'adapter → cli.ts',
      { 'src/adapters/db/x.ts': "const c = await import('../../cli.ts');" },
      'entry point',
    ],
    ['app → main.ts', { 'src/app/x.ts': "import { runServer } from '../main.ts';" }, 'entry point'],
    [
      'shared → domain',
      { 'src/shared/x.ts': "import type { Issue } from '../domain/scan/summarize.ts';" },
      'shared imports nothing',
    ],
    [
      'shared → config',
      { 'src/shared/x.ts': "import { loadConfig } from '../config/config.ts';" },
      'shared imports nothing',
    ],
  ])('%s', (_label, files: Record<string, string>, reason) => {
    const violations = check(files);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.reason).toContain(reason);
  });

  it('domain may not reach node: through a shared file (transitively)', () => {
    const violations = check({
      'src/domain/x.ts': "import { hashPii } from '../shared/pii.ts';",
      'src/shared/pii.ts': "import { hashRaw } from './raw.ts';",
      'src/shared/raw.ts': "import { createHmac } from 'node:crypto';",
    });
    expect(violations).toEqual([
      {
        file: 'src/domain/x.ts',
        specifier: '../shared/pii.ts',
        reason: 'domain must stay pure, but src/shared/pii.ts reaches node:crypto via src/shared/raw.ts',
      },
    ]);
  });

  it('allows what the rules allow', () => {
    expect(
      check({
        ...PURE_SHARED,
        'src/domain/a/x.ts':
          "import { z } from 'zod';\nimport { x } from '../../shared/money.ts';\nimport { y } from '../b/y.ts';",
        'src/domain/b/y.ts': 'export const y = 1;',
        'src/app/scan.ts':
          "import { y } from '../domain/b/y.ts';\nimport { x } from '../shared/money.ts';\nimport { c } from './context.ts';",
        'src/app/context.ts': 'export const c = 1;',
        'src/shared/ids.ts': "import { randomBytes } from 'node:crypto';\nimport { x } from './money.ts';",
        'src/adapters/slack/app.ts':
          "import { log } from '../log/logger.ts';\nimport { s } from '../../app/scan.ts';\nimport { App } from '@slack/bolt';\nimport { m } from './blocks/m.ts';",
        'src/adapters/db/client.ts':
          "import { log } from '../log/logger.ts';\nimport type { Config } from '../../config/config.ts';",
        'src/adapters/log/logger.ts': "import pino from 'pino';",
        'src/cli.ts':
          "import { openDb } from './adapters/db/client.ts';\nconst m = await import('./main.ts');",
        'src/main.ts':
          "import { App } from './adapters/slack/app.ts';\nimport { newRef } from './shared/ids.ts';",
      }),
    ).toEqual([]);
  });
});
