import { runQuickBenchmark } from '@openkcm/testkit';
import { describe, expect, it } from 'vitest';

interface CmkFigures {
  [name: string]: unknown;
  rekey: unknown[];
}

describe('the CMK benchmark script', () => {
  it('runs in quick mode and prints every figure with its baseline as one JSON line', async () => {
    const figures = (await runQuickBenchmark('apps/cmk/bench/cmk-bench.ts', 120_000)) as CmkFigures;
    const unwrap = figures['L3 unwrap (storage + L2 + AES-GCM), per second'] as {
      rawAesGcmPerSecond: number;
    };
    expect(unwrap.rawAesGcmPerSecond).toBeGreaterThan(0);
    const rotations = figures['rotations per second (rotate now, sequential)'] as {
      bareTransactionsPerSecond: number;
    };
    expect(rotations.bareTransactionsPerSecond).toBeGreaterThan(0);
    const storage = Object.entries(figures).find(([name]) =>
      name.startsWith('storage per Hourly key'),
    )?.[1] as { keepAll: { versions: number }; thirtyDayRetention: { versions: number } };
    expect(storage.thirtyDayRetention.versions).toBeLessThan(storage.keepAll.versions);
    expect(figures.rekey).toHaveLength(3);
  });
});
