import { describe, expect, it } from 'vitest';
import { describeCycle, findCycles } from './import-cycles.ts';
import { readSrc } from './read-src.ts';

describe('src/ has no import cycles (files or folders)', () => {
  it('finds none', () => {
    expect(findCycles(readSrc()).map(describeCycle)).toEqual([]);
  });
});

describe('the cycle checker catches cycles (synthetic sources)', () => {
  it('a two-file cycle, type-only imports included', () => {
    const cycles = findCycles(
      new Map(
        Object.entries({
          'src/app/a.ts': "import type { B } from './b.ts';",
          'src/app/b.ts': "import { a } from './a.ts';",
        }),
      ),
    );
    expect(cycles.map(describeCycle)).toEqual(['file cycle: src/app/a.ts → src/app/b.ts → src/app/a.ts']);
  });

  it('a longer file cycle, reported once as its shortest loop', () => {
    const cycles = findCycles(
      new Map(
        Object.entries({
          'src/domain/a.ts': "import { b } from './b.ts';",
          'src/domain/b.ts': "export { c } from './c.ts';",
          'src/domain/c.ts': "const a = await import('./a.ts');",
        }),
      ),
    );
    expect(cycles).toEqual([
      {
        kind: 'file',
        path: ['src/domain/a.ts', 'src/domain/b.ts', 'src/domain/c.ts', 'src/domain/a.ts'],
        members: ['src/domain/a.ts', 'src/domain/b.ts', 'src/domain/c.ts'],
      },
    ]);
  });

  it('a file importing itself', () => {
    const cycles = findCycles(new Map([['src/shared/x.ts', "import { y } from './x.ts';"]]));
    expect(cycles.map(describeCycle)).toEqual(['file cycle: src/shared/x.ts → src/shared/x.ts']);
  });

  it('a folder cycle with no file cycle', () => {
    const cycles = findCycles(
      new Map(
        Object.entries({
          'src/app/fixes/approve.ts': "import { send } from '../outbox/send.ts';",
          'src/app/fixes/types.ts': 'export type Fix = { id: string };',
          'src/app/outbox/send.ts': 'export const send = 1;',
          'src/app/outbox/ports.ts': "import type { Fix } from '../fixes/types.ts';",
        }),
      ),
    );
    expect(cycles.map(describeCycle)).toEqual([
      'folder cycle: src/app/fixes → src/app/outbox → src/app/fixes',
    ]);
  });

  it('allows a one-way chain between files and folders', () => {
    const cycles = findCycles(
      new Map(
        Object.entries({
          'src/app/fixes/approve.ts':
            "import { send } from '../outbox/send.ts';\nimport { t } from './types.ts';",
          'src/app/fixes/types.ts': "import { z } from 'zod';",
          'src/app/outbox/send.ts': "import { m } from '../../shared/money.ts';",
          'src/shared/money.ts': 'export const m = 1;',
        }),
      ),
    );
    expect(cycles).toEqual([]);
  });
});
