import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { tempDir } from './temp-dir.js';
import { TIMEOUTS } from './timeouts.js';

const BINARY = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

export function alertmanagerAvailable(): boolean {
  return existsSync(BINARY);
}

/** An alert as Alertmanager's v2 API lists it (gettableAlert), the parts tests read. */
export interface ListedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

export interface RunningAlertmanager {
  url: string;
  /** The alerts Alertmanager holds as active (firing and not yet ended). */
  alerts(): Promise<ListedAlert[]>;
  stop(): Promise<void>;
}

/** The real Prometheus Alertmanager (Debian's prometheus-alertmanager) on a random loopback port, clustering off. */
export async function startAlertmanager(): Promise<RunningAlertmanager> {
  if (!alertmanagerAvailable())
    throw new Error(`Alertmanager not found at ${BINARY}: apt-get install prometheus-alertmanager`);
  const dir = await tempDir('openkcm-alertmanager-');
  const port = await freePort();
  const config = join(dir.path, 'alertmanager.yml');
  await writeFile(config, 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + TIMEOUTS.processStart;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited: ${output}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`Alertmanager did not become ready within ${TIMEOUTS.processStart} ms: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    async alerts() {
      const response = await fetch(`${url}/api/v2/alerts`);
      if (!response.ok) throw new Error(`Alertmanager answered ${response.status}`);
      return (await response.json()) as ListedAlert[];
    },
    async stop() {
      const exited =
        child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
      await dir.remove();
    },
  };
}
