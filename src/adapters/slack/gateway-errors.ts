import { ErrorCode, type Logger as SlackLogger, WebClient } from '@slack/web-api';
import { DeliveryError } from '../../app/outbox/ports.ts';

/**
 * The Web API client of the delivery worker and the mapping of its failures. The worker owns retrying
 * (Retry-After, progress persisted between attempts), so the client fails fast and every failure leaves
 * as a DeliveryError saying whether a retry can help.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Platform errors no retry can fix: auth and scopes, a channel gone or archived, a payload Slack refuses,
 * an unknown user or group. Any other platform error (ratelimited, internal_error, fatal_error,
 * service_unavailable, request_timeout, …) is treated as transient.
 */
const PERMANENT = new Set(
  [
    // The token, the app or its scopes.
    'invalid_auth not_authed account_inactive token_revoked token_expired no_permission missing_scope',
    'not_allowed_token_type ekm_access_denied team_access_not_granted',
    // The request itself.
    'invalid_arguments invalid_arg_name invalid_form_data invalid_charset',
    // The channel or message it targets.
    'channel_not_found is_archived not_in_channel method_not_supported_for_channel_type',
    'message_not_found cant_update_message edit_window_closed',
    // What was sent.
    'invalid_blocks invalid_blocks_format invalid_metadata_format invalid_metadata_schema msg_too_long',
    'msg_blocks_too_long no_text too_many_attachments too_long',
    // The people and groups named.
    'user_not_found users_not_found user_disabled user_is_restricted cant_invite no_user too_many_users',
    'no_such_subteam',
    // Workspace policy.
    'restricted_action restricted_action_read_only_channel restricted_action_thread_only_channel',
    'restricted_action_non_threadable_channel',
  ].flatMap((line) => line.split(' ')),
);
const isPermanent = (error: string): boolean => error.startsWith('invalid_name') || PERMANENT.has(error);

/** A WebClient for the delivery worker: never sleeps on a 429 and never retries by itself. */
export function deliveryClient(opts: {
  token: string;
  apiUrl?: string;
  logger: SlackLogger;
  timeoutMs?: number;
}): WebClient {
  return new WebClient(opts.token, {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    logger: opts.logger,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    // A hung call would hold the worker's lease until it expires; fail it and let the worker retry.
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

/** Maps whatever @slack/web-api threw to a DeliveryError (by `code`, so a second copy of the library works). */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = (err ?? {}) as {
    code?: unknown;
    retryAfter?: unknown;
    statusCode?: unknown;
    data?: { error?: unknown; response_metadata?: { retryAfter?: unknown } };
    message?: unknown;
  };
  const seconds = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v * 1000 : undefined);
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new DeliveryError('rate_limited', { retryAfterMs: seconds(e.retryAfter) });
    case ErrorCode.HTTPError:
      return new DeliveryError(`http_${String(e.statusCode)}`);
    case ErrorCode.RequestError:
      return new DeliveryError('network');
    case ErrorCode.PlatformError: {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_platform_error';
      return new DeliveryError(code, {
        permanent: isPermanent(code),
        retryAfterMs: seconds(e.data?.response_metadata?.retryAfter),
      });
    }
  }
  // A 429 without a usable Retry-After comes back as a plain Error; the worker backs off on its own then.
  if (typeof e.message === 'string' && e.message.startsWith('Retry header did not contain'))
    return new DeliveryError('rate_limited');
  return new DeliveryError('unexpected', {
    message: typeof e.message === 'string' ? e.message : 'unexpected',
  });
}
