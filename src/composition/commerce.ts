/**
 * The commerce revenue watch's use cases (issue 12), wired over opened Services: webhook intake and parsing,
 * replay, the scheduled watch, the revenue view. composition/use-cases.ts adds them as `uc.commerce`.
 */

import type { Logger } from 'pino';
import { renderRevenueChart } from '../adapters/chart/revenue-png.ts';
import { createLogger } from '../adapters/log/logger.ts';
import {
  type IncomingDelivery,
  type IntakeDeps,
  parsePending,
  receiveDelivery,
  replayDelivery,
} from '../app/commerce/intake.ts';
import type { LedgerWrite } from '../app/commerce/ports.ts';
import { buildRevenueView, type RevenueViewDeps } from '../app/commerce/view.ts';
import type { RevenueView } from '../app/commerce/view-model.ts';
import { type WatchDeps, watchRevenue } from '../app/commerce/watch.ts';
import type { Ctx } from '../app/context.ts';
import type { IncidentDeps } from '../app/incidents/deps.ts';
import { type ChatGateway, DeliveryError } from '../app/outbox/ports.ts';
import type { ChartOutcome } from '../app/sla/report.ts';
import type { Config } from '../config/config.ts';
import { piiHasher } from '../shared/pii.ts';
import { coalescingRunner } from './background.ts';
import { piiKeyOf, type Services } from './services.ts';
import { systemCtx } from './system-ctx.ts';

export function commerceUseCases(
  services: Services,
  config: Config,
  incident: IncidentDeps,
  backgroundLog?: Logger,
) {
  const { repos, clock } = services;
  const c = config.commerce;
  let hash: ((email: string) => string) | undefined;
  // The key exists only once the database is migrated (`leak migrate` composes these without using them).
  const hashEmail = (email: string) => {
    hash ??= piiHasher(piiKeyOf(services));
    return hash(email);
  };
  const intake: IntakeDeps = { deliveries: repos.webhooks, clock, hashEmail };
  // A burst of deliveries costs at most two parse runs; `idle()` lets shutdown and tests wait for them.
  const parsing = coalescingRunner(
    () => parsePending(intake, systemCtx(backgroundLog ?? silent, 'webhook-parse')),
    backgroundLog ?? silent,
    'webhook parsing',
  );
  if (backgroundLog) intake.onReceived = () => parsing.nudge();
  const watch: WatchDeps = {
    ledger: repos.ledger,
    deliveries: repos.webhooks,
    incident,
    settings: { timezone: c.timezone, dipThreshold: c.dipThreshold, dipMinCents: c.dipMinCents },
  };
  const view: RevenueViewDeps = {
    ledger: repos.ledger,
    deliveries: repos.webhooks,
    openIncidents: () => repos.incidents.listOpen(),
    clock,
    settings: { timezone: c.timezone, reportingCurrency: c.reportingCurrency, fxRates: c.fxRates },
  };
  return {
    intake,
    parsing,
    receive: (ctx: Ctx, d: IncomingDelivery) => receiveDelivery(intake, ctx, d),
    parsePending: (ctx: Ctx) => parsePending(intake, ctx),
    replay: (ctx: Ctx, id: string) => replayDelivery(intake, ctx, id),
    failed: (limit: number, source?: string) => repos.webhooks.listFailed(limit, source),
    /** Ledger entries written outside any delivery (a backfill, the demo's history). */
    writeEntries: (source: string, writes: LedgerWrite[]) => repos.ledger.writeEntries(source, writes),
    watch: (ctx: Ctx) => watchRevenue(watch, ctx),
    view: (q: { day: string | null }) => buildRevenueView(view, q),
    /** `/leak revenue`: the view, and its 7-day chart shared in the channel the command came from. */
    answer: async (
      ctx: Ctx,
      q: { day: string | null; channelId: string | null },
      upload: ChatGateway['uploadFile'] | undefined,
    ): Promise<{ view: RevenueView; chart: ChartOutcome }> => {
      const v = await buildRevenueView(view, q);
      return { view: v, chart: await shareChart(ctx, v, q.channelId, upload) };
    },
  };
}

/** Where background parsing logs when the caller gave no logger (it never runs then: nothing nudges it). */
const silent = createLogger('silent');

export type CommerceUseCases = ReturnType<typeof commerceUseCases>;

/** The 7-day chart of the main currency (the reporting one when configured), uploaded to `channelId`. */
async function shareChart(
  ctx: Ctx,
  v: RevenueView,
  channelId: string | null,
  upload: ChatGateway['uploadFile'] | undefined,
): Promise<ChartOutcome> {
  const main = v.reporting ?? v.currencies[0];
  if (!main) return { kind: 'skipped', reason: 'no_slas' };
  if (channelId === null || channelId === '') return { kind: 'skipped', reason: 'no_channel' };
  if (upload === undefined) return { kind: 'skipped', reason: 'unsupported' };
  const title = `Net revenue, 7 days to ${v.day} (${main.currency}${v.reporting ? ', converted' : ''})`;
  try {
    const { fileId } = await upload(channelId, {
      filename: `revenue-${v.day}-${main.currency}.png`,
      title,
      bytes: renderRevenueChart(main.series, main.currency, title),
      initialComment: title,
    });
    return { kind: 'uploaded', fileId };
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    ctx.log.warn({ code: err.code, channel: channelId }, 'revenue chart upload failed');
    return { kind: 'failed', code: err.code };
  }
}
