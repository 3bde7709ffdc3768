import { afterEach, describe, expect, it } from 'vitest';
import { REVOPS_ACTIONS, revopsShowValue } from '../../../src/adapters/slack/blocks/ids.ts';
import type { RevopsSlackUseCases } from '../../../src/adapters/slack/listeners/revops.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { type SlackReceiver, startSlackReceiver } from '../../support/revops-fixtures.ts';
import { buildRevopsReport, REVOPS_FROM, REVOPS_TO } from '../../support/revops-report.ts';

/**
 * `/revops` and the insight buttons through the real receiver with stand-in use cases: usage answered in
 * the acknowledgement, work acknowledged first and answered on the response_url, a button reopening its
 * view over the exact period of the report it came from.
 */
const SECRET = 'revops-command-secret';
let receiver: SlackReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

const unused = async (): Promise<never> => {
  throw new Error('not used by this test');
};
const PERIOD = {
  fromMs: REVOPS_FROM,
  toMs: REVOPS_TO,
  label: 'last 30 days (31 Oct – 30 Nov 2026)',
  partial: false,
};

async function boot(revops: RevopsSlackUseCases | undefined) {
  receiver = await startSlackReceiver(SECRET, revops ? { revops } : {});
  const { post, fake: f } = receiver;
  const slash = async (text: string, responseId: string) => {
    const r = await post(
      new URLSearchParams({
        team_id: 'T9',
        user_id: 'U9',
        channel_id: 'C0ASK',
        command: '/revops',
        text,
        response_url: f.responseUrl(responseId),
      }).toString(),
    );
    return { ...r, ack: JSON.parse(r.body) as Record<string, unknown> };
  };
  const click = (actionId: string, value: string, responseId: string) =>
    post(
      new URLSearchParams({
        payload: JSON.stringify({
          type: 'block_actions',
          team: { id: 'T9' },
          user: { id: 'U9', team_id: 'T9' },
          channel: { id: 'C0ASK' },
          container: { type: 'message', message_ts: '1.2', channel_id: 'C0ASK', is_ephemeral: true },
          response_url: f.responseUrl(responseId),
          actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }],
        }),
      }).toString(),
    );
  return { slash, click, fake: f };
}

const views = (calls: unknown[]): RevopsSlackUseCases => ({
  async view(_ctx, q) {
    calls.push(q);
    return {
      view: q.view,
      period: PERIOD,
      report: buildRevopsReport(),
      chart: { kind: 'uploaded', count: 1 },
    };
  },
  digest: unused,
  thisWeek: async () => null,
});

describe('/revops', () => {
  it('acknowledges a view at once, then answers it on the response_url with the chart note', async () => {
    const calls: unknown[] = [];
    const { slash, fake } = await boot(views(calls));
    const res = await slash('pipeline last 90d segment ENT owner Dana Whitfield', 'p');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3_000);
    expect(res.ack).toMatchObject({
      response_type: 'ephemeral',
      text: ':bar_chart: Building the pipeline view…',
    });
    const posted = await fake.waitFor((c) => c.kind === 'response' && c.name === 'p');
    expect(posted.body['response_type']).toBe('ephemeral');
    expect(String(posted.body['text'])).toMatch(/^Pipeline, last 30 days/);
    expect(JSON.stringify(posted.body['blocks'])).toContain('The chart is shared in this channel.');
    expect(calls).toEqual([
      {
        view: 'pipeline',
        period: { kind: 'days', days: 90 },
        segment: 'ENT',
        owner: 'Dana Whitfield',
        channel: undefined,
        channelId: 'C0ASK',
      },
    ]);
  });

  it('usage and mistakes are answered in the acknowledgement, before any work', async () => {
    const { slash } = await boot(views([]));
    expect(String((await slash('', 'u')).ack['text'])).toContain('/revops pipeline [period] [filters]');
    const bad = await slash('pipeline segment XL', 'x');
    expect(bad.ack['response_type']).toBe('ephemeral');
    expect(String(bad.ack['text'])).toContain('`XL` is not a segment: use SMB, MM, ENT.');
  });

  it('without RevOps analytics, says so in the acknowledgement', async () => {
    const { slash } = await boot(undefined);
    expect(String((await slash('insights', 'n')).ack['text'])).toContain(
      'RevOps analytics are not available',
    );
  });

  it('an AppError from the use case is shown as a readable message', async () => {
    const { slash, fake } = await boot({
      view: async () => {
        throw new AppError('VALIDATION', 'last quarter has not started yet');
      },
      digest: unused,
      thisWeek: async () => null,
    });
    await slash('pipeline last quarter', 'e');
    const posted = await fake.waitFor((c) => c.kind === 'response' && c.name === 'e');
    expect(posted.body['text']).toContain('last quarter has not started yet');
  });
});

describe('an insight button', () => {
  it('opens its view over the exact period and slices of its report, for the clicker, without a chart', async () => {
    const calls: unknown[] = [];
    const { click, fake } = await boot(views(calls));
    const filter = { fromMs: REVOPS_FROM, toMs: REVOPS_TO, segment: 'SMB' as const, channel: 'Paid Search' };
    const res = await click(`${REVOPS_ACTIONS.show}#2`, revopsShowValue('marketing', filter)!, 'b');
    expect(res.status).toBe(200);
    const posted = await fake.waitFor((c) => c.kind === 'response' && c.name === 'b');
    expect(posted.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(posted.body['text'])).toMatch(/^Marketing, /);
    expect(JSON.stringify(posted.body['blocks'])).not.toContain('shared in this channel');
    expect(calls).toEqual([
      {
        view: 'marketing',
        period: { kind: 'exact', fromMs: REVOPS_FROM, toMs: REVOPS_TO },
        segment: 'SMB',
        owner: undefined,
        channel: 'Paid Search',
        channelId: null,
      },
    ]);
  });

  it('a forged value gets a notice, and no use case runs', async () => {
    const calls: unknown[] = [];
    const { click, fake } = await boot(views(calls));
    await click(REVOPS_ACTIONS.show, '{"v":"pipeline","f":5,"t":1}', 'f');
    const posted = await fake.waitFor((c) => c.kind === 'response' && c.name === 'f');
    expect(String(posted.body['text'])).toContain('That button is not one this bot made');
    expect(calls).toEqual([]);
  });
});
