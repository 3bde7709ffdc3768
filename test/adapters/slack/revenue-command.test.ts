import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../../src/adapters/http/server.ts';
import { boltLogger } from '../../../src/adapters/log/bolt-logger.ts';
import { createSlackApp, type SlackApp } from '../../../src/adapters/slack/app.ts';
import type { SlackUseCases } from '../../../src/adapters/slack/listeners/use-cases.ts';
import { signatureFor } from '../../../src/adapters/slack/signature.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.ts';
import { revenueView } from './commerce-fixtures.ts';

/** `/leak revenue` through the real receiver: acknowledged first, answered on the response_url. */
const SECRET = 'revenue-command-secret';
let fake: FakeSlack | undefined;
let app: SlackApp | undefined;
let server: HttpServer | undefined;
afterEach(async () => {
  const slack = app;
  await server?.stop(async () => slack?.stop());
  await app?.stop();
  await fake?.close();
  server = undefined;
  app = undefined;
  fake = undefined;
});

const unused = async (): Promise<never> => {
  throw new Error('not used by this test');
};

async function boot(revenue: SlackUseCases['revenue']) {
  fake = await startFakeSlack();
  const log = pino({ level: 'silent' });
  app = createSlackApp({
    slack: {
      botToken: 'xoxb-t',
      signingSecret: SECRET,
      appToken: undefined,
      apiUrl: fake.apiUrl,
      socketMode: false,
    },
    log,
    slackLog: boltLogger(log),
    useCases: {
      scan: unused,
      acknowledge: unused,
      resolve: unused,
      note: unused,
      timeline: unused,
      status: unused,
      previewFix: unused,
      approveFix: unused,
      rejectFix: unused,
      rollBackFix: unused,
      ...(revenue ? { revenue } : {}),
    },
    thresholds: DEFAULT_THRESHOLDS,
    retryConfig: { retries: 0 },
  });
  server = createHttpServer({ port: 0, log, routes: [app.handler] });
  const { port } = await server.start();
  await app.start();
  const f = fake;
  const slash = async (text: string, responseId: string) => {
    const body = new URLSearchParams({
      team_id: 'T9',
      user_id: 'U9',
      channel_id: 'C0ASK',
      command: '/leak',
      text,
      response_url: f.responseUrl(responseId),
    }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': signatureFor(SECRET, ts, body),
      },
      body,
    });
    return { status: res.status, ack: (await res.json()) as Record<string, unknown> };
  };
  return { slash, fake: f };
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
