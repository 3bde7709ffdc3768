import type { ChatGateway } from '../../app/outbox/ports.ts';
import * as channels from './gateway-channels.ts';
import { type ChatGatewayDeps, createGatewayContext } from './gateway-context.ts';
import * as messages from './gateway-messages.ts';
import { uploadFile } from './gateway-upload.ts';

/**
 * The outbound Slack surface of the durable delivery worker (ChatGateway in app/outbox/ports.ts).
 *
 * The worker owns retrying: it honours Retry-After, persists progress between attempts and survives a
 * restart. So the client must fail fast (deliveryClient: no retries, 429s rejected instead of slept on)
 * and every failure leaves here as a DeliveryError saying whether a retry can help. The verbs live by
 * concern beside this file: channels, messages, upload; errors and the client in gateway-errors.ts.
 */

export type { ChatGatewayDeps } from './gateway-context.ts';
export { deliveryClient, toDeliveryError } from './gateway-errors.ts';
export { METADATA_EVENT_TYPE } from './gateway-messages.ts';

export function createChatGateway(deps: ChatGatewayDeps): ChatGateway {
  const ctx = createGatewayContext(deps);
  return {
    createChannel: (name) => channels.createChannel(ctx, name),
    findOwnChannel: (name) => channels.findOwnChannel(ctx, name),
    setTopic: (channelId, incident) => channels.setTopic(ctx, channelId, incident),
    usergroupMembers: (groupId) => channels.usergroupMembers(ctx, groupId),
    invite: (channelId, userIds) => channels.invite(ctx, channelId, userIds),
    post: (channelId, message, key) => messages.post(ctx, channelId, message, key),
    findPosted: (channelId, key) => messages.findPosted(ctx, channelId, key),
    update: (channelId, ts, message) => messages.update(ctx, channelId, ts, message),
    pin: (channelId, ts) => messages.pin(ctx, channelId, ts),
    openDm: (userId) => messages.openDm(ctx, userId),
    uploadFile: (channelId, file) => uploadFile(ctx, channelId, file),
  };
}
