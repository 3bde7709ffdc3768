import type { Logger } from 'pino';
import { healthRoutes } from '../adapters/http/health.ts';
import { ingestRoutes } from '../adapters/http/ingest.ts';
import { webhookRoutes } from '../adapters/http/webhooks.ts';
import type { Observer } from '../app/observe.ts';
import { FUTURE_SKEW_MS } from '../app/scan/scan.ts';
import type { Config } from '../config/config.ts';
import { DAY_MS } from '../shared/time.ts';
import type { Services } from './services.ts';
import { systemCtx } from './system-ctx.ts';
import type { UseCases } from './use-cases.ts';

/**
 * Health, readiness and the telemetry ingest routes, served beside Slack on one port. Readiness turns false
 * as soon as shutdown begins, so a load balancer stops routing here first. Else it needs the database
 * (reachable, migrated) and Slack (answering auth.test); the detail names what is not.
 */
export function httpRoutes(
  config: Config,
  services: Services,
  uc: UseCases,
  log: Logger,
  ready: { draining(): boolean; slack(): { ok: boolean; detail: string } },
  /** Told of every ingest request and its items (composition/observability.ts `metrics`). */
  observer?: Observer,
) {
  const health = healthRoutes({
    ready: async () => {
      if (ready.draining()) return { ok: false, detail: 'shutting down' };
      const checks = [await services.db.ready(), ready.slack()];
      const failing = checks.filter((c) => !c.ok);
      const shown = failing.length > 0 ? failing : checks;
      return { ok: failing.length === 0, detail: shown.map((c) => c.detail).join('; ') };
    },
  });
  const ingest = ingestRoutes({
    tokens: services.repos.tokens,
    ingest: uc.ingest,
    log,
    ...(observer ? { observer } : {}),
    // Older than Bronze keeps, or ahead of this clock by more than the skew tolerated: refused, with why.
    eventWindow: () => {
      const now = services.clock.now();
      return { fromMs: now - config.telemetry.bronzeRetentionDays * DAY_MS, toMs: now + FUTURE_SKEW_MS };
    },
  });
  const c = config.commerce;
  const webhooks = webhookRoutes({
    receive: (d) => uc.commerce.receive(systemCtx(log, 'webhook-intake'), d),
    tokens: services.repos.tokens,
    secrets: { shopify: c.shopifySecret, stripe: c.stripeSecret },
    maxBodyBytes: c.maxBodyBytes,
    log,
    now: () => services.clock.now(),
  });
  return (req: Parameters<typeof health>[0], res: Parameters<typeof health>[1]) =>
    health(req, res) || ingest(req, res) || webhooks(req, res);
}
