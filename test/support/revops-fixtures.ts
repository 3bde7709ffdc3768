import pino from 'pino';
import { createHttpServer, type HttpServer } from '../../src/adapters/http/server.ts';
import { boltLogger } from '../../src/adapters/log/bolt-logger.ts';
import { createSlackApp, type SlackApp } from '../../src/adapters/slack/app.ts';
import type { SlackUseCases } from '../../src/adapters/slack/listeners/use-cases.ts';
import { signatureFor } from '../../src/adapters/slack/signature.ts';
import type {
  ChannelFigure,
  MarketingFigures,
  PipelineFigures,
  RevenueFigures,
} from '../../src/domain/revops/figures.ts';
import { DEFAULT_THRESHOLDS } from '../../src/domain/rules/catalog.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

/**
 * RevOps test fixtures beside revops-report.ts (whose builders hold a realistic report): figures with
 * nothing in them, to build a case up from, and the Slack receiver the RevOps command tests boot.
 */

// ------------------------------------------------------------------------------------ empty figures

/** A period with no deal: every count 0, every rate unknown (null), no stage, owner or stuck deal. */
export function emptyPipeline(o: Partial<PipelineFigures> = {}): PipelineFigures {
  return {
    source: 'deals',
    openDeals: 0,
    openCents: 0,
    weightedCents: 0,
    winRatePct: null,
    avgDealSizeCents: null,
    velocityCentsPerDay: 0,
    won: 0,
    lost: 0,
    wonCents: 0,
    createdDeals: 0,
    stages: [],
    owners: [],
    stuck: [],
    stuckTotal: { deals: 0, amountCents: 0 },
    ...o,
  };
}

/** No customer: no MRR, no month, no cohort, rates unknown. */
export function emptyRevenue(o: Partial<RevenueFigures> = {}): RevenueFigures {
  return {
    mrrCents: 0,
    arrCents: 0,
    activeCustomers: 0,
    churnRatePct: null,
    nrrPct: null,
    grrPct: null,
    months: [],
    churnReasons: [],
    cohorts: [],
    ...o,
  };
}

/** A channel that spent and won nothing. */
export function emptyChannel(name: string, o: Partial<ChannelFigure> = {}): ChannelFigure {
  return {
    channel: name,
    spendCents: 0,
    leads: 0,
    mqls: 0,
    sqls: 0,
    opportunities: 0,
    won: 0,
    conversionPct: null,
    steps: { mqlPct: null, sqlPct: null, oppPct: null, wonPct: null },
    cacCents: null,
    revenueCents: 0,
    roiPct: null,
    ...o,
  };
}

/** No spend: no channel, no segment, zero totals. */
export function emptyMarketing(o: Partial<MarketingFigures> = {}): MarketingFigures {
  return { channels: [], totals: emptyChannel('Total'), segments: [], ...o };
}

// ------------------------------------------------------------------------------------ Slack receiver

/** A Slack app mounted as main.ts mounts it (one route of the HTTP server), its Web API a fake. */
export interface SlackReceiver {
  fake: FakeSlack;
  /** The Slack app itself (a test may stop it while work is in flight). */
  app: SlackApp;
  /** Posts a form body to /slack/events, signed with the app's secret as Slack signs it. */
  post(body: string): Promise<{ status: number; body: string; ms: number }>;
  stop(): Promise<void>;
}

const unused = async (): Promise<never> => {
  throw new Error('not used by this test');
};

/**
 * Starts the app with `useCases` over stand-ins that throw (the incident and fix use cases a command test
 * does not reach). Stop it after each test (`stop`), the server first so no request reaches a stopped app.
 */
export async function startSlackReceiver(
  secret: string,
  useCases: Partial<SlackUseCases>,
  log: pino.Logger = pino({ level: 'silent' }),
): Promise<SlackReceiver> {
  const fake = await startFakeSlack();
  let app: SlackApp | undefined;
  let server: HttpServer | undefined;
  const stop = async () => {
    const slack = app;
    await server?.stop(async () => slack?.stop());
    await app?.stop();
    await fake.close();
  };
  try {
    app = createSlackApp({
      slack: {
        botToken: 'xoxb-t',
        signingSecret: secret,
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
        ...useCases,
      },
      thresholds: DEFAULT_THRESHOLDS,
      retryConfig: { retries: 0 },
    });
    server = createHttpServer({ port: 0, log, routes: [app.handler] });
    const { port } = await server.start();
    await app.start();
    const post = async (body: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': signatureFor(secret, ts, body),
        },
        body,
      });
      const text = await res.text();
      return { status: res.status, body: text, ms: performance.now() - t0 };
    };
    return { fake, app, post, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
