import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const READY_PREFIX = 'OPENKCM_READY ';

export interface ProcessSpec {
  name: string;
  /** A TypeScript entry point, run with Node and tsx. */
  entry: string;
  args: string[];
  env?: Record<string, string>;
}

export interface RunningProcess {
  name: string;
  url: string;
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export class ProcessStartError extends Error {}

/**
 * Starts one product process and waits for the line it prints once it listens:
 * `OPENKCM_READY {"name":"...","url":"..."}`. Its stderr goes to `<logDir>/<name>.log`.
 */
export async function startProcess(
  spec: ProcessSpec,
  options: { cwd: string; logDir: string; timeoutMs?: number; echo?: (line: string) => void },
): Promise<RunningProcess> {
  await mkdir(options.logDir, { recursive: true, mode: 0o700 });
  const logFile = join(options.logDir, `${spec.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', spec.entry, ...spec.args], {
    cwd: options.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.write(`${line}\n`);
    tail.push(line);
    if (tail.length > 20) tail.shift();
    options.echo?.(line);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new ProcessStartError(
          `${spec.name} did not start within ${(options.timeoutMs ?? 60_000) / 1000}s; see ${logFile}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith(READY_PREFIX)) return;
      clearTimeout(timer);
      try {
        const ready = JSON.parse(line.slice(READY_PREFIX.length)) as { url?: unknown };
        if (typeof ready.url !== 'string') throw new Error('no url');
        resolve(ready.url);
      } catch {
        reject(new ProcessStartError(`${spec.name} announced itself with an unreadable line: ${line}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new ProcessStartError(
          `${spec.name} exited with code ${code} before it was ready:\n${tail.join('\n')}\n(full log: ${logFile})`,
        ),
      );
    });
  });
  return {
    name: spec.name,
    url,
    pid: child.pid ?? -1,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}
