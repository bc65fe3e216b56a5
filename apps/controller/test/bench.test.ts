import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@openkcm/local-stack';
import { describe, expect, it } from 'vitest';

describe('the controller benchmark script', () => {
  it('runs in quick mode and prints its figures with the direct-CMK baseline as one JSON line', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'apps/controller/bench/controller-bench.ts', '--quick'],
      { cwd: REPO_ROOT, timeout: 180_000 },
    );
    const line = stdout.split('\n').find((text) => text.startsWith('BENCH_JSON '));
    const figures = JSON.parse(line?.slice('BENCH_JSON '.length) ?? '{}');
    expect(figures.keys).toBe(50);
    expect(figures.allReadySeconds).toBeGreaterThan(0);
    expect(figures.rotateNowMs.p99).toBeGreaterThanOrEqual(figures.rotateNowMs.p50);
    expect(figures.directRotateMs.p50).toBeGreaterThan(0);
  });
});
