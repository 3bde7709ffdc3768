import { fileURLToPath } from 'node:url';
import { blocksToText } from '../adapters/cli/blocks-text.ts';
import { runFixStory } from '../adapters/cli/demo-story.ts';
import { terminalChat } from '../adapters/cli/terminal-chat.ts';
import { renderOutbound, renderTopic } from '../adapters/slack/blocks/incident-messages.ts';
import { renderScanSummary } from '../adapters/slack/blocks/scan-summary.ts';
import type { Ctx } from '../app/context.ts';
import { deliverDue } from '../app/incidents/deliver.ts';
import { runIncidentScan } from '../app/incidents/reconcile.ts';
import type { Config } from '../config/config.ts';
import type { Services } from '../services.ts';
import type { Io } from './common.ts';
import { runSlaStory } from './demo-sla.ts';
import { doImport, incidentLine, printImport } from './import-scan.ts';

/** `leak demo`: the Northwind scenario, the incident and the fix story, offline. */

/** The demo scenario's clock: the CSV describes a Monday afternoon in November 2026. */
export const DEMO_AS_OF = '2026-11-02T16:00:00Z';

/** The scenario's clock: starts at DEMO_AS_OF, runs in real time, and jumps when the story says so. */
export const demoClock = (() => {
  const started = Date.now();
  let offset = 0;
  return {
    now: () => Date.parse(DEMO_AS_OF) + (Date.now() - started) + offset,
    advance: (ms: number) => {
      offset += ms;
    },
  };
})();

/** Owners the demo's fixes assign when no pool is configured: the sample funnel's own reps. */
export const DEMO_OWNER_POOL = ['Priya Shah', 'Marcus Lee', 'Tomás Ruiz', 'Dana Kowalski'];
export const DEMO_FILE = fileURLToPath(new URL('../demo/northwind-funnel.csv', import.meta.url));

/** Stand-in Slack ids for the demo when none are configured, so the page and invites have somewhere to go. */
export const DEMO_TARGETS = {
  onCallGroup: 'SREVONCALL',
  secondaryGroup: null,
  commander: 'UREVOPSLEAD',
  responders: [],
  alertsChannel: 'CREVALERTS',
};

export async function demoCommand(services: Services, config: Config, ctx: Ctx, io: Io): Promise<number> {
  const color = io.out.isTTY === true;
  io.out.write(`Loading the Northwind sample funnel (${DEMO_FILE.replace(`${process.cwd()}/`, '')}) …\n`);
  const imported = await doImport(services, ctx, DEMO_FILE, false, io);
  printImport(imported, 'northwind-funnel.csv', io);
  io.out.write(`\nScanning as of ${DEMO_AS_OF} (the scenario's clock) …\n\n`);
  const configured = config.incidents.targets;
  const targets = configured.onCallGroup || configured.alertsChannel ? configured : DEMO_TARGETS;
  const incidentDeps = { ...services.incidentDeps, targets };
  const outcome = await runIncidentScan(services.scanDeps, incidentDeps, ctx, {
    asOfMs: Date.parse(DEMO_AS_OF),
  });
  const { blocks } = renderScanSummary(outcome, { thresholds: config.thresholds });
  io.out.write(`${blocksToText(blocks as never, { color })}\n\n`);
  io.out.write(`${incidentLine(outcome.incident)}\n\n`);
  // The real outbox and worker, with a gateway that prints each Slack call instead of sending it.
  io.out.write('Delivering to Slack (offline: each Web API call is printed instead of sent) …\n\n');
  const chat = terminalChat({ out: io.out, color, render: (m) => renderOutbound(m), topic: renderTopic });
  const delivery = {
    store: services.repos.incidents,
    fixes: services.repos.fixes,
    jobs: services.repos.jobs,
    chat,
    targets,
    policy: config.incidents.policy,
    topicOf: renderTopic,
    log: ctx.log,
  };
  while ((await deliverDue(delivery)) > 0) {}
  const settings =
    config.fixes.ownerPool.length > 0 ? config.fixes : { ...config.fixes, ownerPool: DEMO_OWNER_POOL };
  await runFixStory(
    {
      scanDeps: services.scanDeps,
      fixDeps: { ...services.fixDeps, incident: incidentDeps, settings },
      delivery,
      records: services.repos.records,
      advance: demoClock.advance,
      incidentLine,
    },
    ctx,
    io,
    color,
  );
  await runSlaStory(
    { services, config, incident: incidentDeps, delivery, advance: demoClock.advance },
    ctx,
    io,
  );
  io.out.write(
    'Next: `npm run leak -- fix preview --bulk STALE_OPP` for a dry-run diff, `npm run leak -- audit verify` for\n' +
      'the audit chain, or connect a workspace (README: "Connect a Slack workspace") and run /leak scan there.\n',
  );
  return 0;
}
