import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createChatGateway } from '../../../src/adapters/slack/gateway.ts';
import type { ChatGateway } from '../../../src/app/outbox/ports.ts';
import type { FakeSlack } from '../../support/fake-slack.ts';
import { failure, gatewayDepsOn, useFakeSlack } from './gateway-support.ts';

/** ChatGateway.uploadFile against the fake Slack: the external upload in three steps, and its failures. */
const log = pino({ level: 'silent' });
let fake: FakeSlack;
let gateway: ChatGateway;
useFakeSlack((f) => {
  fake = f;
  gateway = createChatGateway(gatewayDepsOn(fake, { token: 'xoxb-upload-test', log }));
});

const FILE = {
  filename: 'chart.png',
  title: 'SLA attainment 2026-W47',
  bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255]),
  initialComment: 'Daily SLA attainment',
};

describe('uploadFile', () => {
  it('asks for an upload URL, POSTs the bytes there, and completes the upload into the channel', async () => {
    const { fileId } = await gateway.uploadFile!('C0001', FILE);
    expect(fileId).toMatch(/^F/);
    const [file] = fake.files();
    expect(file).toMatchObject({
      id: fileId,
      filename: 'chart.png',
      length: 9,
      title: 'SLA attainment 2026-W47',
      channel: 'C0001',
      initialComment: 'Daily SLA attainment',
    });
    expect([...file!.bytes!]).toEqual([...FILE.bytes]);
    const url = fake.calls.find((c) => c.name === 'files.getUploadURLExternal')!;
    expect(url.body).toMatchObject({ filename: 'chart.png', length: '9' });
    expect(url.headers.authorization).toBe('Bearer xoxb-upload-test');
    // The bytes go to the upload URL, not to the Web API: no token there.
    const upload = fake.calls.find((c) => c.kind === 'upload')!;
    expect(upload.headers.authorization).toBeUndefined();
  });

  it('a refused request is permanent; a rate limit carries its Retry-After', async () => {
    fake.failNext('files.getUploadURLExternal', { error: 'invalid_arguments' });
    const bad = await failure(gateway.uploadFile!('C0001', FILE));
    expect([bad.code, bad.permanent]).toEqual(['invalid_arguments', true]);
    fake.failNext('files.completeUploadExternal', { status: 429, retryAfter: 7 });
    const limited = await failure(gateway.uploadFile!('C0001', FILE));
    expect([limited.code, limited.retryAfterMs, limited.permanent]).toEqual(['rate_limited', 7000, false]);
  });

  it('an upload URL that refuses the bytes is a transient failure (a retry asks for a new URL)', async () => {
    fake.reply('files.getUploadURLExternal', {
      ok: true,
      upload_url: `${fake.baseUrl}/upload/FGONE`,
      file_id: 'FGONE',
    });
    const err = await failure(gateway.uploadFile!('C0001', FILE));
    expect([err.code, err.permanent]).toEqual(['http_404', false]);
    expect(fake.calls.some((c) => c.name === 'files.completeUploadExternal')).toBe(false);
  });
});
