import { beforeEach, describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY, type RetryPolicy } from '../../../src/app/outbox/deliver.ts';
import { DeliveryError } from '../../../src/app/outbox/ports.ts';
import { backends, silentLog } from '../../support/db.ts';
import { declareBurning, drain, expectDeliveredOnce, posted } from '../incidents/delivery-support.ts';
import { useIncidentWorld, type World } from '../incidents/setup.ts';

describe('backoffMs', () => {
  it('doubles from 2 s and stops at 5 minutes', () => {
    expect([0, 1, 2, 3, 8, 9, 30].map(backoffMs)).toEqual([
      2_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('is the default policy, which asks the queue for the wanted delay as it is', () => {
    expect(DEFAULT_RETRY.backoffMs(3)).toBe(8_000);
    expect(DEFAULT_RETRY.delayMs(30_000)).toBe(30_000);
  });
});

/** Seconds until each pending job is due, by the database's clock (the one claim() compares with). */
const waits = (w: World) =>
  w.db.query<{ key: string; wait: number }>(
    `SELECT key, extract(epoch FROM run_after - now())::float8 AS wait FROM jobs WHERE state = 'pending'`,
  );

describe.each(backends)('the injected retry policy on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  it('spaces a failure without Retry-After by the injected backoff', async () => {
    await declareBurning(w);
    const seen: number[] = [];
    const retry: RetryPolicy = {
      backoffMs: (attempts) => {
        seen.push(attempts);
        return 600_000;
      },
      delayMs: (ms) => ms,
    };
    w.chat.failNext('post', new DeliveryError('internal_error'));
    await drain(w, { ...w.delivery, retry });

    expect(seen).toEqual([1]);
    const pending = await waits(w);
    expect(pending).toHaveLength(1);
    expect(Number(pending[0]!.wait)).toBeGreaterThan(590);
  });

  it('with a zero delay, retries at once: a Retry-After needs no waiting and no test-side rewrite', async () => {
    const i = await declareBurning(w);
    const retry: RetryPolicy = { ...DEFAULT_RETRY, delayMs: () => 0 };
    const warned: object[] = [];
    const log = { ...silentLog, warn: (o: object) => void warned.push(o) };
    w.chat.failNext('post', new DeliveryError('rate_limited', { retryAfterMs: 30_000 }));
    await drain(w, { ...w.delivery, retry, log });

    expect(posted(w, 'war_room')).toHaveLength(1);
    await expectDeliveredOnce(w, i.id);
    // The log still shows what Slack asked for, and beside it what the test policy queued instead.
    expect(warned).toContainEqual(
      expect.objectContaining({ code: 'rate_limited', retry_in_ms: 30_000, queued_in_ms: 0 }),
    );
  });
});
