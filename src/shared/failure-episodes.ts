import type { Log } from './log.ts';

/**
 * Logs a repeating failure as an episode: one line when it starts, one when it ends, instead of one per
 * attempt (issue 17). While the database is down the outbox worker retries every second and the
 * per-minute jobs fail every minute; an operator needs to know when it began, that it is still the same
 * failure, and when it ended.
 *
 * - The first failure logs at error level with its error.
 * - Further failures with the same message log at debug level only; a different message is a new line
 *   (error), so a second, unrelated problem is not hidden behind the first.
 * - The first success after failures logs at warn level: how long it lasted and how many attempts failed.
 */
export interface FailureEpisodes {
  failed(err: unknown, fields?: object): void;
  succeeded(fields?: object): void;
}

export function failureEpisodes(log: Log, what: string, now: () => number = Date.now): FailureEpisodes {
  let since: number | null = null;
  let attempts = 0;
  let lastMessage = '';
  return {
    failed(err, fields = {}) {
      const message = err instanceof Error ? err.message : String(err);
      attempts += 1;
      if (since !== null && message === lastMessage) {
        log.debug({ ...fields, err, failed_attempts: attempts }, `${what} failed again`);
        return;
      }
      since ??= now();
      lastMessage = message;
      log.error({ ...fields, err, failed_attempts: attempts }, `${what} failed`);
    },
    succeeded(fields = {}) {
      if (since === null) return;
      log.warn(
        { ...fields, failed_attempts: attempts, failing_ms: now() - since },
        `${what} works again after ${Math.round((now() - since) / 1000)} s and ${attempts} failed attempts`,
      );
      since = null;
      attempts = 0;
      lastMessage = '';
    },
  };
}
