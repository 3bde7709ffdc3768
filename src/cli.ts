#!/usr/bin/env node
/**
 * The `leak` command line: a second entry point built from the same use cases as the Slack bot.
 * stdout carries results (tables, JSON); progress, logs and errors go to stderr.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderAuditVerdict } from './adapters/cli/audit-verify.ts';
import { blocksToText } from './adapters/cli/blocks-text.ts';
import { runFixStory } from './adapters/cli/demo-story.ts';
import { formatPlan } from './adapters/cli/fix-report.ts';
import { formatScanTable, writeScanJson } from './adapters/cli/scan-report.ts';
import { terminalChat } from './adapters/cli/terminal-chat.ts';
import { createProgressBar } from './adapters/csv/progress.ts';
import { migrate } from './adapters/db/migrate.ts';
import { createLogger } from './adapters/log/logger.ts';
import { renderOutbound, renderTopic } from './adapters/slack/blocks/incident-messages.ts';
import { renderScanSummary } from './adapters/slack/blocks/scan-summary.ts';
import type { Ctx } from './app/context.ts';
import { type FixTarget, planFor } from './app/fixes/preview.ts';
import { type ImportOutcome, runImport } from './app/import.ts';
import { deliverDue } from './app/incidents/deliver.ts';
import { type IncidentChange, runIncidentScan } from './app/incidents/reconcile.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import type { FixPack } from './domain/fixpacks/dsl.ts';
import { parseFixPackText } from './domain/fixpacks/parse.ts';
import { ISSUE_TYPES, type IssueType } from './domain/rules/catalog.ts';
import { openServices, type Services } from './services.ts';
import { isAppError } from './shared/errors.ts';
import { newRef } from './shared/ids.ts';
import { parseIsoInstant } from './shared/time.ts';

const USAGE = `leak — Revenue Leak SRE command line

Usage:
  leak migrate                        apply pending database migrations
  leak import <file.csv> [--dry-run]  import funnel records (original CSV format), upserting by id
  leak scan [--as-of <ISO>] [--json]  scan every record for revenue leaks and record the findings
  leak audit verify [--json]          check the audit log's hash chain (exit 1 when broken)
  leak fix preview <issue_id>         plan the fix for one open issue and print its diff (writes nothing)
  leak fix preview --bulk <TYPE>      plan the bulk fix for every open issue of a type
  leak tokens create <name>           create an ingest token (shown once) for the telemetry endpoints
  leak tokens list | revoke <id|prefix>  list ingest tokens (never the token) or revoke one
  leak demo                           load the built-in sample funnel, scan it, print the War Room
  leak serve                          start the Slack bot and HTTP server (same as npm start)
  leak <command> --help               help for one command

Database: DATABASE_URL (postgres://…) or, when unset, embedded PGlite in PGLITE_DIR (./.data/pglite).
Exit codes: 0 ok · 1 error or broken audit chain · 2 import finished with rejected rows (listed) · 64 usage error.`;

const HELP: Record<string, string> = {
  migrate:
    'leak migrate\n\nApplies pending SQL migrations from migrations/ in order (also done at every start).',
  import: `leak import <file.csv> [--dry-run]

Imports a funnel CSV with the header
  id,type,name,email,domain,company,source,region,owner,stage,created_at,last_touch_at,next_step,value_usd,notes
Good rows are upserted by id; each bad row is listed with its line number and reason.
  --dry-run   validate only; nothing is written (the run is still recorded)
Exit 0 when every row imported, 2 when some rows were rejected, 1 on a fatal error.`,
  scan: `leak scan [--as-of <ISO time>] [--json]

Evaluates every record against the leak rules, prices each issue, and records the scan and its findings.
  --as-of <ISO>  evaluate at that instant instead of now (reproducible scans, backfills)
  --json         print the stable JSON document instead of the table`,
  fix: `leak fix preview <issue_id> [--pack <file.json>] [--json]
leak fix preview --bulk <ISSUE_TYPE> [--pack <file.json>] [--json]

Plans the default fix pack for an open issue (e.g. O-2005_UNASSIGNED_OWNER, from \`leak scan --json\`) or,
with --bulk, for every open issue of a type (UNASSIGNED_OWNER, STALE_OPP, …), and prints the exact diff
per record, the side effects (tasks, Slack messages, email drafts) and the blast radius. A dry run:
nothing is written. --pack plans your own fix pack (JSON, \`version: 1\`, see README "Fix packs") for the
same issues instead of the default one; it is validated first and every problem is listed. Approving and
applying happen in Slack, where approvers are configured.`,
  audit: `leak audit verify [--json]

Walks the append-only audit log in order, recomputing each row's hash and checking it links to the row
before it. Prints "audit log ok: N rows, chain intact", or names the first broken row on stderr: a
changed row fails its own hash; a removed row breaks the link of the row after it.
  --json   print the verdict as JSON on stdout: {"rows":N,"ok":true|false,"firstBad":{"id","reason"}}
Exit 0 when the chain is intact, 1 when it is broken.`,
  tokens: `leak tokens create <name>
leak tokens list [--json]
leak tokens revoke <id|prefix>

Ingest tokens authenticate telemetry senders (Authorization: Bearer <token>). \`create\` prints the new
token once, on stdout alone (TOKEN=$(leak tokens create checkout) works); only its SHA-256 is stored, so
it cannot be shown again: create another and revoke the old one instead. \`list\` shows id, name, prefix
(the token's first 8 characters), created and revoked times, never a token or its hash. \`revoke\` takes
the id or the prefix from the list; a revoked token is refused from then on.
Exit 0 on success, 1 when there is no such active token (or the prefix is ambiguous).`,
  demo: 'leak demo\n\nLoads the built-in Northwind sample funnel into the database, scans it as of its scenario time,\nand prints the War Room summary a Slack user would see. Needs no Slack and no server.',
  serve:
    'leak serve\n\nStarts the Slack bot (HTTP on PORT, or Socket Mode with SLACK_APP_TOKEN) with /healthz and /readyz.',
};

/** The demo scenario's clock: the CSV describes a Monday afternoon in November 2026. */
export const DEMO_AS_OF = '2026-11-02T16:00:00Z';

/** The scenario's clock: starts at DEMO_AS_OF, runs in real time, and jumps when the story says so. */
const demoClock = (() => {
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
const DEMO_OWNER_POOL = ['Priya Shah', 'Marcus Lee', 'Tomás Ruiz', 'Dana Kowalski'];
const DEMO_FILE = fileURLToPath(new URL('./demo/northwind-funnel.csv', import.meta.url));

class UsageError extends Error {}

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export async function main(argv: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out.write(`${USAGE}\n`);
    return command ? 0 : 64;
  }
  if (!(command in HELP)) {
    io.err.write(`leak: unknown command '${command}'\n\n${USAGE}\n`);
    return 64;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out.write(`${HELP[command]}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (command === 'serve') {
    const { runServer } = await import('./main.ts');
    try {
      await runServer(config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      io.err.write(`${e.message}\n`);
      return 1;
    }
    return 0;
  }
  const log = createLogger(config.logLevel ?? 'warn', createLogDestination());
  const ctx: Ctx = { actor: { type: 'cli', user: safeUser() }, requestId: randomUUID(), log };
  let services: Services | undefined;
  try {
    services = await openServices(config, log, {
      migrate: command !== 'migrate',
      // The demo runs on the scenario's clock (and can move it forward: "two days later").
      ...(command === 'demo' ? { clock: demoClock } : {}),
    });
    switch (command) {
      case 'migrate': {
        const ran = await migrate(services.db, log);
        io.out.write(ran.length ? `Applied ${ran.join(', ')}\n` : 'Database is up to date.\n');
        return 0;
      }
      case 'import':
        return await importCommand(services, ctx, rest, io);
      case 'scan':
        return await scanCommand(services, config, ctx, rest, io);
      case 'demo':
        return await demoCommand(services, config, ctx, io);
      case 'fix':
        return await fixCommand(services, rest, io);
      case 'audit':
        return await auditCommand(services, rest, io);
      case 'tokens':
        return await tokensCommand(services, rest, io);
    }
    return 64;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`leak ${command}: ${e.message}\n\n${HELP[command]}\n`);
      return 64;
    }
    if (isAppError(e)) {
      io.err.write(`leak ${command}: ${e.message}\n`);
      return 1;
    }
    const ref = newRef();
    log.error({ err: e, ref }, 'command failed');
    io.err.write(`leak ${command}: unexpected error (ref ${ref}): ${(e as Error).message}\n`);
    return 1;
  } finally {
    await services?.close();
  }
}

const createLogDestination = () => process.stderr;
const safeUser = () => {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
};

type ArgOptions = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

function parse<O extends ArgOptions>(rest: string[], options: O) {
  try {
    return parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function doImport(services: Services, ctx: Ctx, file: string, dryRun: boolean, io: Io) {
  const bar = createProgressBar(io.err);
  try {
    return await runImport(services.importDeps, ctx, { file, dryRun, onProgress: (p) => bar.update(p) });
  } finally {
    bar.done();
  }
}

function printImport(o: ImportOutcome, file: string, io: Io, limit = 50): number {
  const good = o.total - o.rejected.length;
  const rate = o.elapsedMs > 0 ? Math.round((o.total / o.elapsedMs) * 1000) : o.total;
  io.out.write(
    `${o.dryRun ? 'Validated' : 'Imported'} ${file}: ${o.total.toLocaleString('en-US')} rows, ` +
      `${(o.dryRun ? good : o.imported).toLocaleString('en-US')} ${o.dryRun ? 'valid' : 'upserted'}, ` +
      `${o.rejected.length.toLocaleString('en-US')} rejected (run ${o.runId}, ${(o.elapsedMs / 1000).toFixed(2)} s, ${rate.toLocaleString('en-US')} rows/s)\n`,
  );
  for (const r of o.rejected.slice(0, limit)) io.out.write(`  line ${r.line}: ${r.reason}\n`);
  if (o.rejected.length > limit)
    io.out.write(`  … and ${o.rejected.length - limit} more (all are stored with import run ${o.runId})\n`);
  return o.rejected.length > 0 ? 2 : 0;
}

async function importCommand(services: Services, ctx: Ctx, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, { 'dry-run': { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new UsageError('expected exactly one CSV file');
  const file = positionals[0]!;
  const outcome = await doImport(services, ctx, file, values['dry-run'] === true, io);
  return printImport(outcome, file, io);
}

async function scanCommand(
  services: Services,
  config: Config,
  ctx: Ctx,
  rest: string[],
  io: Io,
): Promise<number> {
  const { values, positionals } = parse(rest, {
    'as-of': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  let asOfMs: number | undefined;
  if (values['as-of'] !== undefined) {
    const parsed = parseIsoInstant(String(values['as-of']));
    if (parsed === null)
      throw new UsageError(`--as-of must be an ISO-8601 time with a zone, e.g. 2026-11-02T16:00:00Z`);
    asOfMs = parsed;
  }
  if (io.err.isTTY) io.err.write('Scanning…\r');
  // The same use case as /leak scan: the incident follows the scan; a running bot delivers its messages.
  const outcome = await runIncidentScan(
    services.scanDeps,
    services.incidentDeps,
    ctx,
    asOfMs === undefined ? {} : { asOfMs },
  );
  if (io.err.isTTY) io.err.write('\u001b[2K');
  if (values.json) await writeScanJson(io.out, outcome, config.thresholds);
  else io.out.write(`${formatScanTable(outcome, config.thresholds)}\n${incidentLine(outcome.incident)}\n`);
  return 0;
}

/** One line on what the scan did to the incident. */
function incidentLine(change: IncidentChange): string {
  const i = change.incident;
  if (i === null) return 'No incident: nothing is leaking.';
  const head = `Incident #${i.id} (SEV-${i.severity}, ${i.paging}, ${i.state})`;
  switch (change.action) {
    case 'declared':
      return `${head} declared.`;
    case 'reopened':
      return `${head} reopened.`;
    case 'resolved':
      return `Incident #${i.id} resolved: the scan found no open leak.`;
    case 'updated':
      return `${head} updated.`;
    case 'none':
      return `${head} unchanged.`;
  }
}

/** Stand-in Slack ids for the demo when none are configured, so the page and invites have somewhere to go. */
const DEMO_TARGETS = {
  onCallGroup: 'SREVONCALL',
  secondaryGroup: null,
  commander: 'UREVOPSLEAD',
  responders: [],
  alertsChannel: 'CREVALERTS',
};

async function demoCommand(services: Services, config: Config, ctx: Ctx, io: Io): Promise<number> {
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
  io.out.write(
    'Next: `npm run leak -- fix preview --bulk STALE_OPP` for a dry-run diff, `npm run leak -- audit verify` for\n' +
      'the audit chain, or connect a workspace (README: "Connect a Slack workspace") and run /leak scan there.\n',
  );
  return 0;
}

async function fixCommand(services: Services, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, {
    bulk: { type: 'string' },
    pack: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const [sub, issueId, ...extra] = positionals;
  if (sub !== 'preview')
    throw new UsageError(
      sub === undefined ? 'expected a subcommand: preview' : `unknown subcommand '${sub}'`,
    );
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  let target: FixTarget;
  if (values.bulk !== undefined) {
    if (issueId !== undefined) throw new UsageError('give an issue id or --bulk <TYPE>, not both');
    const type = String(values.bulk).toUpperCase();
    if (!(ISSUE_TYPES as readonly string[]).includes(type))
      throw new UsageError(`unknown issue type '${values.bulk}' (expected one of ${ISSUE_TYPES.join(', ')})`);
    target = { kind: 'bulk', issueType: type as IssueType };
  } else {
    if (issueId === undefined) throw new UsageError('expected an issue id, e.g. O-2005_UNASSIGNED_OWNER');
    target = { kind: 'issue', issueId };
  }
  let pack: FixPack | undefined;
  if (values.pack !== undefined) {
    const file = String(values.pack);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read fix pack ${file}: ${(e as Error).message}`);
    }
    const parsed = parseFixPackText(text);
    if (!parsed.ok) {
      io.err.write(
        `leak fix: ${file} is not a valid fix pack:\n${parsed.errors.map((m) => `  - ${m}`).join('\n')}\n`,
      );
      return 1;
    }
    pack = parsed.pack;
  }
  const { plan } = await planFor(services.fixDeps, target, {
    reserveRoundRobin: false,
    ...(pack ? { pack } : {}),
  });
  io.out.write(
    values.json
      ? `${JSON.stringify(plan, null, 2)}\n`
      : `${formatPlan(plan, { color: io.out.isTTY === true })}\n`,
  );
  return 0;
}

async function auditCommand(services: Services, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } });
  const [sub, ...extra] = positionals;
  if (sub === undefined) throw new UsageError('expected a subcommand: verify');
  if (sub !== 'verify') throw new UsageError(`unknown subcommand '${sub}'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const verdict = await services.repos.audit.verify();
  const { stream, text, code } = renderAuditVerdict(verdict, { json: values.json === true });
  io[stream].write(text);
  return code;
}

const when = (ms: number | null) => (ms === null ? '-' : `${new Date(ms).toISOString().slice(0, 19)}Z`);

async function tokensCommand(services: Services, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } });
  const [sub, arg, ...extra] = positionals;
  const tokens = services.repos.tokens;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  switch (sub) {
    case 'create': {
      if (arg === undefined)
        throw new UsageError('expected a name, e.g. leak tokens create checkout-service');
      const made = await tokens.create(arg);
      // The token alone on stdout (scripts capture it); everything said about it goes to stderr.
      io.out.write(`${made.token}\n`);
      io.err.write(
        `Created ingest token ${made.id} '${arg.trim()}' (prefix ${made.prefix}).\n` +
          'Copy it now: it cannot be shown again (only its SHA-256 hash is stored).\n',
      );
      return 0;
    }
    case 'list': {
      if (arg !== undefined) throw new UsageError(`unexpected argument '${arg}'`);
      const list = await tokens.list();
      if (values.json) {
        io.out.write(`${JSON.stringify(list, null, 2)}\n`);
        return 0;
      }
      if (list.length === 0) {
        io.out.write('No ingest tokens. Create one with: leak tokens create <name>\n');
        return 0;
      }
      const rows = [
        ['ID', 'NAME', 'PREFIX', 'CREATED', 'REVOKED'],
        ...list.map((t) => [t.id, t.name, t.prefix, when(t.createdAtMs), when(t.revokedAtMs)]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows)
        io.out.write(
          `${r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd()}\n`,
        );
      return 0;
    }
    case 'revoke': {
      if (arg === undefined) throw new UsageError('expected a token id or prefix (see leak tokens list)');
      if (await tokens.revoke(arg)) {
        io.out.write(`Revoked ingest token ${arg}.\n`);
        return 0;
      }
      io.err.write(`leak tokens: no active token with id or prefix '${arg}'\n`);
      return 1;
    }
    case undefined:
      throw new UsageError('expected a subcommand: create, list or revoke');
    default:
      throw new UsageError(`unknown subcommand '${sub}'`);
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), process.env, {
    out: process.stdout,
    err: process.stderr,
  });
}
