import { join } from 'node:path';
import { REPO_ROOT } from '@openkcm/local-stack';
import { runQuickBenchmark } from '@openkcm/testkit';
import { describe, expect, it } from 'vitest';
import { browserTestsRunnable } from './support/browser.js';

describe.runIf(browserTestsRunnable())('pnpm run bench:web (quick mode)', () => {
  it('measures the bytes before data, the dashboard, the topology, a key page and the Activity in Chromium', async () => {
    const figures = (await runQuickBenchmark(join(REPO_ROOT, 'e2e/bench/web-bench.ts'), 240_000)) as {
      bytes: { totalKiB: number; hostKiB: number; remoteKiB: number; sharedKiB: number };
      dashboard: { loadsMs: number[] };
      topology: { nodes: number };
      keyPage: { versions: number; dataMs: number };
      activity: { firstPageMs: number };
    };
    expect(figures.bytes.remoteKiB).toBeGreaterThan(0);
    expect(figures.bytes.sharedKiB).toBeGreaterThan(0);
    expect(figures.bytes.totalKiB).toBeCloseTo(
      figures.bytes.hostKiB + figures.bytes.remoteKiB + figures.bytes.sharedKiB,
      0,
    );
    expect(figures.dashboard.loadsMs).toHaveLength(1);
    // 10 Accounts with 10 keys each: one root, the Accounts, one group of keys per Account.
    expect(figures.topology.nodes).toBe(21);
    expect(figures.keyPage.versions).toBe(20);
    expect(figures.keyPage.dataMs).toBeGreaterThan(0);
    expect(figures.activity.firstPageMs).toBeGreaterThan(0);
  }, 300_000);
});
