// Keystore benchmark: wrap/unwrap per second for each L1 keystore plugin against its test backend
// (local files, SoftHSM2 over PKCS#11, the OpenBao and AWS KMS protocol doubles over loopback), and
// CMK's L3 unwrap with and without its L2 root cache, all in one run. Baseline: in-process
// AES-256-GCM wrap+unwrap of the same 32 bytes. Prints figures and one JSON line; asserts nothing.
//   pnpm run bench:keystores            full sizes
//   pnpm run bench:keystores -- --quick  scaled down (what the smoke test runs)
// Needs SoftHSM2 (apt-get install softhsm2) for the Thales HSM figures.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { KeyHandle, KeystoreProvider } from '@openkcm/plugin-sdk';
import { startApeiroKeystores, tempDir } from '@openkcm/testkit';
import { registerAccount } from '../src/keychain/accounts.js';
import type { KeyChainContext } from '../src/keychain/context.js';
import { RootCache } from '../src/keychain/root-cache.js';
import { createKey, unwrapVersion } from '../src/keychain/service-keys.js';
import { provisionTenant } from '../src/keychain/tenants.js';
import { PluginHost } from '../src/plugins/plugin-host.js';
import { ACTOR, openKeychain } from '../test/fixtures/keychain.js';
import { CONFIG } from '../test/support.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { quick: { type: 'boolean', default: false } },
});
const quick = values.quick;
const operations = quick ? 40 : 400;
const cachedUnwraps = quick ? 200 : 2_000;

const perSecond = async (count: number, operation: () => Promise<unknown>) => {
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) await operation();
  return Math.round(count / (Number(process.hrtime.bigint() - started) / 1e9));
};

/** The same count of operations, eight in flight at a time. */
const perSecondEightAtOnce = async (count: number, operation: () => Promise<unknown>) => {
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next++ < count) await operation();
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return Math.round(count / (Number(process.hrtime.bigint() - started) / 1e9));
};

const dir = await tempDir('openkcm-keystore-bench-');
const base: KeyChainContext = await openKeychain(dir.path);
const cleanups: Array<() => Promise<unknown>> = [];

// The backends as the tests set them up, and the keystores as apeiro-profile in config.yaml loads them.
const backends = await startApeiroKeystores('openkcm-bench');
cleanups.push(() => backends.close());
const host = await PluginHost.load(CONFIG, 'apeiro-profile', {
  ...backends.env,
  OPENKCM_DATA_DIR: dir.path,
  // The profile names identity and platform plugins too; the benchmark authenticates nobody and
  // validates no tenant against the platform.
  OIDC_ISSUER: 'http://127.0.0.1:9/unused',
  CONTROL_PLANE_URL: 'https://127.0.0.1:9',
});
cleanups.push(() => host.close());
const BACKENDS: Record<string, string> = {
  Local: 'files on this disk',
  OpenBao: 'OpenBao double, HTTPS loopback',
  AWS: 'KMS + STS doubles, HTTP loopback, SigV4',
  ThalesHSM: 'SoftHSM2 token, PKCS#11',
};
const subjects = [
  {
    provider: 'Local',
    plugin: base.keystores.get('Local') as KeystoreProvider,
    key: { keyReference: 'root-one' } as KeyHandle,
  },
  ...(['OpenBao', 'AWS', 'ThalesHSM'] as const).map((provider) => ({
    provider,
    plugin: host.keystores.get(provider) as KeystoreProvider,
    key: backends.accounts[provider] as KeyHandle,
  })),
].map((subject) => ({ ...subject, backend: BACKENDS[subject.provider] ?? '' }));
const ctx: KeyChainContext = {
  ...base,
  keystores: new Map(subjects.map((subject) => [subject.provider, subject.plugin])),
};

// Baseline: what wrapping 32 bytes costs with no keystore at all.
const baselineKey = randomBytes(32);
const baseline = await perSecond(operations * 20, async () => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', baselineKey, iv);
  const sealed = Buffer.concat([cipher.update(randomBytes(32)), cipher.final()]);
  const decipher = createDecipheriv('aes-256-gcm', baselineKey, iv);
  decipher.setAuthTag(cipher.getAuthTag());
  Buffer.concat([decipher.update(sealed), decipher.final()]);
});

const workspace = `root:orgs:bench-${randomUUID().slice(0, 8)}`;
await provisionTenant(ctx, { workspace }, ACTOR);
const results: Record<string, unknown> = { quick, operations, baselineAesGcmWrapUnwrapPerSecond: baseline };
const rows: string[][] = [];
const aad = Buffer.from('openkcm:bench');
for (const { provider, backend, plugin, key } of subjects) {
  const material = randomBytes(32);
  const wrapped = await plugin.wrapKey(key, material, aad);
  const wrap = await perSecond(operations, () => plugin.wrapKey(key, material, aad));
  const unwrap = await perSecond(operations, () => plugin.unwrapKey(key, wrapped.ciphertext, aad));
  const unwrapConcurrent = await perSecondEightAtOnce(operations, () =>
    plugin.unwrapKey(key, wrapped.ciphertext, aad),
  );
  // CMK's L3 unwrap: with the L2 root cached, and with a cache that keeps nothing (every L3 unwrap
  // unwraps L2 at the keystore).
  const account = `${provider.toLowerCase()}-root`;
  await registerAccount(
    ctx,
    workspace,
    {
      name: account,
      providerType: provider,
      keyReference: key.keyReference,
      ...(key.accessData ? { accessData: key.accessData } : {}),
    },
    ACTOR,
  );
  const serviceKey = `${provider.toLowerCase()}-key`;
  await createKey(
    ctx,
    workspace,
    { name: serviceKey, account: { name: account }, rotationSchedule: '30d' },
    ACTOR,
  );
  // Warm up the query path first, so the first provider measured is not penalised.
  for (let index = 0; index < 50; index++) await unwrapVersion(ctx, workspace, serviceKey, 1);
  const cached = await perSecond(cachedUnwraps, () => unwrapVersion(ctx, workspace, serviceKey, 1));
  const uncachedContext: KeyChainContext = { ...ctx, roots: new RootCache(0) };
  const uncached = await perSecond(operations, () =>
    unwrapVersion(uncachedContext, workspace, serviceKey, 1),
  );
  results[provider] = {
    backend,
    wrapPerSecond: wrap,
    unwrapPerSecond: unwrap,
    unwrapEightAtOncePerSecond: unwrapConcurrent,
    cmkL3UnwrapCachedPerSecond: cached,
    cmkL3UnwrapUncachedPerSecond: uncached,
  };
  rows.push([
    provider,
    backend,
    String(wrap),
    String(unwrap),
    String(unwrapConcurrent),
    String(cached),
    String(uncached),
  ]);
}

const header = [
  'provider',
  'backend',
  'wrap/s',
  'unwrap/s',
  'unwrap/s (8 at once)',
  'CMK L3 unwrap/s (L2 cached)',
  '(no L2 cache)',
];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
);
const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
process.stdout.write(`baseline: in-process AES-256-GCM wrap+unwrap of 32 bytes: ${baseline}/s\n`);
process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
process.stdout.write(`BENCH_JSON ${JSON.stringify(results)}\n`);

await ctx.db.close();
for (const cleanup of cleanups) await cleanup();
await dir.remove();
