// BFF benchmark against the real processes: prints its figures and one JSON line, each beside a
// baseline measured in the same run. Not a test: nothing asserts a time.
//   pnpm run bench:bff              100 Accounts, 10,000 keys, 200 SSE clients for 60 s
//   pnpm run bench:bff -- --quick   10 Accounts, 500 keys, 20 SSE clients for 5 s (the smoke test)
import { parseArgs } from 'node:util';
import { requestJson } from '@openkcm/pki';
import { seedKeychain, startTestStack } from '@openkcm/testkit';
import autocannon from 'autocannon';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { quick: { type: 'boolean', default: false } },
});
const quick = values.quick;
const sizes = {
  accounts: quick ? 10 : 100,
  keys: quick ? 500 : 10_000,
  sseClients: quick ? 20 : 200,
  sseSeconds: quick ? 5 : 60,
  loadSeconds: quick ? 3 : 10,
};
const WORKSPACE = 'root:orgs:acme';
const KEYCHAIN = `/clusters/${WORKSPACE}/apis/keychain.openkcm.io/v1alpha1/namespaces/default`;

const results: Record<string, unknown> = { quick, ...sizes };
function report(line: string, key: string, value: unknown): void {
  process.stdout.write(`${line}\n`);
  results[key] = value;
}

async function load(url: string, headers: Record<string, string>) {
  const result = await autocannon({ url, headers, connections: 10, duration: sizes.loadSeconds });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    requestsPerSecond: result.requests.average,
    errors: result.errors + result.non2xx,
  };
}

// The benchmark is one client address: lift the per-client rate limit for it.
process.env.BFF_RATE_LIMIT_PER_MINUTE = '100000000';
// One user holds every measured stream.
process.env.BFF_MAX_STREAMS_PER_USER = String(sizes.sseClients);
const stack = await startTestStack();
try {
  // Load the workspace directly into the control plane (the controller is stopped so that its
  // reconciles do not compete with the measurement).
  await stack.processes.find((running) => running.name === 'controller')?.stop();
  const started = performance.now();
  await seedKeychain(stack, WORKSPACE, sizes);
  const post = (path: string, body: unknown) =>
    requestJson(`${stack.endpoints.controlPlane}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.controllerToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      ca: stack.controlPlaneCa,
    });
  process.stdout.write(
    `loaded ${sizes.accounts} Accounts and ${sizes.keys} keys in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const token = await stack.tokenFor('alice');
  const user = { Authorization: `Bearer ${token}` };

  // 1. Pass-through overhead: the same GET through the BFF and straight to the control plane.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the direct baseline talks to the control plane's own CA on loopback
  const direct = await load(`${stack.endpoints.controlPlane}${KEYCHAIN}/accounts/account-0`, user);
  const viaBff = await load(`${stack.endpoints.bff}/api/v1/workspaces/${WORKSPACE}/accounts/account-0`, user);
  report(
    `GET one Account: BFF p50 ${viaBff.p50} ms, p99 ${viaBff.p99} ms, ${viaBff.requestsPerSecond.toFixed(0)} req/s (${viaBff.errors} errors); control plane directly p50 ${direct.p50} ms, p99 ${direct.p99} ms, ${direct.requestsPerSecond.toFixed(0)} req/s (throughput ratio ${(viaBff.requestsPerSecond / direct.requestsPerSecond).toFixed(2)})`,
    'passThrough',
    { viaBff, direct, throughputRatio: viaBff.requestsPerSecond / direct.requestsPerSecond },
  );

  // 2. Aggregated views over the whole workspace, against listing the keys directly.
  const listKeys = await load(`${stack.endpoints.controlPlane}${KEYCHAIN}/serviceencryptionkeys`, user);
  const overview = await load(`${stack.endpoints.bff}/api/v1/workspaces/${WORKSPACE}/overview`, user);
  const topology = await load(`${stack.endpoints.bff}/api/v1/workspaces/${WORKSPACE}/topology`, user);
  report(
    `overview over ${sizes.accounts} Accounts / ${sizes.keys} keys: p50 ${overview.p50} ms, p99 ${overview.p99} ms; topology: p50 ${topology.p50} ms, p99 ${topology.p99} ms (listing the keys directly: p50 ${listKeys.p50} ms, p99 ${listKeys.p99} ms)`,
    'views',
    { overview, topology, listKeysDirect: listKeys },
  );

  // 3. Many SSE clients: events delivered and BFF memory before and after.
  const bffPid = stack.processes.find((running) => running.name === 'bff')?.pid ?? 0;
  const rss = async () => {
    const status = await import('node:fs/promises')
      .then((fs) => fs.readFile(`/proc/${bffPid}/status`, 'utf8'))
      .catch(() => '');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  };
  const before = await rss();
  let delivered = 0;
  const controllers = Array.from({ length: sizes.sseClients }, () => new AbortController());
  await Promise.all(
    controllers.map(async (controller) => {
      const response = await fetch(`${stack.endpoints.bff}/api/v1/workspaces/${WORKSPACE}/events`, {
        headers: user,
        signal: controller.signal,
      });
      const reader = response.body?.getReader();
      void (async () => {
        const decoder = new TextDecoder();
        for (;;) {
          const chunk = await reader?.read().catch(() => undefined);
          if (!chunk || chunk.done) return;
          delivered += (decoder.decode(chunk.value).match(/^id: /gm) ?? []).length;
        }
      })();
    }),
  );
  const changes = Math.max(5, sizes.sseSeconds);
  for (let index = 0; index < changes; index++) {
    await post(`${KEYCHAIN}/serviceencryptionkeys`, {
      apiVersion: 'keychain.openkcm.io/v1alpha1',
      kind: 'ServiceEncryptionKey',
      metadata: { name: `sse-${index}` },
      spec: { accountRef: { name: 'account-0' } },
    });
    await new Promise((resolve) => setTimeout(resolve, (sizes.sseSeconds * 1000) / changes));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const during = await rss();
  for (const controller of controllers) controller.abort();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await rss();
  report(
    `${sizes.sseClients} SSE clients for ${sizes.sseSeconds} s: ${delivered} of ${sizes.sseClients * changes} events delivered; BFF memory ${before.toFixed(0)} MiB before, ${during.toFixed(0)} MiB with the clients, ${after.toFixed(0)} MiB after they left`,
    'sse',
    {
      clients: sizes.sseClients,
      expected: sizes.sseClients * changes,
      delivered,
      rssMiB: { before, during, after },
    },
  );
  process.stdout.write(`BENCH_JSON ${JSON.stringify(results)}\n`);
} finally {
  await stack.dispose();
}
