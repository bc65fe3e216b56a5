import { runQuickBenchmark } from '@openkcm/testkit';
import { describe, expect, it } from 'vitest';

describe('the controller benchmark script', () => {
  it('runs in quick mode and prints its figures with the direct-CMK baseline as one JSON line', async () => {
    const figures = (await runQuickBenchmark('apps/controller/bench/controller-bench.ts')) as {
      keys: number;
      allReadySeconds: number;
      rotateNowMs: { p50: number; p99: number };
      directRotateMs: { p50: number };
    };
    expect(figures.keys).toBe(50);
    expect(figures.allReadySeconds).toBeGreaterThan(0);
    expect(figures.rotateNowMs.p99).toBeGreaterThanOrEqual(figures.rotateNowMs.p50);
    expect(figures.directRotateMs.p50).toBeGreaterThan(0);
  });
});
