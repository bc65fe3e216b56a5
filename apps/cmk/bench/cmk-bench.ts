// CMK benchmark: prints its figures and one JSON line; every figure is set against a baseline
// measured in the same run. Not a test: nothing here asserts a time.
//   pnpm run bench:cmk            full sizes (a few minutes)
//   pnpm run bench:cmk -- --quick  scaled down (what the smoke test runs)
//   DATABASE_URL=postgres://...    on PostgreSQL instead of embedded PGlite
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { tempDir } from '@openkcm/testkit';
import { registerAccount } from '../src/keychain/accounts.js';
import type { KeyChainContext } from '../src/keychain/context.js';
import { newKey, open, seal, versionContext } from '../src/keychain/crypto.js';
import { destroyExpiredMaterial } from '../src/keychain/lifecycle-jobs.js';
import { continueRekey, startRekey } from '../src/keychain/rekey.js';
import { createKey, rotateKey, unwrapVersion } from '../src/keychain/service-keys.js';
import { provisionTenant } from '../src/keychain/tenants.js';
import { ACTOR, openKeychain } from '../test/fixtures/keychain.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { quick: { type: 'boolean', default: false } },
});
const quick = values.quick;
const sizes = {
  rawAes: quick ? 20_000 : 200_000,
  unwraps: quick ? 300 : 3_000,
  rotations: quick ? 100 : 1_000,
  simulatedHours: quick ? 24 * 40 : 8_760,
  rekeyKeys: quick ? 500 : 10_000,
  rekeyVersions: quick ? [100, 2_000] : [1_000, 100_000],
};

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const results: Record<string, unknown> = {
  quick,
  database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
};
const lines: string[] = [];
function report(name: string, figure: string, json: Record<string, unknown>): void {
  lines.push(`${name.padEnd(52)} ${figure}`);
  process.stdout.write(`${name.padEnd(52)} ${figure}\n`);
  results[name] = json;
}

const dir = await tempDir('openkcm-bench-');
let clock = new Date('2027-01-01T00:00:00Z');
const ctx: KeyChainContext = await openKeychain(dir.path, {
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  now: () => clock,
});
const workspace = `root:orgs:bench-${randomUUID().slice(0, 8)}`;
const tenant = (await provisionTenant(ctx, { workspace }, ACTOR)).tenant;
await registerAccount(
  ctx,
  workspace,
  { name: 'main', providerType: 'Local', keyReference: 'root-one' },
  ACTOR,
);

// 1. L3 unwrap throughput against raw AES-256-GCM.
{
  const key = newKey();
  const aad = versionContext(tenant.id, 'k', 1);
  const sealed = seal(key, newKey(), aad);
  let started = process.hrtime.bigint();
  for (let index = 0; index < sizes.rawAes; index++) open(key, sealed, aad);
  const rawPerSecond = sizes.rawAes / seconds(started);
  await createKey(
    ctx,
    workspace,
    { name: 'unwrap', account: { name: 'main' }, rotationSchedule: '30d' },
    ACTOR,
  );
  await unwrapVersion(ctx, workspace, 'unwrap', 1);
  started = process.hrtime.bigint();
  for (let index = 0; index < sizes.unwraps; index++) await unwrapVersion(ctx, workspace, 'unwrap', 1);
  const unwrapPerSecond = sizes.unwraps / seconds(started);
  report(
    'L3 unwrap (storage + L2 + AES-GCM), per second',
    `${unwrapPerSecond.toFixed(0)}  (raw AES-256-GCM: ${rawPerSecond.toFixed(0)}/s, ratio ${(rawPerSecond / unwrapPerSecond).toFixed(1)}x)`,
    {
      unwrapPerSecond,
      rawAesGcmPerSecond: rawPerSecond,
      ratio: rawPerSecond / unwrapPerSecond,
    },
  );
}

// 2. Rotations per second against a bare transaction (one insert and one update) on the same database.
{
  await createKey(
    ctx,
    workspace,
    { name: 'rotating', account: { name: 'main' }, rotationSchedule: '30d' },
    ACTOR,
  );
  let started = process.hrtime.bigint();
  for (let index = 0; index < sizes.rotations; index++)
    await rotateKey(ctx, workspace, 'rotating', `bench-${index}`, ACTOR);
  const rotationsPerSecond = sizes.rotations / seconds(started);
  await ctx.db.query(
    'create table if not exists bench_baseline (id serial primary key, payload bytea, counter integer)',
  );
  await ctx.db.query('insert into bench_baseline (payload, counter) values ($1, 0)', [newKey()]);
  started = process.hrtime.bigint();
  for (let index = 0; index < sizes.rotations; index++) {
    await ctx.db.transaction(async (sql) => {
      await sql.query('insert into bench_baseline (payload, counter) values ($1, $2)', [newKey(), index]);
      await sql.query('update bench_baseline set counter = counter + 1 where id = 1');
    });
  }
  const baselinePerSecond = sizes.rotations / seconds(started);
  report(
    'rotations per second (rotate now, sequential)',
    `${rotationsPerSecond.toFixed(0)}  (bare insert+update transaction: ${baselinePerSecond.toFixed(0)}/s)`,
    {
      rotationsPerSecond,
      bareTransactionsPerSecond: baselinePerSecond,
    },
  );
}

// 3. Storage per key after a simulated year of hourly rotation, without and with retention.
{
  const start = clock;
  await createKey(
    ctx,
    workspace,
    { name: 'hourly-keep-all', account: { name: 'main' }, rotationSchedule: 'Hourly' },
    ACTOR,
  );
  await createKey(
    ctx,
    workspace,
    {
      name: 'hourly-30-days',
      account: { name: 'main' },
      rotationSchedule: 'Hourly',
      retention: { maxAgeSeconds: 30 * 86_400 },
    },
    ACTOR,
  );
  const started = process.hrtime.bigint();
  for (let hour = 1; hour <= sizes.simulatedHours; hour++) {
    clock = new Date(start.getTime() + hour * 3_600_000);
    await rotateKey(ctx, workspace, 'hourly-keep-all', `hour-${hour}`, ACTOR);
    await rotateKey(ctx, workspace, 'hourly-30-days', `hour-${hour}`, ACTOR);
    if (hour % 24 === 0) await destroyExpiredMaterial(ctx);
  }
  const elapsed = seconds(started);
  const storage = async (name: string) => {
    const [row] = await ctx.db.query<{
      versions: number | string;
      bytes: number | string | null;
      requests: number | string;
    }>(
      `select (select count(*) from key_versions v where v.key_id = k.id) as versions,
              (select sum(pg_column_size(v.*)) from key_versions v where v.key_id = k.id) as bytes,
              (select count(*) from rotation_requests r where r.key_id = k.id) as requests
         from service_keys k where k.tenant_id = $1 and k.name = $2`,
      [tenant.id, name],
    );
    return {
      versions: Number(row?.versions),
      bytes: Number(row?.bytes ?? 0),
      rotationRequests: Number(row?.requests),
    };
  };
  const keepAll = await storage('hourly-keep-all');
  const retained = await storage('hourly-30-days');
  report(
    `storage per Hourly key after ${sizes.simulatedHours} rotations`,
    `keep all: ${keepAll.versions} versions, ${(keepAll.bytes / 1024).toFixed(0)} KiB; 30-day retention: ${retained.versions} versions, ${(retained.bytes / 1024).toFixed(0)} KiB`,
    {
      hours: sizes.simulatedHours,
      keepAll,
      thirtyDayRetention: retained,
      simulatedRotationsPerSecond: (2 * sizes.simulatedHours) / elapsed,
    },
  );
  clock = new Date(start.getTime() + (sizes.simulatedHours + 1) * 3_600_000);
}

/** Bulk-loads an Account with `keys` keys holding `versions` versions in all, wrapped for real under its root. */
async function loadAccount(name: string, keys: number, versions: number): Promise<string> {
  const account = (
    await registerAccount(ctx, workspace, { name, providerType: 'Local', keyReference: 'root-one' }, ACTOR)
  ).account;
  const root = await ctx.roots.get(ctx, ctx.db, account.id, 1);
  const perKey = Math.max(1, Math.floor(versions / keys));
  for (let first = 0; first < keys; first += 500) {
    await ctx.db.transaction(async (sql) => {
      for (let index = first; index < Math.min(keys, first + 500); index++) {
        const id = randomUUID();
        await sql.query(
          `insert into service_keys (id, tenant_id, account_id, name, algorithm, state, rotation_interval_seconds, next_rotation_at, current_version)
           values ($1, $2, $3, $4, 'AES-GCM-256', 'ENABLED', 2592000, $5, $6)`,
          [
            id,
            tenant.id,
            account.id,
            `${name}-${index}`,
            new Date(clock.getTime() + 30 * 86_400_000),
            perKey,
          ],
        );
        const rows: unknown[] = [];
        const placeholders: string[] = [];
        for (let version = 1; version <= perKey; version++) {
          placeholders.push(`($${rows.length + 1}, $${rows.length + 2}, 1, $${rows.length + 3}, 'ACTIVE')`);
          rows.push(id, version, seal(root, newKey(), versionContext(tenant.id, id, version)));
        }
        await sql.query(
          `insert into key_versions (key_id, version, account_generation, wrapped, state) values ${placeholders.join(', ')}`,
          rows,
        );
      }
    });
  }
  return account.id;
}

// 4. Re-key time: 10,000 keys, and how it grows with the number of versions.
{
  const cases = [
    { name: 'rekey-keys', keys: sizes.rekeyKeys, versions: sizes.rekeyKeys },
    ...sizes.rekeyVersions.map((versions, index) => ({
      name: `rekey-versions-${index}`,
      keys: Math.min(1_000, versions),
      versions,
    })),
  ];
  const figures: Array<Record<string, number>> = [];
  for (const item of cases) {
    const accountId = await loadAccount(item.name, item.keys, item.versions);
    const started = process.hrtime.bigint();
    await startRekey(ctx, workspace, item.name, { keyReference: 'root-two' }, ACTOR);
    await continueRekey(ctx, accountId, 1_000);
    const elapsed = seconds(started);
    const [count] = await ctx.db.query<{ versions: number | string }>(
      'select count(*) as versions from key_versions v join service_keys k on k.id = v.key_id where k.account_id = $1 and v.account_generation = 2',
      [accountId],
    );
    figures.push({
      keys: item.keys,
      versions: Number(count?.versions),
      seconds: elapsed,
      versionsPerSecond: Number(count?.versions) / elapsed,
    });
    report(
      `re-key: ${item.keys} keys, ${Number(count?.versions)} versions`,
      `${elapsed.toFixed(2)} s  (${(Number(count?.versions) / elapsed).toFixed(0)} versions/s)`,
      figures[figures.length - 1] ?? {},
    );
  }
  results.rekey = figures;
}

process.stdout.write(`BENCH_JSON ${JSON.stringify(results)}\n`);
await ctx.db.close();
await dir.remove();
