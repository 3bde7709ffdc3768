import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { reportOutbox } from '../../../src/adapters/db/report-repository.ts';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import type { Ctx } from '../../../src/app/context.ts';
import { type DeliveryDeps, deliverDue } from '../../../src/app/delivery/handlers.ts';
import { DeliveryError, type UploadFile } from '../../../src/app/outbox/ports.ts';
import {
  digestJobKey,
  queueWeeklyDigest,
  resolveDigestWeek,
  revopsDigestDelivery,
} from '../../../src/app/revops/digest.ts';
import { DEFAULT_INCIDENT_POLICY } from '../../../src/domain/incidents/incident.ts';
import type { RevopsFilter } from '../../../src/domain/revops/types.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { backends, silentLog } from '../../support/db.ts';
import { FakeChat, topicOf } from '../../support/fake-chat.ts';
import { buildRevopsReport, emptyRevopsReport } from '../../support/revops-report.ts';

/**
 * The weekly RevOps digest: the week just ended in DIGEST_TIMEZONE, queued once per week and channel
 * whoever fires it (the outbox's natural key on the real jobs table), posted once with its three charts,
 * a failed chart upload retried without posting the message again.
 */

const ctx: Ctx = { actor: { type: 'system', job: 'revops-digest' }, requestId: 'r', log: silentLog };

/** A chat that also takes file uploads (FakeChat does not), with scripted outcomes (null: succeeds). */
class UploadingChat extends FakeChat {
  readonly files: { channel: string; file: UploadFile }[] = [];
  #failures: (DeliveryError | null)[] = [];
  scriptUploads(...outcomes: (DeliveryError | null)[]): void {
    this.#failures.push(...outcomes);
  }
  async uploadFile(channel: string, file: UploadFile) {
    const f = this.#failures.shift();
    if (f) throw f;
    this.files.push({ channel, file });
    return { fileId: `F${this.files.length}` };
  }
}

describe('the digest week (pure)', () => {
  it.each([
    // Monday 09:00 in New York is 14:00 UTC: the week that ended at local midnight, 05:00 UTC.
    [
      'America/New_York',
      '2026-11-30T14:00:00Z',
      '2026-W48',
      '2026-11-23T05:00:00.000Z',
      '2026-11-30T05:00:00.000Z',
    ],
    // Monday 09:00 in Tokyo is Monday 00:00 UTC: the local week began Sunday 15:00 UTC.
    [
      'Asia/Tokyo',
      '2026-11-30T00:00:00Z',
      '2026-W48',
      '2026-11-22T15:00:00.000Z',
      '2026-11-29T15:00:00.000Z',
    ],
    // Sunday 23:30 in Berlin: that week is not over, the one before is the last complete week.
    [
      'Europe/Berlin',
      '2026-11-29T22:30:00Z',
      '2026-W47',
      '2026-11-15T23:00:00.000Z',
      '2026-11-22T23:00:00.000Z',
    ],
    // The week the clocks went back (25 Oct 2026 in Berlin) is 169 hours long.
    [
      'Europe/Berlin',
      '2026-10-26T08:00:00Z',
      '2026-W43',
      '2026-10-18T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
    ],
    ['UTC', '2026-01-05T09:00:00Z', '2026-W01', '2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
  ])('%s at %s: %s', (tz, now, label, from, to) => {
    const w = resolveDigestWeek(null, Date.parse(now), tz);
    expect([w.label, new Date(w.fromMs).toISOString(), new Date(w.toMs).toISOString()]).toEqual([
      label,
      from,
      to,
    ]);
  });

  it('takes a week or its Monday, and says what is wrong with anything else', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(resolveDigestWeek('2026-W48', now, 'UTC')).toMatchObject({
      monday: '2026-11-23',
      span: '23 – 29 Nov 2026',
    });
    expect(resolveDigestWeek('2026-11-23', now, 'UTC').label).toBe('2026-W48');
    expect(resolveDigestWeek('2026-W49', now, 'UTC').label).toBe('2026-W49'); // in progress: read so far
    const refused = (text: string) => {
      try {
        resolveDigestWeek(text, now, 'UTC');
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        return (e as AppError).message;
      }
      throw new Error(`${text} was accepted`);
    };
    expect(refused('2026-11-25')).toBe(
      "2026-11-25 is not a Monday: give the week's Monday (2026-11-23) or its ISO week (2026-W48)",
    );
    expect(refused('2026-W50')).toBe('2026-W50 has not started yet (this week is 2026-W49)');
    expect(refused('last week')).toMatch(/neither an ISO week nor a Monday/);
    expect(refused('2026-W54')).toMatch(/neither an ISO week nor a Monday/);
  });
});

describe.each(backends)('the Monday digest on $name', (backend) => {
  let shared: { db: Db; dispose(): Promise<void> };
  let now = Date.parse('2026-11-30T14:00:00Z');
  let asked: RevopsFilter[];
  let empty: boolean;
  let chat: UploadingChat;
  let delivery: DeliveryDeps;
  const clock = { now: () => now };
  const TZ = 'America/New_York';

  beforeAll(async () => {
    shared = await backend.open();
  });
  afterAll(async () => shared.dispose());
  beforeEach(async () => {
    await shared.db.exec('DELETE FROM jobs');
    now = Date.parse('2026-11-30T14:00:00Z');
    asked = [];
    empty = false;
    chat = new UploadingChat();
    const repos = makeRepositories(shared.db);
    const deps = {
      report: async (f: RevopsFilter) => {
        asked.push(f);
        return empty ? emptyRevopsReport(f) : buildRevopsReport({ filter: f });
      },
      clock,
      timezone: TZ,
    };
    delivery = {
      store: repos.incidents,
      fixes: repos.fixes,
      jobs: repos.jobs,
      chat,
      targets: {
        onCallGroup: null,
        secondaryGroup: null,
        commander: null,
        responders: [],
        alertsChannel: null,
      },
      policy: DEFAULT_INCIDENT_POLICY,
      topicOf,
      log: silentLog,
      retry: { backoffMs: () => 0, delayMs: () => 0 },
      // Tiny stand-in PNGs: the charts themselves are tested in test/adapters/chart.
      revopsDigests: revopsDigestDelivery(deps, (kind) => new TextEncoder().encode(kind)),
    };
  });

  const queue = () =>
    queueWeeklyDigest({ outbox: reportOutbox(shared.db), clock, timezone: TZ }, ctx, 'CREVOPS');
  const drain = async () => {
    for (let i = 0; i < 10; i++) if ((await deliverDue(delivery)) === 0) return;
  };
  const states = async () =>
    shared.db.query<{ key: string; state: string; progress: Record<string, unknown> }>(
      'SELECT key, state, progress FROM jobs ORDER BY id',
    );

  it('fired twice, by two replicas and again later that day, queues one job and posts once', async () => {
    expect(await queue()).toEqual({ week: '2026-W48', enqueued: true });
    expect(await queue()).toEqual({ week: '2026-W48', enqueued: false });
    now += 6 * 3_600_000; // a restart re-fires the missed slot in the afternoon
    expect(await queue()).toEqual({ week: '2026-W48', enqueued: false });
    await drain();
    await queue(); // after delivery too: the key stays taken
    await drain();

    const jobs = await states();
    expect(jobs.map((j) => [j.key, j.state])).toEqual([[digestJobKey('2026-W48', 'CREVOPS'), 'done']]);
    expect(chat.in('CREVOPS')).toHaveLength(1);
    const m = chat.in('CREVOPS')[0]!.message;
    expect(m).toMatchObject({
      kind: 'revops_digest',
      week: '2026-W48',
      span: '23 – 29 Nov 2026',
      timezone: TZ,
    });
    // The report of the local week, Monday 00:00 to Monday 00:00 in New York.
    expect(asked.at(-1)).toEqual({
      fromMs: Date.parse('2026-11-23T05:00:00Z'),
      toMs: Date.parse('2026-11-30T05:00:00Z'),
    });
    expect(chat.files.map((f) => [f.channel, f.file.filename])).toEqual([
      ['CREVOPS', 'revops-pipeline-2026-11-23-2026-11-29.png'],
      ['CREVOPS', 'revops-mrr-2026-11-23-2026-11-29.png'],
      ['CREVOPS', 'revops-channels-2026-11-23-2026-11-29.png'],
    ]);
    expect(chat.files[0]!.file.title).toBe('Pipeline by stage, week 2026-W48 (23 – 29 Nov 2026)');
  });

  it('a chart upload that fails is retried; the message and the charts already shared are not repeated', async () => {
    await queue();
    chat.scriptUploads(new DeliveryError('http_503'));
    // The first upload fails: the message is posted, no chart yet.
    await deliverDue(delivery);
    expect(chat.in('CREVOPS')).toHaveLength(1);
    expect(chat.files).toHaveLength(0);
    // Pipeline shared, then MRR fails: the retry shares MRR and channels only.
    chat.scriptUploads(null, new DeliveryError('http_503'));
    await deliverDue(delivery);
    expect(chat.files.map((f) => f.file.filename)).toEqual(['revops-pipeline-2026-11-23-2026-11-29.png']);
    await drain();
    expect(chat.in('CREVOPS')).toHaveLength(1);
    expect(chat.files.map((f) => f.file.filename.split('-')[1])).toEqual(['pipeline', 'mrr', 'channels']);
    const [job] = await states();
    expect(job).toMatchObject({
      state: 'done',
      progress: { file_pipeline: 'F1', file_mrr: 'F2', file_channels: 'F3' },
    });
  });

  it('a lost response to the post is found again by its key, not posted twice', async () => {
    await queue();
    chat.failNext('post', 'lost_response');
    await drain();
    expect(chat.in('CREVOPS')).toHaveLength(1);
    expect(chat.files).toHaveLength(3);
  });

  it('a week without any RevOps data posts nothing', async () => {
    empty = true;
    await queue();
    await drain();
    expect(chat.messages).toEqual([]);
    expect(chat.files).toEqual([]);
    expect((await states()).map((j) => j.state)).toEqual(['done']);
  });
});
