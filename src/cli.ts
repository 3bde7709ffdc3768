#!/usr/bin/env node
/**
 * The `leak` command line: a second entry point built from the same use cases as the Slack bot.
 * stdout carries results (tables, JSON); progress, logs and errors go to stderr. Each command lives in
 * src/commands/; this file parses the command, loads configuration, opens the services and dispatches.
 */
import { randomUUID } from 'node:crypto';
import { DatabaseUnreachable, unreachable } from './adapters/db/unreachable.ts';
import type { Ctx } from './app/context.ts';
import { createLogDestination, type Io, safeUser, UsageError } from './commands/common.ts';
import type { DemoRun } from './commands/demo.ts';
import { HELP, USAGE, version } from './commands/help.ts';
import type { Services } from './composition/services.ts';
import type { Config } from './config/config.ts';
import { isAppError } from './shared/errors.ts';
import { fastStart } from './shared/fast-start.ts';
import { newRef } from './shared/ids.ts';

// Only what every command needs is imported above; a command's own modules (and the database drivers,
// the ORM, Slack's SDK) load when it runs, so `leak --help` and `leak digest` do not pay for the server.

export interface MainOptions {
  /**
   * Run without PII_HASH_KEY on the key stored in the database (config.ts LoadOptions): the test suite's
   * switch. The demo command always may; no other command does unless a test says so.
   */
  storedPiiKey?: boolean;
}

export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Io,
  opts: MainOptions = {},
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out.write(`${USAGE}\n`);
    return command ? 0 : 64;
  }
  if (command === '--version' || command === '-v') {
    io.out.write(`leak ${version()}\n`);
    return 0;
  }
  if (!(command in HELP)) {
    io.err.write(`leak: unknown command '${command}'\n\n${USAGE}\n`);
    return 64;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out.write(`${HELP[command]}\n`);
    return 0;
  }
  // Writes files only: no configuration, no database.
  if (command === 'generate')
    return (await import('./commands/revops-generate.ts')).generateCommand(rest, io);
  const { loadConfig, ConfigError } = await import('./config/config.ts');
  let config: Config;
  try {
    config = loadConfig(env, { storedPiiKey: command === 'demo' || opts.storedPiiKey === true });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  // Test-only fault injection (app/import/crash-points.ts): stop dead at a named point to be SIGKILLed
  // there. Not configuration, so not in the config schema; unset outside the crash tests.
  const crashAt = env['LEAK_CRASH_POINT'];
  if (crashAt) (await import('./app/import/crash-points.ts')).armCrashPoint(crashAt, (l) => io.err.write(l));
  if (command === 'serve') return serveCommand(config, io);
  const { createLogger } = await import('./adapters/log/logger.ts');
  const log = createLogger(config.logLevel ?? 'warn', createLogDestination());
  const ctx: Ctx = { actor: { type: 'cli', user: safeUser() }, requestId: randomUUID(), log };
  let services: Services | undefined;
  try {
    const demo: DemoRun | null =
      command === 'demo' ? (await import('./commands/demo.ts')).demoRun(config) : null;
    const { openServices } = await import('./composition/services.ts');
    services = await openServices(
      demo ? { ...config, db: { url: undefined, pgliteDir: demo.database.pgliteDir } } : config,
      log,
      { migrate: command !== 'migrate', ...(demo ? { clock: demo.clock } : {}) },
    );
    return await dispatch(command, rest, { services, config, ctx, io, demo });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`leak ${command}: ${e.message}\n\n${HELP[command]}\n`);
      return 64;
    }
    // The database lost mid-command is an outage, not a bug: one line naming it, no reference to chase.
    const lost = config.db.url && !(e instanceof DatabaseUnreachable) ? unreachable(e, config.db.url) : null;
    if (isAppError(e) || e instanceof DatabaseUnreachable || lost) {
      io.err.write(`leak ${command}: ${(lost ?? (e as Error)).message}\n`);
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

/** `leak serve`: the server in this process, until a signal; a configuration or database problem is one line. */
async function serveCommand(config: Config, io: Io): Promise<number> {
  const { runServer } = await import('./composition/server.ts');
  const { ConfigError } = await import('./config/config.ts');
  try {
    await runServer(config);
  } catch (e) {
    if (e instanceof DatabaseUnreachable) {
      io.err.write(`leak serve: ${e.message}\n`);
      return 1;
    }
    if (!(e instanceof ConfigError)) throw e;
    io.err.write(`${e.message}\n`);
    return 1;
  }
  return 0;
}

interface Opened {
  services: Services;
  config: Config;
  ctx: Ctx;
  io: Io;
  demo: DemoRun | null;
}

/** Runs one command other than serve on opened services; 64 for a command this switch does not know. */
async function dispatch(command: string, rest: string[], o: Opened): Promise<number> {
  const { services, config, ctx, io, demo } = o;
  if (command === 'migrate') {
    const { migrate } = await import('./adapters/db/migrate.ts');
    const ran = await migrate(services.db, ctx.log);
    io.out.write(ran.length ? `Applied ${ran.join(', ')}\n` : 'Database is up to date.\n');
    return 0;
  }
  // Building the use cases opens nothing; the demo composes its own (stand-in targets).
  const uc = (await import('./composition/use-cases.ts')).composeUseCases(services, config);
  switch (command) {
    case 'import':
      return (await import('./commands/import-scan.ts')).importCommand(services, ctx, rest, io);
    case 'imports':
      return (await import('./commands/imports.ts')).importsCommand(services, rest, io);
    case 'scan':
      return (await import('./commands/import-scan.ts')).scanCommand(uc, config, ctx, rest, io);
    case 'demo':
      return (await import('./commands/demo.ts')).demoCommand(services, config, ctx, io, demo!);
    case 'fix':
      return (await import('./commands/fix.ts')).fixCommand(services, rest, io);
    case 'audit':
      return (await import('./commands/ops.ts')).auditCommand(services, rest, io);
    case 'tokens':
      return (await import('./commands/ops.ts')).tokensCommand(services, rest, io);
    case 'janitor':
      return (await import('./commands/janitor.ts')).janitorCommand(uc, ctx, rest, io);
    case 'sla':
      return (await import('./commands/sla.ts')).slaCommand(services, uc, ctx, rest, io);
    case 'revenue':
      return (await import('./commands/revenue.ts')).revenueCommand(services, uc, ctx, rest, io);
    case 'webhooks':
      return (await import('./commands/webhooks.ts')).webhooksCommand(uc, ctx, rest, io);
    case 'revops':
      return (await import('./commands/revops.ts')).revopsCommand(uc, ctx, rest, io);
    case 'digest':
      return (await import('./commands/revops.ts')).digestCommand(uc, rest, io);
    case 'crm':
      return (await import('./commands/crm.ts')).crmCommand(uc, config, ctx, rest, io);
  }
  return 64;
}

/**
 * A reader that leaves early (`leak scan | head -1`) closes the pipe. That is no failure: what is left of
 * the output has nobody to read it, so it is dropped (a stream that failed discards later writes) while the
 * command finishes, closes its database and exits as it would have. Any other stream error stays fatal.
 */
function tolerateClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

if (import.meta.main) {
  fastStart();
  tolerateClosedPipe(process.stdout);
  tolerateClosedPipe(process.stderr);
  process.exitCode = await main(process.argv.slice(2), process.env, {
    out: process.stdout,
    err: process.stderr,
  });
}
