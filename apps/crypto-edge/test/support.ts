import { request } from 'node:https';
import { join } from 'node:path';
import { KubeClient } from '@openkcm/kube-client';
import { edgeAudience } from '@openkcm/spiffe';
import { LocalSpiffeIssuer } from '@openkcm/spiffe/local-issuer';
import { eventually, type TestStack, TIMEOUTS, type Workspace } from '@openkcm/testkit';
import { kubernetesStore } from '../src/credentials.js';
import { type EdgeOptions, type RunningEdge, startEdge } from '../src/edge.js';

export const ORDERS = 'spiffe://openkcm.local/ns/default/sa/orders';
export const BILLING = 'spiffe://openkcm.local/ns/default/sa/billing';

export interface EdgeAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A workload calling an edge's data-plane API with its JWT-SVID. */
export async function call(
  edgeUrl: string,
  token: string | undefined,
  key: string,
  operation: 'encrypt' | 'decrypt' | 'datakey' | 'rewrap',
  body: Record<string, unknown>,
): Promise<EdgeAnswer> {
  const response = await fetch(`${edgeUrl}/v1/keys/${key}/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A JSON call over mTLS with the given client certificate (GET without a body, POST with one). */
export function mtlsJson(
  url: URL,
  tls: { cert: string; key: string; ca: string },
  body?: unknown,
): Promise<EdgeAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        ...tls,
        agent: false,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export const b64 = (text: string) => Buffer.from(text).toString('base64');
export const text = (base64: unknown) => Buffer.from(String(base64), 'base64').toString('utf8');

export async function spiffeIssuer(stack: TestStack): Promise<LocalSpiffeIssuer> {
  return LocalSpiffeIssuer.open(join(stack.dataDir, 'spiffe'));
}

/** A token for the edge `edgeName` of `workspace`, as the workload would fetch from SPIRE. */
export async function tokenFor(stack: TestStack, workload: string, workspace: string, edgeName: string) {
  return (await spiffeIssuer(stack)).jwtSvid(workload, edgeAudience(workspace, edgeName));
}

/** One more edge in this test process, enrolled through the Kubernetes API like the stack's own. */
export async function startTestEdge(
  stack: TestStack,
  workspace: string,
  name: string,
  options: Partial<EdgeOptions> = {},
): Promise<RunningEdge> {
  const edge = await startEdge({
    store: kubernetesStore({
      kube: new KubeClient(stack.endpoints.controlPlane ?? '', stack.controllerToken, stack.controlPlaneCa),
      workspace,
      namespace: 'default',
      edgeName: name,
      log: () => undefined,
      pollMs: 250,
    }),
    trustBundleFile: join(stack.dataDir, 'spiffe', 'bundle.json'),
    trustDomain: 'openkcm.local',
    audience: edgeAudience(workspace, name),
    usageFlushMs: 500,
    log: () => undefined,
    ...options,
  });
  await edge.enrolled;
  await edgeReady(edge.url);
  return edge;
}

export async function edgeReady(url: string): Promise<void> {
  await eventually(
    async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
    TIMEOUTS.converge,
    `the edge at ${url} is ready (enrolled and synchronised with CMK)`,
    100,
  );
}

/** OpenKCM enabled, an Account `main` and keys in a workspace, all Ready. */
export async function keychainIn(
  workspace: Workspace,
  keys: Array<{ name: string; allowedWorkloads: string[] }>,
): Promise<void> {
  await workspace.enableOpenKcm().catch(() => undefined);
  await workspace.waitFor(
    'tenants',
    workspace.tenant,
    (tenant) => tenant?.status?.phase === 'Active',
    `the Tenant of ${workspace.path} is Active`,
  );
  await workspace.create('accounts', 'Account', 'main', {
    providerType: 'Local',
    keyReference: `${workspace.path.split(':').at(-1)}-root`,
  });
  await workspace.waitFor(
    'accounts',
    'main',
    (account) =>
      account?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True',
    `Account main of ${workspace.path} is Ready`,
  );
  for (const key of keys)
    await workspace.create('serviceencryptionkeys', 'ServiceEncryptionKey', key.name, {
      accountRef: { name: 'main' },
      allowedWorkloads: key.allowedWorkloads,
    });
  for (const key of keys)
    await workspace.waitFor(
      'serviceencryptionkeys',
      key.name,
      (resource) => resource?.status?.phase === 'Active',
      `key ${key.name} of ${workspace.path} is Active`,
    );
}
