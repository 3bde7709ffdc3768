import { beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/app/outbox/ports.ts';
import { backends } from '../../support/db.ts';
import { declareBurning, drain, jobStates, posted } from '../incidents/delivery-support.ts';
import { makeDue, useIncidentWorld, type World } from '../incidents/setup.ts';

/**
 * A retried page reads the DM's history before posting again (postOnce). The manifest grants no
 * `im:history`, so Slack answers `missing_scope` (permanent in the gateway): the retry must still DM the
 * commander instead of failing the page job for good.
 */
describe.each(backends)('retried DM without im:history on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  it('still DMs the commander when the DM history cannot be read', async () => {
    await declareBurning(w);
    w.chat.failNext('openDm', new DeliveryError('http_503'));
    await drain(w);
    expect(posted(w, 'page_dm')).toHaveLength(0);

    w.chat.failNext('findPosted', new DeliveryError('missing_scope', { permanent: true }));
    await makeDue(w.db);
    await drain(w);

    expect(posted(w, 'page_dm')).toHaveLength(1);
    expect((await jobStates(w)).filter((j) => j.state !== 'done')).toEqual([]);
  });
});
