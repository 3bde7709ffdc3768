import { describe, expect, it } from 'vitest';
import { verifies } from '../../../src/app/fixes/verify.ts';
import type { FixRun } from '../../../src/domain/fixpacks/run.ts';
import { buildOpp, buildRecord } from '../../domain/build.ts';

/**
 * A merge leaves one open record per domain. A Closed Won deal on the same domain is history the merge
 * linked (it is never archived), so it must not fail the merge's verification (issue 10, item 1).
 */
const mergeRun = (recordIds: string[]): FixRun =>
  ({
    plan: {
      issues: recordIds.map((recordId) => ({ recordId })),
      verify: { kind: 'one_active_per_domain' },
    },
  }) as unknown as FixRun;

describe('one_active_per_domain', () => {
  const survivor = buildOpp({ id: 'o1', domain: 'acme.com' });
  const archived = buildRecord({ id: 'l1', domain: 'ACME.com', stage: 'Archived' });

  it('holds with one open record left beside a Closed Won and a Closed Lost one', () => {
    const won = buildOpp({ id: 'o2', domain: 'acme.com', stage: 'Closed Won' });
    const lost = buildOpp({ id: 'o3', domain: 'acme.com', stage: 'closed_lost' });
    expect(verifies(mergeRun(['o1', 'l1']), [survivor, archived, won, lost])).toBe(true);
  });

  it('fails while two open records still share the domain', () => {
    const open = buildRecord({ id: 'l2', domain: 'acme.com' });
    expect(verifies(mergeRun(['o1', 'l2']), [survivor, open])).toBe(false);
  });
});
