// Crypto Edge benchmark against the real processes: prints its figures and one JSON line, each
// beside baselines measured in the same run (raw AES-256-GCM in this process, a trivial node:http
// handler, CMK's own encrypt/decrypt routes). Not a test: nothing asserts a time.
//   pnpm run bench:edge              10 s per load, 100 disable and 50 rotate trials over 10 edges
//   pnpm run bench:edge -- --quick   2 s per load, 10 and 5 trials (the smoke test)
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { startTestStack, Workspace } from '@openkcm/testkit';
import autocannon from 'autocannon';
import { kmsKeyId, loadKmsService } from '../src/kms-v2.js';
import { b64, call, edgeReady, keychainIn, ORDERS, startTestEdge, tokenFor } from '../test/support.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { quick: { type: 'boolean', default: false } },
});
const quick = values.quick;
const sizes = {
  loadSeconds: quick ? 2 : 10,
  edges: 10,
  disableTrials: quick ? 10 : 100,
  rotateTrials: quick ? 5 : 50,
};
const WORKSPACE = 'root:orgs:acme';
const APISERVER = 'spiffe://openkcm.local/kube-apiserver';
const DATA = randomBytes(1024);

const results: Record<string, unknown> = { quick, ...sizes };
function report(line: string, key: string, value: unknown): void {
  process.stdout.write(`${line}\n`);
  results[key] = value;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
const round = (value: number) => Math.round(value * 100) / 100;

async function load(url: string, body: unknown, headers: Record<string, string> = {}) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    connections: 10,
    duration: sizes.loadSeconds,
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Calls per second of a synchronous operation run for about a second. */
function inProcess(operation: () => void): number {
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < 1000) {
    operation();
    count += 1;
  }
  return Math.round(count / ((performance.now() - started) / 1000));
}

/** gRPC calls from 10 concurrent callers for the load duration. */
async function grpcLoad(run: () => Promise<unknown>) {
  const latencies: number[] = [];
  const until = performance.now() + sizes.loadSeconds * 1000;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await run();
        latencies.push(performance.now() - started);
      }
    }),
  );
  return {
    requestsPerSecond: Math.round(latencies.length / sizes.loadSeconds),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
  };
}

const stack = await startTestStack();
const edges: Array<{ close(): Promise<void> }> = [];
try {
  const acme = new Workspace(stack, 'alice', WORKSPACE);
  await keychainIn(acme, [
    { name: 'orders', allowedWorkloads: [ORDERS] },
    { name: 'kube-secrets', allowedWorkloads: [APISERVER] },
  ]);
  const edgeUrl = stack.endpoints.edge ?? '';
  await edgeReady(edgeUrl);
  const token = await tokenFor(stack, ORDERS, WORKSPACE, 'edge');
  const auth = { Authorization: `Bearer ${token}` };
  const sealed = await call(edgeUrl, token, 'orders', 'encrypt', { plaintext: DATA.toString('base64') });

  // Baselines: AES-256-GCM with no I/O, and HTTP with no work.
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const reference = Buffer.concat([cipher.update(DATA), cipher.final()]);
  const tag = cipher.getAuthTag();
  const rawEncrypt = inProcess(() => {
    const each = createCipheriv('aes-256-gcm', key, randomBytes(12));
    Buffer.concat([each.update(DATA), each.final(), each.getAuthTag()]);
  });
  const rawDecrypt = inProcess(() => {
    const each = createDecipheriv('aes-256-gcm', key, iv);
    each.setAuthTag(tag);
    Buffer.concat([each.update(reference), each.final()]);
  });
  const trivial = createServer((request, response) => {
    request.resume();
    request.on('end', () =>
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}'),
    );
  });
  await new Promise<void>((resolve) => trivial.listen(0, '127.0.0.1', () => resolve()));
  const trivialUrl = `http://127.0.0.1:${(trivial.address() as AddressInfo).port}/`;
  const trivialLoad = await load(trivialUrl, { ciphertext: sealed.body.ciphertext });
  trivial.close();
  report(`raw AES-256-GCM 1 KiB in-process: encrypt ${rawEncrypt}/s, decrypt ${rawDecrypt}/s`, 'rawAesGcm', {
    encryptPerSecond: rawEncrypt,
    decryptPerSecond: rawDecrypt,
  });
  report(
    `trivial node:http handler (1 KiB body): ${trivialLoad.requestsPerSecond} req/s, p50 ${trivialLoad.p50} ms, p99 ${trivialLoad.p99} ms`,
    'trivialHttp',
    trivialLoad,
  );

  const cmkBase = `${stack.endpoints.cmk}/api/v1/tenants/${WORKSPACE}/keys/orders`;
  const admin = { Authorization: `Bearer ${await stack.tokenFor('alice')}` };
  const cmkEncrypt = await load(`${cmkBase}/encrypt`, { plaintext: DATA.toString('base64') }, admin);
  const cmkDecrypt = await load(`${cmkBase}/decrypt`, { ciphertext: sealed.body.ciphertext }, admin);
  report(
    `CMK's own route: encrypt ${cmkEncrypt.requestsPerSecond} req/s (p50 ${cmkEncrypt.p50} ms, p99 ${cmkEncrypt.p99} ms), decrypt ${cmkDecrypt.requestsPerSecond} req/s (p50 ${cmkDecrypt.p50} ms, p99 ${cmkDecrypt.p99} ms)`,
    'cmkRoute',
    { encrypt: cmkEncrypt, decrypt: cmkDecrypt },
  );

  const edgeEncrypt = await load(
    `${edgeUrl}/v1/keys/orders/encrypt`,
    { plaintext: DATA.toString('base64') },
    auth,
  );
  const edgeDecrypt = await load(
    `${edgeUrl}/v1/keys/orders/decrypt`,
    { ciphertext: sealed.body.ciphertext },
    auth,
  );
  report(
    `edge HTTP (keep-alive): encrypt ${edgeEncrypt.requestsPerSecond} req/s (p50 ${edgeEncrypt.p50} ms, p99 ${edgeEncrypt.p99} ms), decrypt ${edgeDecrypt.requestsPerSecond} req/s (p50 ${edgeDecrypt.p50} ms, p99 ${edgeDecrypt.p99} ms)`,
    'edgeHttp',
    { encrypt: edgeEncrypt, decrypt: edgeDecrypt },
  );
  const ratios = {
    decryptVsTrivialHandler: round(
      edgeDecrypt.requestsPerSecond / Math.max(1, trivialLoad.requestsPerSecond),
    ),
    decryptVsCmkRoute: round(edgeDecrypt.requestsPerSecond / Math.max(1, cmkDecrypt.requestsPerSecond)),
  };
  report(
    `edge HTTP decrypt = ${ratios.decryptVsTrivialHandler}x the trivial handler (goal >= 0.5), ${ratios.decryptVsCmkRoute}x CMK's route (goal >= 10)`,
    'ratios',
    ratios,
  );

  const Service = loadKmsService();
  const kms = new Service(
    `unix:${stack.endpoints.edgeKmsSocket}`,
    grpc.credentials.createInsecure(),
  ) as unknown as Record<
    string,
    (request: unknown, callback: (error: Error | null, response: { ciphertext: Buffer }) => void) => void
  > & { close(): void };
  const kmsCall = (method: 'Encrypt' | 'Decrypt', body: unknown) =>
    new Promise<{ ciphertext: Buffer }>((resolve, reject) =>
      kms[method]?.(body, (error, response) => (error ? reject(error) : resolve(response))),
    );
  const kmsSealed = await kmsCall('Encrypt', { plaintext: DATA, uid: 'bench' });
  const kmsEncrypt = await grpcLoad(() => kmsCall('Encrypt', { plaintext: DATA, uid: 'bench' }));
  const kmsDecrypt = await grpcLoad(() =>
    kmsCall('Decrypt', {
      ciphertext: kmsSealed.ciphertext,
      uid: 'bench',
      key_id: kmsKeyId('kube-secrets', 1),
    }),
  );
  kms.close();
  report(
    `edge KMS v2 gRPC (unix socket): encrypt ${kmsEncrypt.requestsPerSecond}/s (p50 ${kmsEncrypt.p50} ms, p99 ${kmsEncrypt.p99} ms), decrypt ${kmsDecrypt.requestsPerSecond}/s (p50 ${kmsDecrypt.p50} ms, p99 ${kmsDecrypt.p99} ms)`,
    'edgeKmsV2',
    { encrypt: kmsEncrypt, decrypt: kmsDecrypt },
  );

  // Ten edges holding the key: how long until every one refuses after a disable, and uses a new version after a rotation.
  const fleet = await Promise.all(
    Array.from({ length: sizes.edges }, (_, index) => startTestEdge(stack, WORKSPACE, `bench-${index}`)),
  );
  edges.push(...fleet);
  const fleetTokens = await Promise.all(
    fleet.map((_, index) => tokenFor(stack, ORDERS, WORKSPACE, `bench-${index}`)),
  );
  const everyEdge = (check: (index: number) => Promise<boolean>) =>
    Promise.all(
      fleet.map(async (_, index) => {
        while (!(await check(index))) await new Promise((resolve) => setTimeout(resolve, 1));
      }),
    );
  const decryptStatus = async (index: number) =>
    (
      await call(fleet[index]?.url ?? '', fleetTokens[index], 'orders', 'decrypt', {
        ciphertext: sealed.body.ciphertext,
      })
    ).status;
  await everyEdge(async (index) => (await decryptStatus(index)) === 200);
  const patchState = (state: 'ENABLED' | 'DISABLED') =>
    fetch(cmkBase, {
      method: 'PATCH',
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ state }),
    });
  const disableMs: number[] = [];
  for (let trial = 0; trial < sizes.disableTrials; trial += 1) {
    const started = performance.now();
    await patchState('DISABLED');
    await everyEdge(async (index) => (await decryptStatus(index)) === 422);
    disableMs.push(performance.now() - started);
    await patchState('ENABLED');
    await everyEdge(async (index) => (await decryptStatus(index)) === 200);
  }
  report(
    `disable -> all ${sizes.edges} edges refuse: p50 ${round(percentile(disableMs, 50))} ms, p99 ${round(percentile(disableMs, 99))} ms over ${sizes.disableTrials} trials (goal p99 < 250 ms)`,
    'disableToAllEdges',
    {
      p50: round(percentile(disableMs, 50)),
      p99: round(percentile(disableMs, 99)),
      trials: sizes.disableTrials,
    },
  );
  const rotateMs: number[] = [];
  for (let trial = 0; trial < sizes.rotateTrials; trial += 1) {
    const started = performance.now();
    const rotated = await fetch(`${cmkBase}/rotate`, {
      method: 'POST',
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ requestId: `bench-${Date.now()}-${trial}` }),
    });
    const version = Number(((await rotated.json()) as { version: number }).version);
    await everyEdge(
      async (index) =>
        Number(
          (
            await call(fleet[index]?.url ?? '', fleetTokens[index], 'orders', 'encrypt', {
              plaintext: b64('x'),
            })
          ).body.version,
        ) === version,
    );
    rotateMs.push(performance.now() - started);
  }
  report(
    `rotate -> new version used at all ${sizes.edges} edges: p50 ${round(percentile(rotateMs, 50))} ms, p99 ${round(percentile(rotateMs, 99))} ms over ${sizes.rotateTrials} trials`,
    'rotateToAllEdges',
    {
      p50: round(percentile(rotateMs, 50)),
      p99: round(percentile(rotateMs, 99)),
      trials: sizes.rotateTrials,
    },
  );
  process.stdout.write(`BENCH_JSON ${JSON.stringify(results)}\n`);
} finally {
  await Promise.all(edges.map((edge) => edge.close()));
  await stack.dispose();
}
