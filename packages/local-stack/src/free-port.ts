import { createServer } from 'node:net';

/** The preferred port when nothing listens on it, otherwise 0 (any free port). */
export async function preferredPort(port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, host, () => probe.close(() => resolve(port)));
  });
}

/**
 * A port nothing listens on right now, for processes whose URL others must know before they start.
 * Drawn below Linux's ephemeral range (32768+), where the other processes' port-0 listeners land,
 * so a process started in between cannot take it.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await preferredPort(candidate, host)) === candidate) return candidate;
  }
}
