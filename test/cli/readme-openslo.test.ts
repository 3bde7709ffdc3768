import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readYamlDocuments } from '../../src/commands/sla.ts';
import { openSloToDefinitions, type StoredObject } from '../../src/domain/sla/definition.ts';

/** The README's OpenSLO examples are what `leak sla apply` accepts, so copying them works. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('### Writing an SLA in OpenSLO');
const section = readme.slice(start, readme.indexOf('\n### ', start + 1));
const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const NOW = Date.UTC(2026, 10, 30);

/** The README's blocks applied in order, as separate files: each may name what an earlier one kept. */
function applyInOrder() {
  let stored: StoredObject[] = [];
  return blocks.map((yaml, i) => {
    const parsed = readYamlDocuments(yaml);
    if (!parsed.ok) throw new Error(`block ${i}: ${parsed.errors.join('\n')}`);
    const result = openSloToDefinitions(parsed.docs, NOW, stored);
    if (!result.ok) throw new Error(`block ${i}:\n${result.errors.join('\n')}`);
    const names = new Set(result.objects.map((o) => `${o.kind}/${o.name}`));
    stored = [...stored.filter((o) => !names.has(`${o.kind}/${o.name}`)), ...result.objects];
    return result;
  });
}

describe('README: writing an SLA in OpenSLO', () => {
  it('has an example of each accepted form', () => {
    expect(blocks).toHaveLength(4);
  });

  it('the first example parses and becomes one availability SLA', () => {
    const [first] = applyInOrder();
    expect(first!.definitions).toEqual([
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

  it('every later example applies after it, naming what the first one kept', () => {
    const [, filtered, latency, alerting] = applyInOrder();
    expect(filtered!.definitions).toEqual([
      expect.objectContaining({
        id: 'checkout-pay-errors',
        indicator: {
          kind: 'availability',
          where: { 'http.route': [{ op: 'eq', value: '/pay' }] },
          bad: {
            'http.route': [{ op: 'eq', value: '/pay' }],
            'http.response.status_code': [{ op: 'range', min: 500, max: 600, maxExclusive: true }],
          },
        },
        target: 0.9995,
        windowDays: 28,
      }),
    ]);
    expect(latency!.definitions).toEqual([
      expect.objectContaining({
        id: 'checkout-latency',
        indicator: { kind: 'latency', thresholdMs: 300 },
        windowDays: 7,
      }),
    ]);
    expect(alerting!.definitions).toEqual([
      expect.objectContaining({
        id: 'checkout-monthly',
        windowDays: 30,
        calendar: { count: 1, unit: 'M', startTime: '2026-01-01 00:00:00', timeZone: 'Europe/Paris' },
        rules: [
          expect.objectContaining({ action: 'page', name: '1h/5m', factor: 14.4 }),
          expect.objectContaining({ action: 'ticket', name: '3d/6h', factor: 1 }),
        ],
        notify: { page: ['C0PAYMENTS1'], ticket: [], byRule: { '1h/5m': ['C0PAYMENTS1'] } },
      }),
    ]);
    expect(alerting!.warnings).toEqual([]);
  });
});
