import type { App, Context, RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import { type AppErrorCode, isAppError } from '../../../shared/errors.ts';
import { newRef } from '../../../shared/ids.ts';
import { renderNotice } from '../blocks/help.ts';
import { DATABASE_OUTAGE_TEXT, databaseOutage } from './outage.ts';
import { requestContextOf } from './request-context.ts';

/**
 * The one Slack error boundary (ARCHITECTURE.md habits 4 and 5). An AppError is an outcome the user must
 * see, shown with its message; a database outage (outage.ts) is said as such, with what happens next;
 * anything else is a bug: logged once with a reference id, and the user sees only that id, never a stack
 * or an internal message.
 */
const LEAD: Record<AppErrorCode, string> = {
  NOT_FOUND: 'Not found',
  CONFLICT: 'That changed while you were looking',
  FORBIDDEN: 'You are not allowed to do that',
  VALIDATION: 'That input is not valid',
  PRECONDITION_FAILED: 'That cannot be done yet',
};

export function userMessageFor(err: unknown, log: Logger): { text: string; ref?: string } {
  const e = unwrap(err);
  if (isAppError(e)) {
    log.info({ code: e.code, reason: e.message }, 'request refused');
    return { text: `${LEAD[e.code]}: ${e.message}` };
  }
  const ref = newRef();
  // Not a bug: the database is away. The user is told so, and what happens next (issue 17).
  const outage = databaseOutage(e);
  if (outage !== null) {
    log.warn({ ref, code: outage, err: e }, 'request failed: database unreachable');
    return { text: `${DATABASE_OUTAGE_TEXT} (ref ${ref})`, ref };
  }
  log.error({ ref, err: e }, 'unexpected error');
  return {
    text: `Something went wrong (ref ${ref}). Please share that reference with the team running the bot.`,
    ref,
  };
}

/** Bolt wraps a listener's plain Error in UnknownError; the original is what deserves logging. */
function unwrap(err: unknown): unknown {
  if (err && typeof err === 'object' && 'original' in err && err.original instanceof Error)
    return err.original;
  return err;
}

/** Runs a listener's work after ack(); a failure is mapped once and answered on the response_url. */
export async function withErrorBoundary(
  respond: RespondFn,
  log: Logger,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    const { text } = userMessageFor(err, log);
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, ...renderNotice(text) });
    } catch (replyErr) {
      // The user cannot be told (response_url expired or unreachable); the log line above still has the ref.
      log.warn({ err: replyErr }, 'error reply failed');
    }
  }
}

const RESPONSE_URL_TIMEOUT_MS = 5_000;

/**
 * Errors that escape listeners (middleware, authorization, a listener without the boundary). Requires
 * `extendedErrorHandler: true` so the request body and context are available. Never rethrows: the request
 * has been acknowledged or has timed out either way, and a rethrow only adds a duplicate log line.
 */
export function installErrorBoundary(app: App, root: Logger): void {
  // Bolt does not export its ExtendedErrorHandler argument type; this is the part of it we read.
  type Args = { error: Error; context: Context; body: unknown };
  const handler = async ({ error, context, body }: Args): Promise<void> => {
    const log = requestContextOf(context, root).log;
    const { text } = userMessageFor(error, log);
    const responseUrl = (body as { response_url?: unknown } | undefined)?.response_url;
    // The URL came in a signature-verified body, so it is Slack's; no further allow-listing.
    if (typeof responseUrl !== 'string' || responseUrl === '') return;
    try {
      await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', ...renderNotice(text) }),
        signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
      });
    } catch (replyErr) {
      log.warn({ err: replyErr }, 'error reply failed');
    }
  };
  app.error(handler as Parameters<App['error']>[0]);
}
