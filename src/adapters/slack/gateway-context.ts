import type { Block, KnownBlock, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { DeliveryError, type OutboundMessage } from '../../app/outbox/ports.ts';
import type { Incident } from '../../domain/incidents/incident.ts';
import { toDeliveryError } from './gateway-errors.ts';

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

/** What every gateway verb shares: the deps, the call wrappers and the bot's identity. */
export interface GatewayContext {
  deps: ChatGatewayDeps;
  /** Runs one Web API call; error codes in `fine` resolve to undefined instead of throwing. */
  call<T>(method: string, fn: () => Promise<T>, fine?: readonly string[]): Promise<T | undefined>;
  /** Runs one Web API call that must answer. */
  must<T>(method: string, fn: () => Promise<T>): Promise<T>;
  /** Who the bot is, to recognise its own channels and messages. */
  identity(): Promise<{ userId: string; botId: string }>;
  /** A message rendered to Block Kit. */
  content(m: OutboundMessage): { text: string; blocks: (KnownBlock | Block)[] };
  /** A field the answer must carry; its absence is an invalid_response DeliveryError. */
  field<T>(method: string, value: T | undefined | null): T;
}

export function createGatewayContext(deps: ChatGatewayDeps): GatewayContext {
  const { log, render } = deps;
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
  return { deps, call, must, identity: cachedIdentity(deps.client, must), content, field };
}

/**
 * auth.test, cached only once known: a failed call is retried on the next use instead of poisoning
 * the gateway.
 */
function cachedIdentity(
  client: WebClient,
  must: GatewayContext['must'],
): () => Promise<{ userId: string; botId: string }> {
  let self: Promise<{ userId: string; botId: string }> | undefined;
  return () => {
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
}
