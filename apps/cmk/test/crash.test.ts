import { type ChildProcess, spawn } from 'node:child_process';
import { REPO_ROOT } from '@openkcm/local-stack';
import { TIMEOUTS, tempDir } from '@openkcm/testkit';
import { describe, expect, it } from 'vitest';
import { registerAccount } from '../src/keychain/accounts.js';
import type { KeyChainContext } from '../src/keychain/context.js';
import { createKey, rotateKey, unwrapVersion } from '../src/keychain/service-keys.js';
import { provisionTenant } from '../src/keychain/tenants.js';
import { BACKENDS, databaseFor } from './backends.js';
import { ACTOR, openKeychain, WORKSPACE } from './fixtures/keychain.js';

const WORKER = new URL('./fixtures/crash-worker.ts', import.meta.url).pathname;

interface WorkerRun {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function runWorker(args: string[], url: string | undefined): WorkerRun {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(url ? { DATABASE_URL: url } : {}) },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return {
    child,
    output: () => output,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
}

/** Lets the worker make progress, then kills it with SIGKILL at a random moment; true when it finished first. */
async function killMidway(
  args: string[],
  url: string | undefined,
  progressed: (output: string) => boolean,
): Promise<boolean> {
  const worker = runWorker(args, url);
  const deadline = Date.now() + TIMEOUTS.converge;
  while (!progressed(worker.output()) && worker.child.exitCode === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 60)));
  const finished = worker.child.exitCode !== null;
  if (!finished) worker.child.kill('SIGKILL');
  const code = await worker.exited;
  if (finished && code !== 0) throw new Error(`the worker failed: ${worker.output()}`);
  return finished;
}

async function versionsOf(
  ctx: KeyChainContext,
): Promise<Array<{ name: string; version: number; current: number }>> {
  return ctx.db.query<{ name: string; version: number; current: number }>(
    'select k.name, v.version, k.current_version as current from key_versions v join service_keys k on k.id = v.key_id order by k.name, v.version',
  );
}

async function expectAllDecrypt(ctx: KeyChainContext, expected: number): Promise<void> {
  const versions = await versionsOf(ctx);
  expect(versions).toHaveLength(expected);
  for (const { name, version } of versions)
    expect((await unwrapVersion(ctx, WORKSPACE, name, version)).length).toBe(32);
}

describe.each(BACKENDS)('crash safety (kill -9) on %s', (backend) => {
  const database = databaseFor(backend);
  let url: string | undefined;
  const open = (dir: string, now?: () => Date) =>
    openKeychain(dir, { ...(url ? { databaseUrl: url } : {}), ...(now ? { now } : {}) });

  it('re-key: every version decrypts after each crash, and the re-key completes after restarts', async () => {
    url = await database.fresh();
    const dir = await tempDir('openkcm-crash-rekey-');
    let ctx = await open(dir.path);
    await provisionTenant(ctx, { workspace: WORKSPACE }, ACTOR);
    await registerAccount(
      ctx,
      WORKSPACE,
      { name: 'main', providerType: 'Local', keyReference: 'root-one' },
      ACTOR,
    );
    for (let index = 0; index < 20; index++) {
      await createKey(
        ctx,
        WORKSPACE,
        { name: `key-${index}`, account: { name: 'main' }, rotationSchedule: '30d' },
        ACTOR,
      );
      for (let rotation = 0; rotation < 9; rotation++)
        await rotateKey(ctx, WORKSPACE, `key-${index}`, `setup-${rotation}`, ACTOR);
    }
    await ctx.db.close();

    let crashes = 0;
    for (let attempt = 0; attempt < 6; attempt++) {
      const finished = await killMidway(['rekey', dir.path], url, (output) =>
        output.includes('rekey started'),
      );
      ctx = await open(dir.path);
      await expectAllDecrypt(ctx, 200);
      await ctx.db.close();
      if (finished) break;
      crashes++;
    }
    const last = runWorker(['rekey', dir.path], url);
    expect(await last.exited).toBe(0);
    ctx = await open(dir.path);
    const [account] = await ctx.db.query<{
      state: string;
      key_reference: string;
      current_generation: number;
      rekey_done: number;
      rekey_total: number;
    }>(
      "select state, key_reference, current_generation, rekey_done, rekey_total from accounts where name = 'main'",
    );
    expect(account).toEqual({
      state: 'ACTIVE',
      key_reference: 'root-two',
      current_generation: 2,
      rekey_done: 200,
      rekey_total: 200,
    });
    const generations = await ctx.db.query<{ account_generation: number }>(
      'select distinct account_generation from key_versions',
    );
    expect(generations).toEqual([{ account_generation: 2 }]);
    await expectAllDecrypt(ctx, 200);
    await ctx.db.close();
    await dir.remove();
    expect(crashes).toBeGreaterThan(0);
  });

  it('scheduled rotation: no rotation lost or doubled across crashes, and every version decrypts', async () => {
    url = await database.fresh();
    const dir = await tempDir('openkcm-crash-rotate-');
    const start = new Date('2026-01-01T00:00:00Z');
    let ctx = await open(dir.path, () => start);
    await provisionTenant(ctx, { workspace: WORKSPACE }, ACTOR);
    await registerAccount(
      ctx,
      WORKSPACE,
      { name: 'main', providerType: 'Local', keyReference: 'root-one' },
      ACTOR,
    );
    for (let index = 0; index < 40; index++) {
      await createKey(
        ctx,
        WORKSPACE,
        { name: `hourly-${index}`, account: { name: 'main' }, rotationSchedule: 'Hourly' },
        ACTOR,
      );
    }
    await ctx.db.close();

    const cycles = 6;
    let crashes = 0;
    for (let attempt = 0; attempt < 15; attempt++) {
      const finished = await killMidway(
        ['rotate', dir.path, start.toISOString(), String(cycles)],
        url,
        (output) => /cycle \d/.test(output),
      );
      if (finished) break;
      crashes++;
    }
    const last = runWorker(['rotate', dir.path, start.toISOString(), String(cycles)], url);
    expect(await last.exited).toBe(0);

    ctx = await open(dir.path, () => new Date(start.getTime() + cycles * 3_600_000 + 1000));
    const keys = await ctx.db.query<{
      name: string;
      current_version: number;
      requests: number;
      next_rotation_at: Date;
    }>(
      `select k.name, k.current_version, (select count(*) from rotation_requests r where r.key_id = k.id)::int as requests, k.next_rotation_at
         from service_keys k order by k.name`,
    );
    for (const key of keys) {
      expect(key.current_version, key.name).toBe(1 + cycles);
      expect(key.requests, key.name).toBe(cycles);
      expect(key.next_rotation_at.getTime()).toBeGreaterThan(start.getTime() + cycles * 3_600_000);
    }
    await expectAllDecrypt(ctx, 40 * (1 + cycles));
    await ctx.db.close();
    await dir.remove();
    expect(crashes).toBeGreaterThan(0);
  });
});
