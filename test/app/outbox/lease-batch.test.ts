import { beforeEach, describe, expect, it } from 'vitest';
import { deliverDue } from '../../../src/app/delivery/handlers.ts';
import type { ChatGateway, OutboundMessage } from '../../../src/app/outbox/ports.ts';
import { backends } from '../../support/db.ts';
import { declareBurning, posted } from '../incidents/delivery-support.ts';
import { useIncidentWorld, type World } from '../incidents/setup.ts';

/**
 * Two replicas. Replica A claims a batch of jobs with one lease each, then works through them one after the
 * other. When Slack is slow, the leases of the jobs at the end of the batch lapse before A reaches them;
 * replica B claims and delivers them; A must not then deliver them a second time from its stale claim.
 */
describe.each(backends)('a batch claim outliving its lease on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  it('pages once when another replica took over a lapsed job', async () => {
    await declareBurning(w);
    const db = w.db;
    const replicaB = { ...w.delivery };
    let tookOver = false;
    // Replica A's Slack: while A is still on the channel job (its last step, the announcement), the page
    // job's lease lapses (time passes: simulated) and replica B delivers it.
    const chat = w.chat;
    const slow: ChatGateway = {
      createChannel: (n) => chat.createChannel(n),
      findOwnChannel: (n) => chat.findOwnChannel(n),
      setTopic: (c, i) => chat.setTopic(c, i),
      usergroupMembers: (g) => chat.usergroupMembers(g),
      invite: (c, u) => chat.invite(c, u),
      findPosted: (c, k) => chat.findPosted(c, k),
      update: (c, t, m) => chat.update(c, t, m),
      pin: (c, t) => chat.pin(c, t),
      openDm: (u) => chat.openDm(u),
      post: async (channel: string, message: OutboundMessage, key: string) => {
        if (!tookOver && message.kind === 'announce') {
          tookOver = true;
          await db.query(
            `UPDATE jobs SET locked_until = now() - interval '1 second' WHERE key LIKE 'page:%'`,
          );
          await deliverDue(replicaB);
        }
        return chat.post(channel, message, key);
      },
    };
    await deliverDue({ ...w.delivery, chat: slow });

    expect(tookOver).toBe(true);
    expect(posted(w, 'page')).toHaveLength(1);
    expect(posted(w, 'page_dm')).toHaveLength(1);
  });
});
