// Tenant webhook benchmark: how long a key rotation takes to reach its receiver, and whether slow
// receivers cost the others anything. Prints its figures and one JSON line; each figure is set
// against a baseline measured in the same run. Not a test: nothing here asserts a time.
//   pnpm run bench:webhooks            100 rotations; 100 webhooks, 10 of them answering after 10 s
//   pnpm run bench:webhooks -- --quick  scaled down (what the smoke test runs)
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startWebhookReceiver, tempDir, type WebhookReceiver } from '@openkcm/testkit';
import { registerAccount } from '../src/keychain/accounts.js';
import { createKey, rotateKey } from '../src/keychain/service-keys.js';
import { provisionTenant } from '../src/keychain/tenants.js';
import { DEFAULT_DELIVERY_POLICY, WebhookDispatcher } from '../src/webhooks/dispatcher.js';
import { parseEgressRules } from '../src/webhooks/egress.js';
import { declareWebhook, forgetWebhook } from '../src/webhooks/webhooks.js';
import { ACTOR, openKeychain } from '../test/fixtures/keychain.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { quick: { type: 'boolean', default: false } },
});
const quick = values.quick;
const sizes = {
  rotations: quick ? 20 : 100,
  webhooks: quick ? 20 : 100,
  slow: quick ? 2 : 10,
  slowDelayMs: quick ? 2_000 : 10_000,
  crowdRotations: quick ? 5 : 20,
};

const results: Record<string, unknown> = { quick, sizes };
function report(name: string, figure: string, json: Record<string, unknown>): void {
  process.stdout.write(`${name.padEnd(60)} ${figure}\n`);
  results[name] = json;
}
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

const dir = await tempDir('openkcm-webhook-bench-');
const ctx = await openKeychain(dir.path);
const workspace = 'root:orgs:bench';
await provisionTenant(ctx, { workspace }, ACTOR);
await registerAccount(
  ctx,
  workspace,
  { name: 'main', providerType: 'Local', keyReference: 'root-one' },
  ACTOR,
);
await createKey(
  ctx,
  workspace,
  { name: 'orders', account: { name: 'main' }, rotationSchedule: '30d' },
  ACTOR,
);

/** When each rotation (by version) reached each receiver. */
const arrivals = new Map<WebhookReceiver, Map<number, number>>();
/** How long each receiver takes to answer. */
const delays = new Map<WebhookReceiver, number>();
async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver((received, response) => {
    const version = (JSON.parse(received.body) as { data?: { details?: { version?: number } } }).data?.details
      ?.version;
    if (version !== undefined) arrivals.get(started)?.set(version, performance.now());
    setTimeout(() => response.writeHead(204).end(), delays.get(started) ?? 0);
  });
  arrivals.set(started, new Map());
  return started;
}
const receivers: WebhookReceiver[] = [];
const dispatcher = new WebhookDispatcher(ctx.db, DEFAULT_DELIVERY_POLICY, () => {});
async function subscribe(receiverOf: WebhookReceiver, name: string): Promise<string> {
  const { row } = await ctx.db.transaction((sql) =>
    declareWebhook(sql, workspace, 'default', name, {
      generation: 1,
      url: receiverOf.url,
      events: ['KeyRotated'],
      enabled: true,
      signingSecret: `whsec_${randomBytes(32).toString('base64')}`,
    }),
  );
  dispatcher.declared(row.id, row.tenant_id);
  return row.id;
}

let version = 1;
/** Rotates and returns when each given receiver has it: per receiver, milliseconds since the rotation began. */
async function rotateAndWait(
  waitFor: WebhookReceiver[],
): Promise<{ rotationMs: number; deliveryMs: number[] }> {
  const started = performance.now();
  await rotateKey(ctx, workspace, 'orders', randomBytes(8).toString('hex'), ACTOR);
  const rotationMs = performance.now() - started;
  version++;
  const wanted = version;
  for (;;) {
    const times = waitFor.map((target) => arrivals.get(target)?.get(wanted));
    if (times.every((time) => time !== undefined))
      return { rotationMs, deliveryMs: times.map((time) => (time ?? 0) - started) };
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

// 1. One receiver: latency from the rotation to the receiver, against the rotation itself.
const single = await receiver();
receivers.push(single);
dispatcher.policy.rules.push(...parseEgressRules([`127.0.0.1:${single.port}`]));
const singleId = await subscribe(single, 'single');
const rotationTimes: number[] = [];
const latencies: number[] = [];
for (let index = 0; index < sizes.rotations; index++) {
  const { rotationMs, deliveryMs } = await rotateAndWait([single]);
  rotationTimes.push(rotationMs);
  latencies.push(deliveryMs[0] ?? Number.NaN);
}
report(
  `rotation → receiver, ${sizes.rotations} rotations`,
  `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}  (the rotation alone: p50 ${ms(percentile(rotationTimes, 50))}, p99 ${ms(percentile(rotationTimes, 99))})`,
  {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    baselineRotationP50Ms: percentile(rotationTimes, 50),
    baselineRotationP99Ms: percentile(rotationTimes, 99),
  },
);

// 2. A crowd: many webhooks on the same events, some answering only after a long delay.
await forgetWebhook(ctx.db, workspace, 'default', 'single');
dispatcher.forgotten(singleId);
const crowd: WebhookReceiver[] = [];
for (let index = 0; index < sizes.webhooks; index++) {
  const target = await receiver();
  receivers.push(target);
  crowd.push(target);
  dispatcher.policy.rules.push(...parseEgressRules([`127.0.0.1:${target.port}`]));
  await subscribe(target, `hook-${index}`);
}
const fast = crowd.slice(sizes.slow);
/** Rotations in a row; the fast receivers' latencies and deliveries per second. */
async function crowdRun(): Promise<{ latencies: number[]; perSecond: number }> {
  const measured: number[] = [];
  const started = performance.now();
  for (let index = 0; index < sizes.crowdRotations; index++)
    measured.push(...(await rotateAndWait(fast)).deliveryMs);
  return { latencies: measured, perSecond: measured.length / ((performance.now() - started) / 1000) };
}
const allFast = await crowdRun();
for (const target of crowd.slice(0, sizes.slow)) delays.set(target, sizes.slowDelayMs);
const withSlow = await crowdRun();
report(
  `${sizes.webhooks} webhooks, ${sizes.slow} answering after ${sizes.slowDelayMs / 1000} s: the fast ones`,
  `p50 ${ms(percentile(withSlow.latencies, 50))}, p99 ${ms(percentile(withSlow.latencies, 99))}, ${withSlow.perSecond.toFixed(0)} deliveries/s  (all fast: p50 ${ms(percentile(allFast.latencies, 50))}, p99 ${ms(percentile(allFast.latencies, 99))}, ${allFast.perSecond.toFixed(0)}/s)`,
  {
    fastP50Ms: percentile(withSlow.latencies, 50),
    fastP99Ms: percentile(withSlow.latencies, 99),
    fastDeliveriesPerSecond: withSlow.perSecond,
    baselineAllFastP50Ms: percentile(allFast.latencies, 50),
    baselineAllFastP99Ms: percentile(allFast.latencies, 99),
    baselineAllFastDeliveriesPerSecond: allFast.perSecond,
  },
);

process.stdout.write(`BENCH_JSON ${JSON.stringify(results)}\n`);
await dispatcher.close();
for (const target of receivers) await target.close();
await ctx.db.close();
await dir.remove();
