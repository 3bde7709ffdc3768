/**
 * RevOps analytics' use cases (issue 14), wired over opened Services: the report over the SQL reads, with
 * the configured stuck-deal thresholds and leak budget, periods cut in DIGEST_TIMEZONE; the views, the
 * digest and its Monday post, and the pipeline watch (stuck deals over the leak budget → the stuck-deals
 * incident). composition/use-cases.ts adds them as `uc.revops`.
 */

import { renderRevopsChart } from '../adapters/chart/revops-charts.ts';
import { revopsReads } from '../adapters/db/revops-reads.ts';
import type { Ctx } from '../app/context.ts';
import type { IncidentDeps } from '../app/incidents/deps.ts';
import type { ChatGateway } from '../app/outbox/ports.ts';
import {
  answerDigest,
  buildDigest,
  queueWeeklyDigest,
  resolveDigestWeek,
  revopsDigestDelivery,
} from '../app/revops/digest.ts';
import { withLeakIncident } from '../app/revops/leak-link.ts';
import { DEFAULT_REVOPS_OPTIONS, type RevopsOptions, revopsReport } from '../app/revops/report.ts';
import {
  answerRevops,
  buildRevopsView,
  type RevopsQuery,
  type RevopsViewDeps,
  revopsThisWeek,
} from '../app/revops/view.ts';
import { type PipelineWatchDeps, watchPipeline } from '../app/revops/watch.ts';
import type { Config } from '../config/config.ts';
import type { Services } from './services.ts';

/** The report options from configuration: REVOPS_STUCK_* and REVOPS_LEAK_BUDGET_USD over the defaults. */
export const revopsOptions = (config: Config): RevopsOptions => ({
  ...DEFAULT_REVOPS_OPTIONS,
  stuck: { ...DEFAULT_REVOPS_OPTIONS.stuck, ...config.revops.stuck },
  leakBudgetCents: config.revops.leakBudgetCents,
});

export function revopsUseCases(services: Services, config: Config, incident: IncidentDeps) {
  const reads = revopsReads(services.db);
  const { digest } = config.revops;
  const opts = revopsOptions(config);
  const deps: RevopsViewDeps = {
    // A leak insight names the pipeline incident it feeds (leak-link.ts).
    report: async (f) =>
      withLeakIncident(await revopsReport(reads, f, opts), () => incident.store.listOpen()),
    clock: services.clock,
    timezone: digest.timezone,
  };
  const answerDeps = (upload: ChatGateway['uploadFile'] | undefined) => ({
    ...deps,
    chart: renderRevopsChart,
    upload,
  });
  const watch: PipelineWatchDeps = {
    reads,
    incident,
    settings: { stuck: opts.stuck, leakBudgetCents: opts.leakBudgetCents, budget: config.budget },
  };
  return {
    deps,
    view: (q: RevopsQuery) => buildRevopsView(deps, q),
    digest: (week: string | null) =>
      buildDigest(deps, resolveDigestWeek(week, services.clock.now(), digest.timezone)),
    thisWeek: () => revopsThisWeek(deps),
    /** `/revops <view>` and the insight buttons: charts uploaded with `upload` into the asking channel. */
    answer: (
      ctx: Ctx,
      q: Parameters<typeof answerRevops>[2],
      upload: ChatGateway['uploadFile'] | undefined,
    ) => answerRevops(answerDeps(upload), ctx, q),
    answerDigest: (
      ctx: Ctx,
      q: { week: string | null; channelId: string | null },
      upload: ChatGateway['uploadFile'] | undefined,
    ) => answerDigest(answerDeps(upload), ctx, q),
    /** The Monday post: once per week and channel (outbox key), whichever replica fires first. */
    queueWeeklyDigest: (ctx: Ctx, channel: string) =>
      queueWeeklyDigest(
        { outbox: services.repos.reportOutbox, clock: services.clock, timezone: digest.timezone },
        ctx,
        channel,
      ),
    delivery: revopsDigestDelivery(deps, renderRevopsChart),
    /** Stuck deals as of now against the leak budget: the stuck-deals incident (the daily job, the CLI). */
    watch: (ctx: Ctx) => watchPipeline(watch, ctx),
  };
}
