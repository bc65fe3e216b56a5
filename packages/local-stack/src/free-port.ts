import { createServer } from 'node:net';

/** The preferred port when nothing listens on it, otherwise 0 (any free port). */
export async function preferredPort(port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, host, () => probe.close(() => resolve(port)));
  });
}
