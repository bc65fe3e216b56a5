import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@openkcm/local-stack';

/** Runs a benchmark script in its quick mode and returns the figures of its `BENCH_JSON` line. */
export async function runQuickBenchmark(
  script: string,
  timeoutMs = 180_000,
): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, '--quick'], {
    cwd: REPO_ROOT,
    timeout: timeoutMs,
  });
  const line = stdout.split('\n').find((text) => text.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`${script} printed no BENCH_JSON line:\n${stdout}`);
  return JSON.parse(line.slice('BENCH_JSON '.length)) as Record<string, unknown>;
}
