import { beforeEach, describe, expect, it } from 'vitest';
import { deliverDue } from '../../../src/app/delivery/handlers.ts';
import { acknowledge } from '../../../src/app/incidents/acknowledge.ts';
import { repeatDuePages } from '../../../src/app/incidents/pager.ts';
import { resolveIncident } from '../../../src/app/incidents/resolve.ts';
import type { OutboundMessage } from '../../../src/app/outbox/ports.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { backends } from '../../support/db.ts';
import type { ChatMessage } from '../../support/fake-chat.ts';
import { declareBurning, drain, drainUntilSettled, posted } from './delivery-support.ts';
import { slackCtx, systemCtx, useIncidentWorld, type World } from './setup.ts';

type PageMessage = Extract<OutboundMessage, { kind: 'page' | 'page_dm' }>;
const pages = (w: World): ChatMessage[] => [...posted(w, 'page'), ...posted(w, 'page_dm')];
const asPage = (m: ChatMessage) => m.message as PageMessage;
/** What the reader of a page sees now: the incident it shows, and (once settled) the incident as it is. */
const stateShown = (m: ChatMessage) => (asPage(m).current ?? asPage(m).incident).state;

/**
 * Pages and DMs carry an Acknowledge button while the incident is detected. Once it is acknowledged or
 * resolved, every one of them already posted is edited (through the outbox) to the state it reached, so
 * no stale Acknowledge stays behind, and each shows what it paged for, not today's figures.
 */
describe.each(backends)('earlier pages are brought up to date on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  it('acknowledge, then resolve: each page and DM is edited once per change, and shows it', async () => {
    const i = await declareBurning(w);
    await drain(w);
    // Two repeats go unanswered first: three pages and three DMs with a button.
    for (let n = 0; n < 2; n++) {
      w.clock.advance(15 * MINUTE_MS);
      expect(await repeatDuePages(w.deps, systemCtx)).toBe(1);
      await drain(w);
    }
    expect(pages(w)).toHaveLength(6);
    expect(pages(w).every((m) => stateShown(m) === 'detected' && m.edits === 0)).toBe(true);

    await acknowledge(w.deps, slackCtx('UON1'), i.id);
    await drain(w);
    expect(pages(w).map(stateShown)).toEqual(Array(6).fill('acknowledged'));
    expect(pages(w).map((m) => m.edits)).toEqual(Array(6).fill(1));
    for (const m of pages(w)) {
      // As paged: the page's own incident is the one it was sent for (detected, its repeat, its figures).
      expect(asPage(m).incident.state).toBe('detected');
      expect(asPage(m).current?.acknowledgedBy).toBe('slack:T1:UON1');
    }

    // Nothing changed since: another delivery round edits nothing.
    await drain(w);
    expect(pages(w).map((m) => m.edits)).toEqual(Array(6).fill(1));

    await resolveIncident(w.deps, slackCtx('UON2'), i.id);
    await drain(w);
    expect(pages(w).map(stateShown)).toEqual(Array(6).fill('resolved'));
    expect(pages(w).map((m) => m.edits)).toEqual(Array(6).fill(2));
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  });

  it('a page being posted while someone acknowledges is settled after it is posted, not before', async () => {
    const i = await declareBurning(w);
    // The page job reads the incident (detected) and posts; meanwhile the incident is acknowledged and a
    // second worker picks up the settle job. It must wait for the page, or the page keeps its button.
    let raced = false;
    const post = w.chat.post.bind(w.chat);
    w.chat.post = async (channel, message, key) => {
      if (message.kind === 'page' && !raced) {
        raced = true;
        await acknowledge(w.deps, slackCtx('UON1'), i.id);
        await deliverDue(w.delivery);
      }
      return post(channel, message, key);
    };
    await drain(w);
    expect(raced).toBe(true);
    await drainUntilSettled(w);
    expect(pages(w)).toHaveLength(2);
    expect(pages(w).map(stateShown)).toEqual(['acknowledged', 'acknowledged']);
  });

  it('resolved straight from detected: no page keeps its Acknowledge', async () => {
    const i = await declareBurning(w);
    await drain(w);
    await resolveIncident(w.deps, slackCtx('UON2'), i.id);
    await drain(w);
    expect(pages(w).map(stateShown)).toEqual(['resolved', 'resolved']);
  });
});
