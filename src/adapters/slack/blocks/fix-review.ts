import { describeKept, describeMerge } from '../../../domain/fixpacks/explain.ts';
import { notifySummary } from '../../../domain/fixpacks/notifications.ts';
import type { FixRun } from '../../../domain/fixpacks/run.ts';
import type { Plan } from '../../../domain/fixpacks/types.ts';
import { formatUsd } from '../../../shared/money.ts';
import { channelLink, count, noTicks as esc, formatActor, plural, section, USER_ID } from './kit.ts';
import type { KnownBlock } from './types.ts';

/**
 * What a reviewer must know before clicking Approve, beyond the diff (issue 10): which record survives each
 * merge and why, which fields were kept rather than overwritten, whether four eyes applies and who can
 * approve, and the Slack messages that will really be sent. All of it is read off the plan (the preview use
 * case puts the approval facts there), never from configuration. Data is escaped after truncation.
 */

const CAP = { id: 60, name: 40, merge: 420, kept: 360 } as const;
const SHOWN = { merges: 5, kept: 5, approvers: 10, owners: 5, channels: 3 } as const;
const GROUP_ID = /^S[A-Z0-9]{2,}$/;

const andMore = (n: number, what: string): string[] => (n > 0 ? [`…and ${plural(n, what)}`] : []);

/** "*Survivors*" — per merged domain, the record kept, why, and the closed records only linked. */
export function survivorsBlock(plan: Plan): KnownBlock | null {
  const merges = plan.merges ?? [];
  if (merges.length === 0) return null;
  const lines = merges
    .slice(0, SHOWN.merges)
    .map((m) => `:link: \`${esc(m.domain, CAP.id)}\`: ${esc(describeMerge(m), CAP.merge)}`);
  return section(
    ['*Survivors*', ...lines, ...andMore(merges.length - SHOWN.merges, 'more merged group')].join('\n'),
  );
}

/** "*Kept, not overwritten*" — fields a step left as they were because they held a value. */
export function keptBlock(plan: Plan): KnownBlock | null {
  const kept = plan.kept ?? [];
  if (kept.length === 0) return null;
  const lines = kept
    .slice(0, SHOWN.kept)
    .map((k) => `\`${esc(k.recordId, CAP.id)}\` ${esc(describeKept(k), CAP.kept)}`);
  return section(
    ['*Kept, not overwritten*', ...lines, ...andMore(kept.length - SHOWN.kept, 'more kept field')].join('\n'),
  );
}

/** Approvers as mentions (an id that is not one is shown as code, so configuration cannot ping anyone). */
function approverList(users: readonly string[], group: string | null): string {
  const who = users
    .slice(0, SHOWN.approvers)
    .map((u) => (USER_ID.test(u) ? `<@${u}>` : `\`${esc(u, CAP.id)}\``));
  if (users.length > SHOWN.approvers) who.push(`+${count(users.length - SHOWN.approvers)}`);
  if (group !== null) who.push(GROUP_ID.test(group) ? `<!subteam^${group}>` : `\`${esc(group, CAP.id)}\``);
  return who.length > 0
    ? who.join(', ')
    : 'nobody is configured to approve (FIX_APPROVERS, FIX_APPROVER_GROUP).';
}

/**
 * Whether four eyes applies and who can approve, while the plan awaits a decision. The approvers are
 * mentioned on purpose: the preview is a request for their approval. (Edits of the message notify nobody.)
 */
export function approvalBlock(run: FixRun): KnownBlock | null {
  const a = run.plan.approval;
  if (run.state !== 'planned' || a === undefined) return null;
  const b = run.plan.blast;
  const size = `${plural(b.records, 'record')} / ${formatUsd(b.dollarsCents)}`;
  const limits = `${plural(a.fourEyesRecords, 'record')} ${a.fourEyes ? 'or' : 'and'} ${formatUsd(a.fourEyesCents)}`;
  const eyes = a.fourEyes
    ? `:busts_in_silhouette: Four eyes: ${size} is over ${limits}, so whoever asked for it (${formatActor(run.requestedBy)}) may not approve it.`
    : `:bust_in_silhouette: No four eyes: ${size} is within ${limits}, so whoever asked for it may approve it too.`;
  return section(`${eyes}\n:key: Who can approve: ${approverList(a.approverUsers, a.approverGroup)}`);
}

/**
 * The Slack messages line: messages and DMs that will be sent (as the outbox sends them), and the owners,
 * counted once each, whose DMs cannot be sent. Null when the plan notifies nobody.
 */
export function notifyLine(plan: Plan): string | null {
  const n = notifySummary(plan.effects);
  if (n.messages === 0 && n.unmappedOwners.length === 0) return null;
  const parts: string[] = [];
  if (n.dms > 0) {
    const to = n.dmUsers < n.dms ? ` to ${plural(n.dmUsers, 'owner')}` : '';
    parts.push(`${count(n.dms)} DM${n.dms === 1 ? '' : 's'}${to}`);
  }
  for (const c of n.channels.slice(0, SHOWN.channels))
    parts.push(`${count(c.count)} to ${channelLink(c.channel) ?? `\`${esc(c.channel, CAP.name)}\``}`);
  if (n.channels.length > SHOWN.channels)
    parts.push(`${count(n.channels.length - SHOWN.channels)} more channels`);
  const sent =
    n.messages > 0
      ? `${plural(n.messages, 'Slack message')} (${parts.join(', ')})`
      : 'No Slack message will be sent';
  const o = n.unmappedOwners;
  const names = o
    .slice(0, SHOWN.owners)
    .map((x) => esc(x, CAP.name))
    .join(', ');
  const more = o.length > SHOWN.owners ? ` +${count(o.length - SHOWN.owners)}` : '';
  const skip =
    o.length > 0 ? ` · ${plural(o.length, 'owner')} not mapped to Slack, no DM: ${names}${more}` : '';
  return `:speech_balloon: ${sent}${skip}`;
}
