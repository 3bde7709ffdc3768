import { describe, expect, it } from 'vitest';
import { formatBurn as scanBurn } from '../../src/adapters/slack/blocks/scan-summary.ts';
import { sharePct, targetPct } from '../../src/adapters/slack/blocks/sla-incident.ts';
import { formatBurn, formatShare, formatTarget } from '../../src/shared/format.ts';

/**
 * The SLA War Room (sla-incident.ts) and App Home write shares and targets with their own helpers; the
 * weekly report and the CLI use shared/format.ts. Same data, same figure (issue 10, items 12 and 13).
 */
describe('the War Room and the report write a figure the same way', () => {
  const shares = [0.75, 0.9, 0.98214, 0.99, 0.9994, 0.99949, 0.9989999, 0.999, 0.99999];
  it.each(shares)('share %d', (x) => expect(formatShare(x)).toBe(sharePct(x)));
  it.each([0.9, 0.99, 0.999, 0.9995])('target %d', (t) => expect(formatTarget(t)).toBe(targetPct(t)));
  it.each([0, 0.3, 1, 14.508, 100, 1450.8])('burn %d', (b) => expect(scanBurn(b)).toBe(formatBurn(b)));
});
