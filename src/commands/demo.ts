import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blocksToText } from '../adapters/cli/blocks-text.ts';
import { runFixStory } from '../adapters/cli/demo-story.ts';
import { terminalChat } from '../adapters/cli/terminal-chat.ts';
import { renderOutbound, renderTopic } from '../adapters/slack/blocks/outbound.ts';
import { renderScanSummary } from '../adapters/slack/blocks/scan-summary.ts';
import type { Ctx } from '../app/context.ts';
import { deliverDue } from '../app/delivery/handlers.ts';
import type { Services } from '../composition/services.ts';
import { composeUseCases } from '../composition/use-cases.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../shared/errors.ts';
import { DAY_MS } from '../shared/time.ts';
import type { Io } from './common.ts';
import { runRevopsStory } from './demo-revops.ts';
import { runSlaStory } from './demo-sla.ts';
import { runStoreStory } from './demo-store.ts';
import { doImport, incidentLine, printImport } from './import-scan.ts';

/** `leak demo`: the Northwind scenario, the incident and the fix story, offline. */

/** The demo scenario's clock: the CSV describes a Monday afternoon in November 2026. */
export const DEMO_AS_OF = '2026-11-02T16:00:00Z';

export interface DemoClock {
  now(): number;
  /** Moves the scenario forward ("two days later"). */
  advance(ms: number): void;
}

/**
 * The scenario's clock: starts at DEMO_AS_OF, runs in real time, and jumps when the story says so. One per
 * run, so a second run (in the same process too) tells the same story from the same instant.
 */
export function createDemoClock(): DemoClock {
  const started = Date.now();
  let offset = 0;
  return {
    now: () => Date.parse(DEMO_AS_OF) + (Date.now() - started) + offset,
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

/** Marks a directory as the demo's own: only a directory holding it is ever wiped. */
const DEMO_MARKER = '.leak-demo';

export interface DemoDatabase {
  /** The PGlite data directory of this run (`memory://` when DEMO_DIR is). */
  pgliteDir: string;
}

/**
 * A fresh, empty database for one demo run, so the demo runs any number of times and always tells the same
 * story. It lives in DEMO_DIR, which the demo owns: the user's DATABASE_URL and PGLITE_DIR are never touched,
 * and a directory the demo did not make (no marker) is refused rather than wiped.
 */
export function freshDemoDatabase(dir: string): DemoDatabase {
  if (dir.startsWith('memory://')) return { pgliteDir: dir };
  if (existsSync(dir)) {
    const entries = statSync(dir).isDirectory() ? readdirSync(dir) : null;
    if (entries === null || (entries.length > 0 && !entries.includes(DEMO_MARKER)))
      throw new AppError(
        'PRECONDITION_FAILED',
        `${dir} exists and was not made by the demo; it is left as it is (set DEMO_DIR to another directory)`,
      );
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, DEMO_MARKER),
    'Made by `leak demo`, which deletes this directory and starts afresh at every run.\n',
  );
  return { pgliteDir: join(dir, 'pglite') };
}

/** A path as the user would type it from here: relative when it is under the working directory. */
const shown = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/') ? rel : path;
};

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

export interface DemoRun {
  clock: DemoClock;
  database: DemoDatabase;
}

/** The demo runs on a fresh database of its own and on the scenario's clock ("two days later"). */
export function demoRun(config: Config): DemoRun {
  return { clock: createDemoClock(), database: freshDemoDatabase(config.demo.dir) };
}

export async function demoCommand(
  services: Services,
  config: Config,
  ctx: Ctx,
  io: Io,
  run: DemoRun,
): Promise<number> {
  const color = io.out.isTTY === true;
  io.out.write(
    `Demo database: ${shown(run.database.pgliteDir)} (embedded PGlite, made afresh for this run; DEMO_DIR).\n`,
  );
  if (config.db.url)
    io.out.write('DATABASE_URL is left alone: the demo never writes to your own database.\n');
  io.out.write(`Loading the Northwind sample funnel (${shown(DEMO_FILE)}) …\n`);
  const imported = await doImport(services, ctx, DEMO_FILE, false, io);
  printImport(imported, 'northwind-funnel.csv', io);
  io.out.write(`\nScanning as of ${DEMO_AS_OF} (the scenario's clock) …\n\n`);
  const configured = config.incidents.targets;
  const targets = configured.onCallGroup || configured.alertsChannel ? configured : DEMO_TARGETS;
  const settings =
    config.fixes.ownerPool.length > 0 ? config.fixes : { ...config.fixes, ownerPool: DEMO_OWNER_POOL };
  const uc = composeUseCases(services, config, { targets, fixSettings: settings });
  const outcome = await uc.scan(ctx, { asOfMs: Date.parse(DEMO_AS_OF) });
  const { blocks } = renderScanSummary(outcome, { thresholds: config.thresholds });
  io.out.write(`${blocksToText(blocks as never, { color })}\n\n`);
  io.out.write(`${incidentLine(outcome.incident)}\n\n`);
  // The real outbox and worker, with a gateway that prints each Slack call instead of sending it.
  io.out.write('Delivering to Slack (offline: each Web API call is printed instead of sent) …\n\n');
  const chat = terminalChat({ out: io.out, color, render: (m) => renderOutbound(m), topic: renderTopic });
  const delivery = uc.delivery(chat, ctx.log);
  while ((await deliverDue(delivery)) > 0) {}
  await runFixStory(
    {
      scanDeps: services.scanDeps,
      fixDeps: uc.fix,
      delivery,
      records: services.repos.records,
      advance: run.clock.advance,
      incidentLine,
    },
    ctx,
    io,
    color,
  );
  await runSlaStory({ uc, clock: services.clock, config, delivery, advance: run.clock.advance }, ctx, io);
  await runStoreStory({ uc, clock: services.clock, delivery, advance: run.clock.advance }, ctx, io);
  // A year of RevOps data up to the scenario's Monday: its digest is of the week that ended then.
  const inMemory = run.database.pgliteDir.startsWith('memory://');
  const revopsDir = inMemory ? null : shown(join(dirname(run.database.pgliteDir), 'revops'));
  const endMs = Math.floor(Date.parse(DEMO_AS_OF) / DAY_MS) * DAY_MS;
  await runRevopsStory({ services, uc, dir: revopsDir, endMs }, ctx, io);
  io.out.write(
    (inMemory
      ? ''
      : `The demo's database stays in ${shown(run.database.pgliteDir)} until the next run replaces it.\n`) +
      'Next: import your own funnel (`npm run leak -- import <file.csv>`, README: "The command line"), or connect\n' +
      'a workspace (README: "Connect a Slack workspace") and run /leak scan there.\n',
  );
  return 0;
}
