import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readYamlDocuments } from '../../src/commands/sla.ts';
import { openSloToDefinitions } from '../../src/domain/sla/definition.ts';

/** The README's OpenSLO example is what `leak sla apply` accepts, so copying it works. */
describe('README: writing an SLA in OpenSLO', () => {
  it('the example parses and becomes one availability SLA', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Writing an SLA in OpenSLO'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const parsed = readYamlDocuments(yaml!);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const result = openSloToDefinitions(parsed.docs, Date.UTC(2026, 10, 30));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.definitions).toEqual([
      expect.objectContaining({
        id: 'checkout-availability',
        service: 'checkout',
        metric: 'http.server.request',
        indicator: { kind: 'availability' },
        target: 0.999,
        windowDays: 30,
      }),
    ]);
  });
});
