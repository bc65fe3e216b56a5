import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@openkcm/local-stack';
import { describe, expect, it } from 'vitest';

describe('the CMK benchmark script', () => {
  it('runs in quick mode and prints every figure with its baseline as one JSON line', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'apps/cmk/bench/cmk-bench.ts', '--quick'],
      { cwd: REPO_ROOT, timeout: 120_000 },
    );
    const line = stdout.split('\n').find((text) => text.startsWith('BENCH_JSON '));
    const figures = JSON.parse(line?.slice('BENCH_JSON '.length) ?? '{}');
    expect(figures['L3 unwrap (storage + L2 + AES-GCM), per second'].rawAesGcmPerSecond).toBeGreaterThan(0);
    expect(
      figures['rotations per second (rotate now, sequential)'].bareTransactionsPerSecond,
    ).toBeGreaterThan(0);
    const storage = Object.entries(figures).find(([name]) =>
      name.startsWith('storage per Hourly key'),
    )?.[1] as { keepAll: { versions: number }; thirtyDayRetention: { versions: number } };
    expect(storage.thirtyDayRetention.versions).toBeLessThan(storage.keepAll.versions);
    expect(figures.rekey).toHaveLength(3);
  });
});
