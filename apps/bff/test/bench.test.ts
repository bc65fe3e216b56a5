import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@openkcm/local-stack';
import { describe, expect, it } from 'vitest';

describe('the BFF benchmark script', () => {
  it('runs in quick mode and prints every figure with its baseline as one JSON line', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'apps/bff/bench/bff-bench.ts', '--quick'],
      { cwd: REPO_ROOT, timeout: 180_000 },
    );
    const line = stdout.split('\n').find((text) => text.startsWith('BENCH_JSON '));
    const figures = JSON.parse(line?.slice('BENCH_JSON '.length) ?? '{}');
    expect(figures.passThrough.direct.requestsPerSecond).toBeGreaterThan(0);
    expect(figures.passThrough.viaBff.errors).toBe(0);
    expect(figures.views.overview.errors).toBe(0);
    expect(figures.sse.delivered).toBe(figures.sse.expected);
  });
});
