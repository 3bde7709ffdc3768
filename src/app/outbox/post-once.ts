import type { Log } from '../../shared/log.ts';
import { type ChatGateway, DeliveryError, type Job } from './ports.ts';

/** What posting once needs of the delivery worker's dependencies. */
export interface PostDeps {
  chat: ChatGateway;
  log: Log;
}

/**
 * The bot may post where it cannot read (`chat:write.public` in an alerts channel it never joined). There
 * the history check is impossible; posting is still right, at the small risk of a duplicate after a lost
 * response, where refusing would lose the message for good.
 */
async function findPostedIfReadable(deps: PostDeps, channel: string, key: string): Promise<string | null> {
  try {
    return await deps.chat.findPosted(channel, key);
  } catch (err) {
    // Bug fix: `missing_scope` too. DMs (page_dm, fix notifications) are IMs, whose history needs `im:history`,
    // which the manifest does not grant: every retried DM failed here permanently and was never sent.
    if (
      err instanceof DeliveryError &&
      (err.code === 'not_in_channel' || err.code === 'channel_not_found' || err.code === 'missing_scope')
    ) {
      deps.log.warn(
        { channel, key, code: err.code },
        'cannot read channel history; posting without the check',
      );
      return null;
    }
    throw err;
  }
}

/** Posts once: after a lost response (a retry), looks for the message by its key before posting again. */
export async function postOnce(
  deps: PostDeps,
  job: Job,
  channel: string,
  key: string,
  message: Parameters<ChatGateway['post']>[1],
): Promise<string> {
  if (job.attempts > 1) {
    const found = await findPostedIfReadable(deps, channel, key);
    if (found !== null) return found;
  }
  return (await deps.chat.post(channel, message, key)).ts;
}
