import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Clock, Ctx } from '../app/context.ts';
import { type DeliveryDeps, deliverDue } from '../app/delivery/handlers.ts';
import type { SlaAlertOutcome } from '../app/sla/alerts.ts';
import type { UseCases } from '../composition/use-cases.ts';
import type { Config } from '../config/config.ts';
import type { TelemetryEvent } from '../domain/telemetry/event.ts';
import { formatBurn, formatCount } from '../shared/format.ts';
import { MINUTE_MS } from '../shared/time.ts';
import type { Io } from './common.ts';
import { readYamlDocuments } from './sla.ts';

/**
 * The service side of `leak demo`: an OpenSLO SLA, an hour of checkout telemetry through the real ingest
 * use case, a payment outage that the per-minute burn-rate evaluation pages on (an SLA incident with its
 * channel and War Room, printed by the terminal gateway), and the recovery that resolves it by itself.
 */
export const DEMO_SLOS_FILE = fileURLToPath(new URL('../demo/checkout-slos.yaml', import.meta.url));

const PER_MINUTE = 40;

export interface SlaStoryDeps {
  uc: UseCases;
  clock: Clock;
  config: Config;
  delivery: DeliveryDeps;
  /** Moves the scenario's clock forward. */
  advance(ms: number): void;
}

/** One minute of payments ending at `endMs`: `failing` of them declined by the card processor. */
function minuteOfPayments(endMs: number, failing: number): TelemetryEvent[] {
  return Array.from({ length: PER_MINUTE }, (_, k) => {
    const failed = k < failing;
    return {
      service: 'checkout',
      name: 'payment.authorize',
      timeMs: endMs - MINUTE_MS + Math.floor((k * MINUTE_MS) / PER_MINUTE),
      durationMs: failed ? 2_000 + k : 80 + (k % 40),
      ok: !failed,
      level: failed ? 'ERROR' : 'INFO',
      message: failed ? 'card processor timeout (gateway 504)' : null,
      traceId: failed
        ? `5f1c0a${String(k).padStart(2, '0')}e2d94b7c8a31f0e6d2b${String(endMs % 100_000).padStart(5, '0')}`
        : null,
      userId: `shopper-${k}`,
      email: null,
      attributes: { processor: 'acme-pay', region: k % 2 === 0 ? 'eu' : 'us' },
    };
  });
}

export async function runSlaStory(deps: SlaStoryDeps, ctx: Ctx, io: Io): Promise<void> {
  const { uc, clock, config } = deps;
  const say = (s: string) => io.out.write(`${s}\n`);
  const deliver = async () => {
    while ((await deliverDue(deps.delivery)) > 0) {}
  };
  say('\n━━ Meanwhile in checkout: a service SLA burns its error budget ━━\n');
  const yaml = readYamlDocuments(readFileSync(DEMO_SLOS_FILE, 'utf8'));
  if (!yaml.ok) throw new Error(`demo SLOs: ${yaml.errors.join('; ')}`);
  const applied = await uc.applySlas(ctx, yaml.docs);
  if (!applied.ok) throw new Error(`demo SLOs: ${applied.errors.join('; ')}`);
  say(
    'Applied src/demo/checkout-slos.yaml (OpenSLO): checkout payments succeed 99.9% of the time over 30 days.',
  );

  // The evaluation runs as the server's job would: the system actor, so the resolve reads "automatically".
  const job: Ctx = { ...ctx, actor: { type: 'system', job: 'sla-burn' } };
  const minuteEnd = () => Math.floor(clock.now() / MINUTE_MS) * MINUTE_MS;
  const history: TelemetryEvent[] = [];
  for (let m = 60; m >= 1; m--)
    history.push(...minuteOfPayments(minuteEnd() - (m - 1) * MINUTE_MS, m <= 3 ? 24 : 0));
  await uc.ingest.events(history);
  say(
    `Ingested ${formatCount(history.length)} payment events (an hour at ${PER_MINUTE}/min); for the last ` +
      '3 minutes the card processor times out on 60% of them. Errors land raw in Bronze (shopper ids hashed).',
  );
  const evaluate = async (): Promise<SlaAlertOutcome> => {
    await uc.compactSilver();
    const outcome = (await uc.evaluateSlas(job)).find((o) => o.slaId === 'checkout-payments');
    if (outcome === undefined) throw new Error('the demo SLA was not evaluated');
    return outcome;
  };
  const paged = await evaluate();
  say(
    `\nBurn-rate evaluation (the per-minute job): ${paged.action.toUpperCase()} on ${paged.rule} at ` +
      `${formatBurn(paged.burn)} the sustainable rate → incident ${paged.incident}.\n`,
  );
  await deliver();

  say('\nThe processor recovers. Minute by minute, healthy payments; the evaluation keeps running …');
  for (let m = 1; m <= 90; m++) {
    deps.advance(MINUTE_MS);
    await uc.ingest.events(minuteOfPayments(minuteEnd(), 0));
    const o = await evaluate();
    if (o.incident === 'resolved') {
      say(
        `${m} minutes later no page rule has fired for ${config.telemetry.slaAlerts.resetMs / MINUTE_MS} minutes: resolved.\n`,
      );
      break;
    }
  }
  await deliver();
  say(
    "\nThe incident's minutes count as downtime in tonight's Gold snapshot, and the weekly SLA report shows them " +
      '(`leak sla report` on the command line, /sla report in Slack, with its chart).',
  );
}
