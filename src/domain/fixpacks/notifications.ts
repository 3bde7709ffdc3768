import type { SideEffect } from './types.ts';

/**
 * The Slack messages a plan will send, counted the way the outbox sends them (app/fixes/effects.ts
 * scheduleNotifications): one message per notify effect that has somewhere to go, i.e. a channel post, or a
 * DM to an owner mapped to a Slack user (FIX_OWNER_SLACK). An owner with no mapped user gets nothing, so
 * such owners are counted apart, once each however many of their records the plan touches (issue 10 item 5).
 */
export interface NotifySummary {
  /** Messages that will be sent: DMs plus channel posts. */
  messages: number;
  /** DMs that will be sent (one per notification: the outbox does not merge a person's DMs). */
  dms: number;
  /** Distinct Slack users those DMs go to. */
  dmUsers: number;
  /** Channel posts per channel, in first-seen order. */
  channels: { channel: string; count: number }[];
  /** Distinct owners whose DMs cannot be sent (no Slack user mapped), in first-seen order. */
  unmappedOwners: string[];
}

export function notifySummary(effects: readonly SideEffect[]): NotifySummary {
  let dms = 0;
  const users = new Set<string>();
  const channels = new Map<string, number>();
  const unmapped = new Set<string>();
  for (const e of effects) {
    if (e.kind !== 'notify') continue;
    if (e.channel !== null) channels.set(e.channel, (channels.get(e.channel) ?? 0) + 1);
    else if (e.slackUser !== null) {
      dms++;
      users.add(e.slackUser);
    } else unmapped.add(e.owner);
  }
  const posts = [...channels].map(([channel, count]) => ({ channel, count }));
  return {
    messages: dms + posts.reduce((n, c) => n + c.count, 0),
    dms,
    dmUsers: users.size,
    channels: posts,
    unmappedOwners: [...unmapped],
  };
}
