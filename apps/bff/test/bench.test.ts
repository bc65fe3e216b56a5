import { runQuickBenchmark } from '@openkcm/testkit';
import { describe, expect, it } from 'vitest';

describe('the BFF benchmark script', () => {
  it('runs in quick mode and prints every figure with its baseline as one JSON line', async () => {
    const figures = (await runQuickBenchmark('apps/bff/bench/bff-bench.ts')) as {
      passThrough: { direct: { requestsPerSecond: number }; viaBff: { errors: number } };
      views: { overview: { errors: number } };
      sse: { delivered: number; expected: number };
    };
    expect(figures.passThrough.direct.requestsPerSecond).toBeGreaterThan(0);
    expect(figures.passThrough.viaBff.errors).toBe(0);
    expect(figures.views.overview.errors).toBe(0);
    expect(figures.sse.delivered).toBe(figures.sse.expected);
  });
});
