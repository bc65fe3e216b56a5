import { runQuickBenchmark } from '@openkcm/testkit';
import { describe, expect, it } from 'vitest';

describe('the Crypto Edge benchmark script', () => {
  it('runs in quick mode and prints every figure beside its baselines as one JSON line', async () => {
    const figures = (await runQuickBenchmark('apps/crypto-edge/bench/edge-bench.ts', 240_000)) as Record<
      string,
      Record<string, unknown>
    >;
    expect(Number(figures.rawAesGcm?.decryptPerSecond)).toBeGreaterThan(0);
    expect(Number(figures.trivialHttp?.requestsPerSecond)).toBeGreaterThan(0);
    expect(figures.edgeHttp?.decrypt).toMatchObject({ errors: 0 });
    expect(figures.cmkRoute?.decrypt).toMatchObject({ errors: 0 });
    expect(
      Number((figures.edgeKmsV2?.decrypt as { requestsPerSecond?: number } | undefined)?.requestsPerSecond),
    ).toBeGreaterThan(0);
    expect(figures.disableToAllEdges?.trials).toBe(10);
    expect(figures.rotateToAllEdges?.trials).toBe(5);
  }, 300_000);
});
