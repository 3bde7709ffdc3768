import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackUseCases } from '../../../src/adapters/slack/listeners/use-cases.ts';
import type { IncidentScanOutcome } from '../../../src/app/incidents/revenue-scan.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { summarize } from '../../../src/domain/scan/summarize.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { buildRecord, T0 } from '../../support/builders.ts';
import { type SlackReceiver, startSlackReceiver } from '../../support/revops-fixtures.ts';

/**
 * The Slack adapter alone, with use cases faked: what the user sees when a scan is slow or fails, and how
 * shutdown treats work still running. (test/e2e covers the happy path through the real composition root.)
 */
const SECRET = 'adapter-test-secret';
let receiver: SlackReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

async function boot(scan: SlackUseCases['scan']) {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  // Mounted as main.ts mounts it: the Slack receiver is one route of the process's HTTP server.
  const r = await startSlackReceiver(SECRET, { scan }, log);
  receiver = r;
  const slash = async (text: string, responseId: string) => {
    const body = new URLSearchParams({
      team_id: 'T9',
      user_id: 'U9',
      command: '/leak',
      text,
      response_url: r.fake.responseUrl(responseId),
    }).toString();
    const res = await r.post(body);
    return { status: res.status, elapsedMs: res.ms };
  };
  return { slash, lines, fake: r.fake, app: r.app };
}

const outcome = (): IncidentScanOutcome => ({
  scanId: 's1',
  summary: summarize([buildRecord({ owner: '' })], T0, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY),
  delta: { newIssues: 1, stillOpen: 0, reopened: 0, cleared: 0, reconciled: true },
  elapsedMs: 1,
  incident: { action: 'none', incident: null },
});

describe('createSlackApp /leak scan', () => {
  it('acks at once even when the scan takes longer than Slack waits, then answers on the response_url', async () => {
    const { slash, fake } = await boot(async () => {
      await new Promise((r) => setTimeout(r, 3_500));
      return outcome();
    });
    const res = await slash('scan', 'slow');
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(1_000);
    const posted = await fake.waitFor((c) => c.kind === 'response' && c.name === 'slow', 6_000);
    expect(posted.body['text']).toContain('$10,000 at risk');
  });

  it('passes the Slack actor, a request id and a request logger to the use case', async () => {
    let seen: Parameters<SlackUseCases['scan']> | undefined;
    const { slash, fake } = await boot(async (...args) => {
      seen = args;
      return outcome();
    });
    await slash('scan as-of 2025-03-01T09:00:00Z', 'ctx');
    await fake.waitFor((c) => c.name === 'ctx');
    expect(seen![0].actor).toEqual({ type: 'slack', teamId: 'T9', userId: 'U9' });
    expect(seen![0].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen![1]).toEqual({ asOfMs: Date.parse('2025-03-01T09:00:00Z') });
  });

  it('shows an AppError as a readable message', async () => {
    const { slash, fake } = await boot(async () => {
      throw new AppError('PRECONDITION_FAILED', 'no records imported yet; run `leak import` first');
    });
    await slash('scan', 'refused');
    const posted = await fake.waitFor((c) => c.name === 'refused');
    expect(posted.body).toMatchObject({
      response_type: 'ephemeral',
      text: 'That cannot be done yet: no records imported yet; run `leak import` first',
    });
  });

  it('shows an unexpected failure only as a reference id, which the log line carries too', async () => {
    const { slash, lines, fake } = await boot(async () => {
      throw new Error('relation "records" does not exist');
    });
    await slash('scan', 'boom');
    const posted = await fake.waitFor((c) => c.name === 'boom');
    const text = String(posted.body['text']);
    const ref = text.match(/^Something went wrong \(ref ([A-Za-z0-9_-]+)\)/)?.[1];
    expect(ref).toBeDefined();
    expect(text).not.toContain('relation');
    const logged = lines.find((l) => l['msg'] === 'unexpected error');
    expect(logged).toMatchObject({ ref, team_id: 'T9', user_id: 'U9', request_id: expect.any(String) });
  });

  it('stop() waits for a scan still answering before it returns', async () => {
    let finished = false;
    const { slash, fake, app } = await boot(async () => {
      await new Promise((r) => setTimeout(r, 500));
      finished = true;
      return outcome();
    });
    await slash('scan', 'drain');
    await app.stop();
    expect(finished).toBe(true);
    expect(fake.calls.some((c) => c.name === 'drain')).toBe(true);
  });
});
