import type { WebClient } from '@slack/web-api';
import type { ApproverDirectory } from '../../app/fixes/ports.ts';

const CACHE_MS = 5 * 60_000;

/**
 * Approver group membership from Slack (`usergroups.users.list`), cached for five minutes so a burst of
 * clicks costs one call. A failed lookup denies (the caller audits the refusal); it never approves.
 */
export function slackDirectory(client: WebClient, now: () => number = Date.now): ApproverDirectory {
  const cache = new Map<string, { at: number; users: Set<string> }>();
  return {
    async isGroupMember(groupId, userId) {
      const hit = cache.get(groupId);
      if (hit && now() - hit.at < CACHE_MS) return hit.users.has(userId);
      try {
        const r = await client.usergroups.users.list({ usergroup: groupId });
        const users = new Set(r.users ?? []);
        cache.set(groupId, { at: now(), users });
        return users.has(userId);
      } catch {
        return false;
      }
    },
  };
}
