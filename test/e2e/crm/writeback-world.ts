import type { Ctx } from '../../../src/app/context.ts';
import { type DeliveryDeps, deliverDue } from '../../../src/app/delivery/handlers.ts';
import { approveFix } from '../../../src/app/fixes/approve.ts';
import { planFor, previewFix } from '../../../src/app/fixes/preview.ts';
import { rollBackFix } from '../../../src/app/fixes/rollback.ts';
import { openServices, type Services } from '../../../src/composition/services.ts';
import { composeUseCases, type UseCases } from '../../../src/composition/use-cases.ts';
import { loadConfig } from '../../../src/config/config.ts';
import type { FixPack } from '../../../src/domain/fixpacks/dsl.ts';
import { parseFixPack } from '../../../src/domain/fixpacks/parse.ts';
import type { FixRun } from '../../../src/domain/fixpacks/run.ts';
import type { IssueType } from '../../../src/domain/rules/catalog.ts';
import { FakeChat } from '../../support/fake-chat.ts';

/**
 * The fix use cases wired as the server wires them (composition/use-cases.ts), in this process, over the
 * database in `env` and the (fake) HubSpot it names: sync, scan, preview, approve, roll back, and the
 * outbox drained as the delivery worker would, with an in-memory Slack. Used by the write-back e2e suite,
 * the crash test's child and the write-back bench.
 */

const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as never;

export interface WritebackWorld {
  services: Services;
  uc: UseCases;
  chat: FakeChat;
  delivery: DeliveryDeps;
  ctx: Ctx;
  sync(): Promise<void>;
  scan(): Promise<void>;
  preview(type: IssueType): Promise<FixRun>;
  /** A pack of one's own (JSON, as `leak fix preview --pack` takes it) planned and stored as a preview. */
  previewPack(type: IssueType, pack: unknown): Promise<FixRun>;
  approve(runId: string): Promise<{ outcome: string; run: FixRun }>;
  rollBack(runId: string): Promise<{ outcome: string; run: FixRun }>;
  /** Delivers every due job (write batches, the revert, the preview messages). */
  drain(): Promise<void>;
  run(runId: string): Promise<FixRun>;
  close(): Promise<void>;
}

export async function openWritebackWorld(env: Record<string, string>): Promise<WritebackWorld> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env }, { storedPiiKey: true });
  const services = await openServices(config, quiet);
  const uc = composeUseCases(services, config);
  const chat = new FakeChat();
  const delivery: DeliveryDeps = {
    ...uc.delivery(chat, quiet),
    retry: { backoffMs: () => 0, delayMs: () => 0 },
  };
  const ctx: Ctx = { actor: { type: 'cli', user: 'writeback' }, requestId: 'writeback', log: quiet };
  return {
    services,
    uc,
    chat,
    delivery,
    ctx,
    async sync() {
      const o = await uc.crm!.sync(ctx, { full: false });
      if (o.status === 'busy') throw new Error('a sync is already running');
    },
    async scan() {
      await uc.scan(ctx);
    },
    preview: (type) => previewFix(uc.fix, ctx, { kind: 'bulk', issueType: type }),
    async previewPack(type, json) {
      const parsed = parseFixPack(json);
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const pack: FixPack = parsed.pack;
      const planned = await planFor(
        uc.fix,
        { kind: 'bulk', issueType: type },
        { reserveRoundRobin: true, pack },
      );
      const now = services.clock.now();
      return uc.fix.fixes.transaction((tx) =>
        tx.insertRun({
          incidentId: null,
          pack,
          plan: planned.plan,
          snapshot: planned.snapshot,
          requestedBy: 'cli:writeback',
          createdAtMs: now,
          expiresAtMs: now + uc.fix.approval.ttlMs,
        }),
      );
    },
    approve: (runId) => approveFix(uc.fix, ctx, runId),
    rollBack: (runId) => rollBackFix(uc.fix, ctx, runId),
    async drain() {
      for (let i = 0; i < 200; i++) if ((await deliverDue(delivery)) === 0) return;
      throw new Error('the outbox did not drain');
    },
    async run(runId) {
      const run = await services.repos.fixes.get(runId);
      if (run === null) throw new Error(`no fix run ${runId}`);
      return run;
    },
    close: () => services.close(),
  };
}
