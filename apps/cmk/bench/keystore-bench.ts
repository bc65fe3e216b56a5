// Keystore benchmark: wrap/unwrap per second for each L1 keystore plugin against its test backend
// (local files, SoftHSM2 over PKCS#11, the OpenBao and AWS KMS protocol doubles over loopback), and
// CMK's L3 unwrap with and without its L2 root cache, all in one run. Baseline: in-process
// AES-256-GCM wrap+unwrap of the same 32 bytes. Prints figures and one JSON line; asserts nothing.
//   pnpm run bench:keystores            full sizes
//   pnpm run bench:keystores -- --quick  scaled down (what the smoke test runs)
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AwsKmsKeystore } from '@openkcm/plugin-keystore-aws-kms';
import { OpenBaoKeystore } from '@openkcm/plugin-keystore-openbao';
import { Pkcs11Keystore } from '@openkcm/plugin-keystore-pkcs11';
import type { KeyHandle, KeystoreProvider } from '@openkcm/plugin-sdk';
import {
  ACCOUNT_APPROLE,
  initialiseToken,
  SOFTHSM_LIBRARY,
  softHsmAvailable,
  startAwsDoubles,
  startOpenBaoDouble,
  tempDir,
} from '@openkcm/testkit';
import { registerAccount } from '../src/keychain/accounts.js';
import type { KeyChainContext } from '../src/keychain/context.js';
import { RootCache } from '../src/keychain/root-cache.js';
import { createKey, unwrapVersion } from '../src/keychain/service-keys.js';
import { provisionTenant } from '../src/keychain/tenants.js';
import { ACTOR, openKeychain } from '../test/fixtures/keychain.js';

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

const dir = await tempDir('openkcm-keystore-bench-');
const base: KeyChainContext = await openKeychain(dir.path);
const cleanups: Array<() => Promise<unknown>> = [];

// The backends, set up as the tests do.
const bao = await startOpenBaoDouble();
cleanups.push(() => bao.close());
bao.enableTransit('');
bao.createKey('', 'transit', 'bench-root');
bao.writePolicy('', 'bench', {
  'transit/keys/bench-root': ['read'],
  'transit/encrypt/bench-root': ['update'],
  'transit/decrypt/bench-root': ['update'],
});
const appRole = bao.addAppRole('', 'bench', { policies: ['bench'] });
await writeFile(join(dir.path, 'role-id'), appRole.roleId);
await writeFile(join(dir.path, 'secret-id'), appRole.secretId);
const openBao = new OpenBaoKeystore();
await openBao.configure({
  address: bao.address,
  tls: { caBundleFile: bao.caFile, serverName: bao.serverName },
  auth: {
    method: 'AppRole',
    appRole: { roleIdFile: join(dir.path, 'role-id'), secretIdFile: join(dir.path, 'secret-id') },
  },
});

const aws = await startAwsDoubles();
cleanups.push(() => aws.close());
await writeFile(join(dir.path, 'web-identity'), 'bench-web-identity');
const awsKms = new AwsKmsKeystore();
await awsKms.configure({
  roleArn: aws.addRole('bench', { webIdentityToken: 'bench-web-identity' }),
  webIdentityTokenFile: join(dir.path, 'web-identity'),
  region: 'eu-central-1',
  endpoints: { kms: aws.kmsEndpoint, sts: aws.stsEndpoint },
});
const awsKey = aws.createKey('eu-central-1');

const subjects: Array<{ provider: string; backend: string; plugin: KeystoreProvider; key: KeyHandle }> = [
  {
    provider: 'Local',
    backend: 'files on this disk',
    plugin: base.keystores.get('Local') as KeystoreProvider,
    key: { keyReference: 'root-one' },
  },
  {
    provider: 'OpenBao',
    backend: 'OpenBao double, HTTPS loopback',
    plugin: openBao,
    key: {
      keyReference: 'transit/keys/bench-root',
      accessData: { address: bao.address, auth: ACCOUNT_APPROLE },
    },
  },
  {
    provider: 'AWS',
    backend: 'KMS + STS doubles, HTTP loopback, SigV4',
    plugin: awsKms,
    key: { keyReference: awsKey },
  },
];
if (softHsmAvailable()) {
  const token = await initialiseToken('openkcm-bench', '987654');
  cleanups.push(() => token.remove());
  const hsm = new Pkcs11Keystore();
  await hsm.configure({ library: SOFTHSM_LIBRARY, tokenLabel: 'openkcm-bench', pinFile: token.pinFile });
  await hsm.createKey({ keyReference: 'bench-root' });
  subjects.push({
    provider: 'ThalesHSM',
    backend: 'SoftHSM2 token, PKCS#11',
    plugin: hsm,
    key: { keyReference: 'bench-root' },
  });
}
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
    cmkL3UnwrapCachedPerSecond: cached,
    cmkL3UnwrapUncachedPerSecond: uncached,
  };
  rows.push([provider, backend, String(wrap), String(unwrap), String(cached), String(uncached)]);
}

const header = ['provider', 'backend', 'wrap/s', 'unwrap/s', 'CMK L3 unwrap/s (L2 cached)', '(no L2 cache)'];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
);
const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
process.stdout.write(`baseline: in-process AES-256-GCM wrap+unwrap of 32 bytes: ${baseline}/s\n`);
process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
if (!softHsmAvailable()) process.stdout.write('(ThalesHSM skipped: SoftHSM2 is not installed)\n');
process.stdout.write(`BENCH_JSON ${JSON.stringify(results)}\n`);

for (const { plugin } of subjects) await plugin.close?.();
await ctx.db.close();
for (const cleanup of cleanups) await cleanup();
await dir.remove();
