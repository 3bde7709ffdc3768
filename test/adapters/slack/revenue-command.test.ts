import { afterEach, describe, expect, it } from 'vitest';
import type { SlackUseCases } from '../../../src/adapters/slack/listeners/use-cases.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { type SlackReceiver, startSlackReceiver } from '../../support/revops-fixtures.ts';
import { revenueView } from './commerce-fixtures.ts';

/** `/leak revenue` through the real receiver: acknowledged first, answered on the response_url. */
const SECRET = 'revenue-command-secret';
let receiver: SlackReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

const unused = async (): Promise<never> => {
  throw new Error('not used by this test');
};

async function boot(revenue: SlackUseCases['revenue']) {
  const r = await startSlackReceiver(SECRET, revenue ? { revenue } : {});
  receiver = r;
  const slash = async (text: string, responseId: string) => {
    const body = new URLSearchParams({
      team_id: 'T9',
      user_id: 'U9',
      channel_id: 'C0ASK',
      command: '/leak',
      text,
      response_url: r.fake.responseUrl(responseId),
    }).toString();
    const res = await r.post(body);
    return { status: res.status, ack: JSON.parse(res.body) as Record<string, unknown> };
  };
  return { slash, fake: r.fake };
}

describe('/leak revenue', () => {
  it('acks with "building…", then answers the view and the chart note, ephemerally', async () => {
    const seen: unknown[] = [];
    const { slash, fake } = await boot(async (ctx, q) => {
      seen.push(ctx.actor, q);
      return { view: revenueView(), chart: { kind: 'uploaded', fileId: 'F1' } };
    });
    const res = await slash('revenue 2025-06-02', 'rev');
    expect(res.status).toBe(200);
    expect(res.ack).toMatchObject({
      response_type: 'ephemeral',
      text: ':bar_chart: Building the revenue view…',
    });
    const posted = await fake.waitFor((c) => c.kind === 'response' && c.name === 'rev');
    expect(posted.body['response_type']).toBe('ephemeral');
    expect(posted.body['text']).toContain('Revenue 2025-06-02: $120.00');
    expect(JSON.stringify(posted.body['blocks'])).toContain(
      'The 7-day revenue chart is shared in this channel',
    );
    expect(seen).toEqual([
      { type: 'slack', teamId: 'T9', userId: 'U9' },
      { day: '2025-06-02', channelId: 'C0ASK' },
    ]);
  });

  it('without the revenue watch, says it is not configured in the ack itself', async () => {
    const { slash } = await boot(undefined);
    const res = await slash('revenue', 'none');
    expect(res.ack['response_type']).toBe('ephemeral');
    expect(res.ack['text']).toContain('The revenue watch is not configured here');
  });

  it('a bad day is refused before any work', async () => {
    const { slash } = await boot(unused);
    const res = await slash('revenue 2025-02-30', 'bad');
    expect(res.ack['text']).toContain('`2025-02-30` is not a date');
  });

  it('an AppError from the use case is shown as a readable message', async () => {
    const { slash, fake } = await boot(async () => {
      throw new AppError('VALIDATION', '2099-01-01 has not started yet');
    });
    await slash('revenue 2099-01-01', 'future');
    const posted = await fake.waitFor((c) => c.name === 'future');
    expect(posted.body['text']).toContain('2099-01-01 has not started yet');
  });
});
