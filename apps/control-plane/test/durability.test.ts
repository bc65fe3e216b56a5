import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, type RunningProcess, startProcess } from '@openkcm/local-stack';
import { requestJson } from '@openkcm/pki';
import { tempDir } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ENTRY = join(REPO_ROOT, 'apps/control-plane/src/main.ts');

describe('durability', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let running: RunningProcess | undefined;

  const launch = (port = '0') =>
    startProcess(
      {
        name: 'controlPlane',
        entry: ENTRY,
        args: ['--data-dir', dir.path, '--port', port, '--service-account', 'admin'],
      },
      { cwd: REPO_ROOT, logDir: join(dir.path, 'logs') },
    );

  beforeAll(async () => {
    dir = await tempDir('openkcm-durability-');
  });
  afterAll(async () => {
    await running?.stop();
    await dir.remove();
  });

  it('loses no acknowledged write when killed with SIGKILL in the middle of a burst', async () => {
    running = await launch();
    const token = (await readFile(join(dir.path, 'secrets', 'admin.token'), 'utf8')).trim();
    const ca = await readFile(join(dir.path, 'control-plane', 'tls', 'ca.crt'), 'utf8');
    const post = (name: string, data: Record<string, string> = {}) =>
      requestJson(collection(), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ metadata: { name }, data }),
        ca,
      });
    const collection = () => `${running?.url}/api/v1/namespaces/default/configmaps`;
    const acknowledged = new Map<string, string>();
    let stop = false;
    let sequence = 0;

    const writer = async () => {
      while (!stop) {
        const name = `cm-${sequence++}`;
        try {
          const response = await post(name, { payload: name.repeat(20) });
          if (response.status !== 201) continue;
          const body = response.body as { metadata: { resourceVersion: string } };
          acknowledged.set(name, body.metadata.resourceVersion);
        } catch {
          return; // the server is gone: this write was never acknowledged
        }
      }
    };
    const writers = Array.from({ length: 16 }, writer);
    while (acknowledged.size < 200) await new Promise((resolve) => setTimeout(resolve, 10));
    await running.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);

    const port = new URL(running.url).port;
    running = await launch(port);
    const list = await requestJson(collection(), { headers: { Authorization: `Bearer ${token}` }, ca });
    const items = (list.body as { items: Array<{ metadata: { name: string; resourceVersion: string } }> })
      .items;
    const stored = new Map(items.map((item) => [item.metadata.name, item.metadata.resourceVersion]));
    const missing = [...acknowledged].filter(([name, rv]) => stored.get(name) !== rv);
    expect(acknowledged.size).toBeGreaterThanOrEqual(200);
    expect(missing).toEqual([]);

    // and it keeps accepting writes with newer resourceVersions
    const after = await post('after-restart');
    expect(after.status).toBe(201);
    const newest = Math.max(...[...stored.values()].map(Number));
    const afterVersion = (after.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    expect(Number(afterVersion)).toBeGreaterThan(newest);
  });
});
