import { createServer } from 'node:net';

/**
 * A local TCP port nothing listens on: bound by the OS, then released. Connecting to it is refused at once
 * (ECONNREFUSED) until a test starts something there itself.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
