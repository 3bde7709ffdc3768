import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every whole-process bench step shares: a fresh database on the server the run was given (dropped
 * afterwards, whatever happens), and a stub of Slack's Web API for the real app to start against.
 */
export async function withBenchDatabase<T>(
  server: string,
  name: string,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const { default: postgres } = await import('postgres');
  const dbName = `leak_bench_${name}_${process.pid}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const u = new URL(server);
  u.pathname = `/${dbName}`;
  try {
    return await fn(u.toString());
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

/** Slack stub: every Web API method answers ok (auth.test with a bot identity). */
export async function slackStub(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ ok: true, user_id: 'UBENCH', bot_id: 'BBENCH', team_id: 'TBENCH', user: 'bench' }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}
