import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Child processes for the crash tests (crash-*.test.ts, issue 17): `leak` (or a test script) as a real
 * process, stopped at a named point and killed there with SIGKILL, then restarted as a new process.
 * A `leak` child is stopped with LEAK_CRASH_POINT (src/app/import/crash-points.ts): it prints
 * `crash point <name> reached` on stderr and waits to be killed.
 */
export const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Every child runs with this key, so the parent's and the children's email hashes agree. */
export const CRASH_ENV = { PII_HASH_KEY: 'crash-test-key', LOG_LEVEL: 'warn' } as const;

export interface Child {
  readonly process: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves once stderr has a line matching `re`; rejects if the child exits first. */
  waitFor(re: RegExp): Promise<void>;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** Exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Runs `script` (a .ts file) with Node and `args`, env = PATH + `env` only. */
export function spawnScript(script: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve(): void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
    for (const w of waiters.splice(0))
      if (w.re.test(err)) w.resolve();
      else waiters.push(w);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return {
    process: child,
    out: () => out,
    err: () => err,
    waitFor: (re) =>
      re.test(err)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ re, resolve });
            exited.then((code) =>
              reject(new Error(`child exited (${code}) before ${re}; stderr:\n${err}\nstdout:\n${out}`)),
            );
          }),
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    exited,
  };
}

/** `leak <args>` as a child process. */
export const spawnLeak = (args: string[], env: Record<string, string>): Child => spawnScript(CLI, args, env);

/** `leak <args>` to completion, as a new process: what a restart after a crash runs. */
export async function leak(args: string[], env: Record<string, string>) {
  const child = spawnLeak(args, env);
  const code = await child.exited;
  return { code, out: child.out(), err: child.err() };
}

/** `leak <args>` stopped at `point` (LEAK_CRASH_POINT) and left waiting there, to be killed. */
export async function leakStoppedAt(
  args: string[],
  env: Record<string, string>,
  point: string,
): Promise<Child> {
  const child = spawnLeak(args, { ...env, LEAK_CRASH_POINT: point });
  await child.waitFor(new RegExp(`crash point ${point.replace(/@\d+$/, '')} reached`));
  return child;
}

/** A TCP proxy to `port` on 127.0.0.1 that can be cut (connections dropped, new ones refused) and restored. */
export async function startProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  let listener: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      listener = createServer((client) => {
        const upstream = new Socket();
        upstream.connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      listener.listen(port, '127.0.0.1', () => {
        port = (listener!.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    /** Drops every connection and stops listening: connecting is refused until restore(). */
    async cut() {
      await new Promise<void>((resolve) => {
        listener!.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: listen,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) =>
        listener?.listening ? listener.close(() => resolve()) : resolve(),
      );
    },
  };
}
