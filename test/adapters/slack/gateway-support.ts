import type { Logger } from 'pino';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { boltLogger } from '../../../src/adapters/log/bolt-logger.ts';
import { type ChatGatewayDeps, deliveryClient } from '../../../src/adapters/slack/gateway.ts';
import { DeliveryError } from '../../../src/app/outbox/ports.ts';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.ts';

/** Shared set-up of the ChatGateway tests, all against the fake Slack. */

/**
 * Starts the fake Slack before the file's tests (handing it to `started`), resets it before each test
 * and closes it after the last.
 */
export function useFakeSlack(started: (fake: FakeSlack) => void): void {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startFakeSlack();
    started(fake);
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());
}

/** A gateway's deps on the fake Slack; the renderers default to placeholders. */
export const gatewayDepsOn = (
  fake: FakeSlack,
  o: { token: string; log: Logger } & Partial<Pick<ChatGatewayDeps, 'render' | 'topic'>>,
): ChatGatewayDeps => ({
  client: deliveryClient({ token: o.token, apiUrl: fake.apiUrl, logger: boltLogger(o.log) }),
  render: o.render ?? (() => ({ text: 'x', blocks: [] })),
  topic: o.topic ?? (() => 'x'),
  log: o.log,
});

/** The DeliveryError a failing gateway call threw. */
export async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}
