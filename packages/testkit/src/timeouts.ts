/**
 * How long tests wait for things, named in one place. A small shared CI machine can be several
 * times slower than a laptop: waits are generous (slow makes a test slower, never red), and
 * OPENKCM_TEST_TIMEOUT_SCALE stretches all of them at once.
 */
const scale = Math.max(1, Number(process.env.OPENKCM_TEST_TIMEOUT_SCALE ?? 1) || 1);

export const TIMEOUTS = {
  /** The controller brings an object to the state its spec asks for. */
  converge: 90_000 * scale,
  /** A process (re)starts and answers its health check. */
  processStart: 60_000 * scale,
  /** A browser page shows what it is waiting for after a navigation or a redirect. */
  page: 30_000 * scale,
  /** A whole test that restarts processes or waits for several convergences. */
  longTest: 300_000 * scale,
} as const;
