#!/usr/bin/env node
/**
 * The server's entry point: `npm start`, `node dist/main.js` in the image. It loads nothing heavy before
 * fastStart() (compile cache, drizzle's loader workaround), then runs the server of composition/server.ts
 * until SIGTERM or SIGINT.
 */
import { DatabaseUnreachable } from './adapters/db/unreachable.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { fastStart } from './shared/fast-start.ts';

if (import.meta.main) {
  fastStart();
  try {
    const config = loadConfig(process.env);
    const { runServer } = await import('./composition/server.ts');
    await runServer(config);
  } catch (err) {
    // No logger yet (its level is configuration too): a plain list on stderr, then exit before any socket.
    // A database that cannot be reached is one line too (host, port, what to check), not a stack.
    if (!(err instanceof ConfigError || err instanceof DatabaseUnreachable)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
}
