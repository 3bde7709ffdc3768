import type {
  CallGuard,
  CrmConnector,
  CrmError,
  CrmPage,
  CrmRejection,
  CrmStream,
  CrmSyncStore,
  CrmUsage,
  ReadFrom,
  StoredRun,
  StreamState,
} from '../../../src/app/crm/ports.ts';
import type { CrmLookups, CrmRecord } from '../../../src/domain/crm/map-record.ts';
import { DEFAULT_CRM_MAPPING } from '../../../src/domain/crm/mapping.ts';
import type { AlertMemory, SyncAlert } from '../../../src/domain/crm/sync-run.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';

/** In-memory fakes of the CRM sync's ports, for the use case's tests. */

export const DEALS: CrmStream = {
  key: 'deals',
  noun: 'deal',
  type: 'opp',
  mapping: DEFAULT_CRM_MAPPING.hubspot.deals,
};

export const deal = (
  id: string,
  modifiedMs: number,
  props: Record<string, string | null> = {},
): CrmRecord => ({
  id,
  properties: {
    dealname: `Deal ${id}`,
    createdate: '2026-10-01T09:00:00.000Z',
    amount: '1000',
    dealstage: 'appointmentscheduled',
    ...props,
  },
  createdAtMs: Date.parse('2026-10-01T09:00:00Z'),
  updatedAtMs: modifiedMs,
  company: null,
});

/** What a read is asked, and the pages (or failures) it answers in order. */
export type Step = CrmPage | CrmError | Error;

export class FakeConnector implements CrmConnector {
  readonly name = 'fakecrm';
  readonly label = 'FakeCRM';
  readonly streams: CrmStream[] = [DEALS];
  reads: Array<{ stream: string; from: ReadFrom }> = [];
  /** Scripted answers per read, in order: each read takes the next script. */
  scripts: Step[][] = [];
  lookupsError: Error | null = null;
  onLookups: () => void = () => {};
  usage: CrmUsage = { spent: 0, dailyMax: 250_000, dailyRemaining: 249_000, rateLimited: 0, waitedMs: 0 };
  guard: CallGuard | null = null;

  open(guard: CallGuard) {
    this.guard = guard;
    const self = this;
    return {
      async lookups(): Promise<CrmLookups> {
        self.onLookups();
        if (self.lookupsError) throw self.lookupsError;
        return {
          owners: new Map(),
          stages: new Map([
            ['appointmentscheduled', { label: 'Appointment Scheduled', probability: 0.2, closed: false }],
          ]),
        };
      },
      async *read(stream: CrmStream, from: ReadFrom) {
        self.reads.push({ stream: stream.key, from });
        for (const step of self.scripts.shift() ?? []) {
          self.usage.spent++;
          if (step instanceof Error) throw step;
          yield step;
        }
      },
      usage: () => ({ ...self.usage }),
    };
  }
}

export class FakeStore implements CrmSyncStore {
  running: string | null = null;
  streams = new Map<string, StreamState>();
  runs: Array<StoredRun & { alert: { channel: string; alert: SyncAlert } | null }> = [];
  rejected = new Map<string, CrmRejection[]>();
  memory: AlertMemory = { alertedKind: null, consecutiveFailures: 0 };
  alerts: Array<{ channel: string; alert: SyncAlert }> = [];
  #next = 1;

  async begin(_c: string, run: { mode: 'full' | 'incremental'; actor: string; nowMs: number }) {
    if (this.running !== null) return null;
    const runId = String(this.#next++);
    this.running = runId;
    this.runs.push({
      id: runId,
      mode: run.mode,
      actor: run.actor,
      status: 'running',
      startedAtMs: run.nowMs,
      finishedAtMs: null,
      seen: 0,
      written: 0,
      rejected: 0,
      calls: 0,
      dailyMax: null,
      dailyRemaining: null,
      rateLimited: 0,
      waitedMs: 0,
      reason: null,
      failureKind: null,
      alert: null,
    });
    return { runId, streams: [...this.streams.values()], alerts: { ...this.memory } };
  }

  async checkpoint(_c: string, runId: string, page: Parameters<CrmSyncStore['checkpoint']>[2]) {
    if (this.running !== runId) throw new Error('lost the slot');
    this.streams.set(page.state.stream, page.state);
    const list = this.rejected.get(runId) ?? [];
    for (const r of page.rejections)
      if (!list.some((x) => x.stream === r.stream && x.crmId === r.crmId)) list.push(r);
    this.rejected.set(runId, list);
  }

  async finish(_c: string, runId: string, run: Parameters<CrmSyncStore['finish']>[2]) {
    const r = this.runs.find((x) => x.id === runId)!;
    Object.assign(r, {
      status: run.status,
      finishedAtMs: run.finishedAtMs,
      seen: run.totals.seen,
      written: run.totals.written,
      rejected: this.rejected.get(runId)?.length ?? 0,
      calls: run.usage.spent,
      reason: run.reason,
      failureKind: run.failure?.kind ?? null,
      alert: run.alert,
    });
    this.memory = run.alerts;
    if (run.alert?.alert) this.alerts.push({ channel: run.alert.channel, alert: run.alert.alert });
    this.running = null;
  }

  async rejections(runId: string, limit: number) {
    const all = this.rejected.get(runId) ?? [];
    return { total: all.length, items: all.slice(0, limit) };
  }

  async status() {
    return null;
  }

  async countRecords() {
    return 0;
  }
}

export class FakeRecords {
  rows = new Map<string, FunnelRecord>();
  async upsertMany(records: readonly FunnelRecord[]) {
    for (const r of records) this.rows.set(r.id, r);
    return records.length;
  }
}
