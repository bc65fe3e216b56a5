// Controller benchmark against the real processes: prints its figures and one JSON line, each
// beside a baseline measured in the same run (CMK called directly). Not a test: nothing asserts a time.
//   pnpm run bench:controller              1,000 keys, 100 rotations
//   pnpm run bench:controller -- --quick   50 keys, 10 rotations (what the smoke test runs)
import { parseArgs } from 'node:util';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { openKcmBinding } from '@openkcm/api';
import { eventually, startTestStack } from '@openkcm/testkit';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { quick: { type: 'boolean', default: false } },
});
const keys = values.quick ? 50 : 1_000;
const rotations = values.quick ? 10 : 100;
const GROUP = 'keychain.openkcm.io';
const VERSION = 'v1alpha1';
const NS = 'default';

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let first = 0; first < items.length; first += size)
    await Promise.all(items.slice(first, first + size).map(work));
}

const stack = await startTestStack();
try {
  const config = new KubeConfig();
  config.loadFromFile(stack.kubeconfig);
  config.setCurrentContext('alice');
  const api = config.makeApiClient(CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const token = await stack.tokenFor('alice');
  const cmk = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.endpoints.cmk}/api/v1/tenants/root:orgs:acme${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const list = async () =>
    (
      (await api.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'serviceencryptionkeys',
      })) as {
        items: Array<{
          metadata: { name: string };
          status?: { currentVersion?: number; conditions?: Array<{ type: string; status: string }> };
        }>;
      }
    ).items;

  await api.createClusterCustomObject({
    group: 'apis.kcp.io',
    version: 'v1alpha1',
    plural: 'apibindings',
    body: openKcmBinding(),
  });
  await api.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: NS,
    plural: 'accounts',
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Account',
      metadata: { name: 'bench' },
      spec: { providerType: 'Local', keyReference: 'acme-root' },
    },
  });
  await eventually(
    async () => (await cmk('GET', '/accounts/bench')).state === 'ACTIVE',
    60_000,
    'the Account',
  );

  // Baseline: the same number of keys created straight in CMK.
  let started = performance.now();
  await inBatches([...Array(keys).keys()], 20, (index) =>
    cmk('POST', '/keys', { name: `direct-${index}`, accountRef: { name: 'bench' }, rotationSchedule: '30d' }),
  );
  const directSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  await inBatches([...Array(keys).keys()], 20, (index) =>
    api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'serviceencryptionkeys',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'ServiceEncryptionKey',
        metadata: { name: `key-${index}` },
        spec: { accountRef: { name: 'bench' } },
      },
    }),
  );
  const createdSeconds = (performance.now() - started) / 1000;
  await eventually(
    async () =>
      (await list()).filter((item) =>
        item.status?.conditions?.some(
          (condition) => condition.type === 'Ready' && condition.status === 'True',
        ),
      ).length === keys,
    600_000,
    'every key to be Ready',
  );
  const readySeconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${keys} ServiceEncryptionKeys created at once: all Ready after ${readySeconds.toFixed(1)} s (objects created in ${createdSeconds.toFixed(1)} s; the same keys straight in CMK: ${directSeconds.toFixed(1)} s)\n`,
  );

  const annotationLatency: number[] = [];
  for (let round = 1; round <= rotations; round++) {
    const before = performance.now();
    await api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'serviceencryptionkeys',
        name: 'key-0',
        body: { metadata: { annotations: { 'keychain.openkcm.io/rotate-now': `round-${round}` } } },
      },
      merge,
    );
    await eventually(
      async () =>
        (
          (await api.getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace: NS,
            plural: 'serviceencryptionkeys',
            name: 'key-0',
          })) as { status?: { currentVersion?: number } }
        ).status?.currentVersion ===
        round + 1,
      30_000,
      `rotation ${round}`,
      5,
    );
    annotationLatency.push(performance.now() - before);
  }
  const directLatency: number[] = [];
  for (let round = 1; round <= rotations; round++) {
    const before = performance.now();
    await cmk('POST', '/keys/direct-0/rotate', { requestId: `bench-${round}` });
    directLatency.push(performance.now() - before);
  }
  process.stdout.write(
    `rotate-now annotation to status.currentVersion: p50 ${percentile(annotationLatency, 0.5).toFixed(0)} ms, p99 ${percentile(annotationLatency, 0.99).toFixed(0)} ms (CMK rotate call alone: p50 ${percentile(directLatency, 0.5).toFixed(0)} ms, p99 ${percentile(directLatency, 0.99).toFixed(0)} ms)\n`,
  );
  process.stdout.write(
    `BENCH_JSON ${JSON.stringify({
      keys,
      rotations,
      allReadySeconds: readySeconds,
      objectsCreatedSeconds: createdSeconds,
      directCmkCreateSeconds: directSeconds,
      rotateNowMs: { p50: percentile(annotationLatency, 0.5), p99: percentile(annotationLatency, 0.99) },
      directRotateMs: { p50: percentile(directLatency, 0.5), p99: percentile(directLatency, 0.99) },
    })}\n`,
  );
} finally {
  await stack.dispose();
}
