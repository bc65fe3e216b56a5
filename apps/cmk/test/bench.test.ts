import { runQuickBenchmark, softHsmAvailable } from '@openkcm/testkit';
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

describe.runIf(softHsmAvailable())('the keystore benchmark script', () => {
  it('measures wrap/unwrap for every keystore plugin, and CMK with and without its L2 cache, in one run', async () => {
    const figures = await runQuickBenchmark('apps/cmk/bench/keystore-bench.ts', 120_000);
    expect(figures.baselineAesGcmWrapUnwrapPerSecond).toBeGreaterThan(0);
    for (const provider of ['Local', 'OpenBao', 'AWS', 'ThalesHSM'])
      expect(figures[provider], provider).toMatchObject({
        wrapPerSecond: expect.any(Number),
        unwrapPerSecond: expect.any(Number),
        cmkL3UnwrapCachedPerSecond: expect.any(Number),
        cmkL3UnwrapUncachedPerSecond: expect.any(Number),
      });
  });
});

describe('the webhook benchmark script', () => {
  it('measures rotation-to-receiver latency, and the fast receivers beside slow ones, against baselines of the same run', async () => {
    const figures = await runQuickBenchmark('apps/cmk/bench/webhook-bench.ts', 120_000);
    const single = Object.entries(figures).find(([name]) => name.startsWith('rotation → receiver'))?.[1];
    expect(single).toMatchObject({ p50Ms: expect.any(Number), baselineRotationP50Ms: expect.any(Number) });
    const crowd = Object.entries(figures).find(([name]) => name.includes('answering after'))?.[1];
    expect(crowd).toMatchObject({ fastP50Ms: expect.any(Number), baselineAllFastP50Ms: expect.any(Number) });
  });
});
