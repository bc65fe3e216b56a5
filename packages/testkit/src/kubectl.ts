import { spawn, spawnSync } from 'node:child_process';

/** kubectl is used where it is installed (CI installs it); tests that need it say so when they skip. */
export function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  (args: string[], input?: string): Promise<KubectlResult>;
  /** Starts a long-running kubectl (`get -w`, `wait`) and hands back its output as it arrives. */
  spawn(args: string[]): { output(): string; errors(): string; done: Promise<KubectlResult>; stop(): void };
}

export function kubectlFor(kubeconfig: string, context: string, cacheDir: string): Kubectl {
  const base = ['--kubeconfig', kubeconfig, '--context', context, '--cache-dir', cacheDir];
  const start = (args: string[], input?: string) => {
    const child = spawn('kubectl', [...base, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdin.end(input ?? '');
    const done = new Promise<KubectlResult>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
    return { child, done, output: () => stdout, errors: () => stderr };
  };
  const kubectl = ((args: string[], input?: string) => start(args, input).done) as Kubectl;
  kubectl.spawn = (args) => {
    const running = start(args);
    return {
      output: running.output,
      errors: running.errors,
      done: running.done,
      stop: () => running.child.kill('SIGTERM'),
    };
  };
  return kubectl;
}

/** Polls until `check` returns true or the time is up; for waiting on another process, not for timing assertions. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}
