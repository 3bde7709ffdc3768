import {
  type Block,
  ErrorCode,
  type KnownBlock,
  type Logger as SlackLogger,
  type WebAPICallResult,
  WebClient,
} from '@slack/web-api';
import type { Logger } from 'pino';
import { type ChatGateway, DeliveryError, type OutboundMessage } from '../../app/outbox/ports.ts';
import type { Incident } from '../../domain/incidents/incident.ts';

/**
 * The outbound Slack surface of the durable delivery worker (ChatGateway in app/incident-ports.ts).
 *
 * The worker owns retrying: it honours Retry-After, persists progress between attempts and survives a
 * restart. So the client must fail fast (deliveryClient: no retries, 429s rejected instead of slept on)
 * and every failure leaves here as a DeliveryError saying whether a retry can help.
 */

export interface ChatGatewayDeps {
  client: WebClient;
  render: (m: OutboundMessage) => { text: string; blocks: unknown[] };
  topic: (i: Incident) => string;
  log: Logger;
  /** Create incident channels private (they show record names, owners and deal values). */
  privateChannels?: boolean;
  /** How long POSTing a file's bytes may take (files.getUploadURLExternal's URL); 10 s by default. */
  uploadTimeoutMs?: number;
}

/** Marks our messages so findPosted can recognise one whose post response was lost. */
export const METADATA_EVENT_TYPE = 'revenue_leak_sre';
// SLACK.md: conversations.invite takes at most 100 users a call.
const INVITE_CHUNK = 100;
// conversations.list pages of 200 (Slack recommends ≤ 200); 10 pages covers a 2,000-channel workspace
// without letting a huge one turn an adoption check into minutes of Tier 2 calls.
const LIST_PAGE = 200;
const LIST_MAX_PAGES = 10;
// findPosted looks this far back: our messages in an incident channel are few and recent.
const HISTORY_LIMIT = 100;
// Slack rejects topics over 250 characters (`too_long`), which no retry fixes; cut instead.
const TOPIC_MAX = 250;
const DEFAULT_TIMEOUT_MS = 10_000;

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

export function createChatGateway(deps: ChatGatewayDeps): ChatGateway {
  const { client, render, log } = deps;

  /** Runs one Web API call; error codes in `fine` resolve to undefined instead of throwing. */
  async function call<T>(
    method: string,
    fn: () => Promise<T>,
    fine: readonly string[] = [],
  ): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      const d = toDeliveryError(err);
      if (fine.includes(d.code)) {
        log.debug({ method, code: d.code }, 'slack call answered a harmless error');
        return undefined;
      }
      log.warn(
        { method, code: d.code, permanent: d.permanent, retry_after_ms: d.retryAfterMs },
        'slack call failed',
      );
      throw d;
    }
  }
  const must = async <T>(method: string, fn: () => Promise<T>): Promise<T> => (await call(method, fn)) as T;

  // Who the bot is, to recognise its own channels and messages. Cached only once known: a failed
  // auth.test is retried on the next use instead of poisoning the gateway.
  let self: Promise<{ userId: string; botId: string }> | undefined;
  const identity = () => {
    if (!self) {
      const asked = must('auth.test', () => client.auth.test()).then((r) => {
        if (!r.user_id) throw new DeliveryError('invalid_response', { message: 'auth.test gave no user_id' });
        return { userId: r.user_id, botId: r.bot_id ?? '' };
      });
      self = asked;
      asked.catch(() => {
        if (self === asked) self = undefined;
      });
    }
    return self;
  };

  const content = (m: OutboundMessage) => {
    const { text, blocks } = render(m);
    // The renderers produce Block Kit; its typing is the renderers' business, not this transport's.
    return { text, blocks: blocks as (KnownBlock | Block)[] };
  };
  const field = <T>(method: string, value: T | undefined | null): T => {
    if (value === undefined || value === null || value === '')
      throw new DeliveryError('invalid_response', {
        message: `${method} answered without the expected field`,
      });
    return value;
  };

  return {
    async createChannel(name) {
      const r = await call(
        'conversations.create',
        () => client.conversations.create({ name, is_private: deps.privateChannels === true }),
        ['name_taken'],
      );
      if (!r) return { ok: false, reason: 'name_taken' };
      return { ok: true, channelId: field('conversations.create', r.channel?.id) };
    },

    async findOwnChannel(name) {
      const { userId } = await identity();
      let cursor: string | undefined;
      for (let page = 0; page < LIST_MAX_PAGES; page++) {
        const r = await must('conversations.list', () =>
          client.conversations.list({
            types: deps.privateChannels === true ? 'private_channel' : 'public_channel',
            exclude_archived: true,
            limit: LIST_PAGE,
            ...(cursor ? { cursor } : {}),
          }),
        );
        // Only a channel this bot created: adopting someone else's same-named channel would post an
        // incident into a conversation that is not ours.
        const own = r.channels?.find((c) => c.name === name && c.creator === userId);
        if (own?.id) return own.id;
        cursor = r.response_metadata?.next_cursor;
        if (!cursor) return null;
      }
      log.warn({ name, pages: LIST_MAX_PAGES }, 'channel search stopped at the page limit');
      return null;
    },

    async setTopic(channelId, incident) {
      const full = deps.topic(incident);
      const topic = full.length > TOPIC_MAX ? `${full.slice(0, TOPIC_MAX - 1)}…` : full;
      await must('conversations.setTopic', () =>
        client.conversations.setTopic({ channel: channelId, topic }),
      );
      return topic;
    },

    async usergroupMembers(groupId) {
      const r = await must('usergroups.users.list', () =>
        client.usergroups.users.list({ usergroup: groupId }),
      );
      return r.users ?? [];
    },

    async invite(channelId, userIds) {
      if (userIds.length === 0) return;
      // The bot is in the channel it created; inviting itself is an error, so it is left out up front.
      const { userId } = await identity();
      const users = [...new Set(userIds)].filter((u) => u !== userId);
      for (let i = 0; i < users.length; i += INVITE_CHUNK) {
        const chunk = users.slice(i, i + INVITE_CHUNK);
        const r = await call(
          'conversations.invite',
          () => client.conversations.invite({ channel: channelId, users: chunk.join(','), force: true }),
          ['already_in_channel', 'cant_invite_self'],
        );
        // With force, Slack invites the valid users and lists the others; those are reported, not retried.
        const errors = (r as (WebAPICallResult & { errors?: Array<{ error?: string }> }) | undefined)?.errors;
        const refused = errors?.filter(
          (e) => e.error !== 'already_in_channel' && e.error !== 'cant_invite_self',
        );
        if (refused?.length)
          log.warn(
            { channel_id: channelId, refused: refused.length, codes: refused.map((e) => e.error) },
            'some users not invited',
          );
      }
    },

    async post(channelId, message, key) {
      const r = await must('chat.postMessage', () =>
        client.chat.postMessage({
          channel: channelId,
          ...content(message),
          metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key } },
          unfurl_links: false,
        }),
      );
      return { ts: field('chat.postMessage', r.ts) };
    },

    async findPosted(channelId, key) {
      const { userId, botId } = await identity();
      const r = await must('conversations.history', () =>
        client.conversations.history({
          channel: channelId,
          limit: HISTORY_LIMIT,
          include_all_metadata: true,
        }),
      );
      const found = r.messages?.find((m) => {
        const payload = m.metadata?.event_payload as { key?: unknown } | undefined;
        const ours = (botId !== '' && m.bot_id === botId) || m.user === userId;
        return ours && m.metadata?.event_type === METADATA_EVENT_TYPE && payload?.key === key;
      });
      return found?.ts ?? null;
    },

    async update(channelId, ts, message) {
      await must('chat.update', () => client.chat.update({ channel: channelId, ts, ...content(message) }));
    },

    async pin(channelId, ts) {
      await call('pins.add', () => client.pins.add({ channel: channelId, timestamp: ts }), [
        'already_pinned',
      ]);
    },

    async openDm(userId) {
      const r = await must('conversations.open', () => client.conversations.open({ users: userId }));
      return field('conversations.open', r.channel?.id);
    },

    async uploadFile(channelId, file) {
      // Slack's external upload: an upload URL, the bytes POSTed to it, then the share into the channel.
      const up = await must('files.getUploadURLExternal', () =>
        client.files.getUploadURLExternal({ filename: file.filename, length: file.bytes.length }),
      );
      const url = field('files.getUploadURLExternal', up.upload_url);
      const fileId = field('files.getUploadURLExternal', up.file_id);
      await postBytes(url, file.bytes, deps.uploadTimeoutMs ?? DEFAULT_TIMEOUT_MS, log);
      await must('files.completeUploadExternal', () =>
        client.files.completeUploadExternal({
          files: [{ id: fileId, title: file.title }],
          channel_id: channelId,
          ...(file.initialComment ? { initial_comment: file.initialComment } : {}),
        }),
      );
      return { fileId };
    },
  };
}

/** POSTs file bytes to an upload URL; a failure is a transient DeliveryError (a retry asks for a new URL). */
async function postBytes(url: string, bytes: Uint8Array, timeoutMs: number, log: Logger): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    log.warn({ method: 'upload', code: 'network', err_name: (err as Error).name }, 'slack call failed');
    throw new DeliveryError('network');
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after'));
    log.warn({ method: 'upload', code: `http_${res.status}` }, 'slack call failed');
    throw new DeliveryError(res.status === 429 ? 'rate_limited' : `http_${res.status}`, {
      ...(Number.isFinite(retry) && retry > 0 ? { retryAfterMs: retry * 1000 } : {}),
    });
  }
}
