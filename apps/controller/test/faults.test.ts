import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { readClientSecret } from '@openkcm/idp';
import { REPO_ROOT, type RunningProcess, startProcess } from '@openkcm/local-stack';
import { eventually, startTestStack, type TestStack } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GROUP = 'keychain.openkcm.io';
const VERSION = 'v1alpha1';
const NS = 'default';
process.env.CONTROLLER_LEASE_SECONDS = '3';

interface Resource {
  metadata: { name: string };
  status?: {
    currentVersion?: number;
    phase?: string;
    rekey?: { state?: string };
    conditions?: Array<{ type: string; status: string }>;
  };
}

describe('controller faults: kill -9, restarts and two replicas', () => {
  let stack: TestStack;
  let api: CustomObjectsApi;
  let second: RunningProcess | undefined;
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const get = async (plural: string, name: string) =>
    (await api
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural, name })
      .catch(() => undefined)) as Resource | undefined;
  const cmk = async (path: string) => {
    const response = await fetch(`${stack.endpoints.cmk}/api/v1/tenants/root:orgs:acme${path}`, {
      headers: { Authorization: `Bearer ${await stack.tokenFor('alice')}` },
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const create = (plural: string, kind: string, name: string, spec: Record<string, unknown>) =>
    api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name }, spec },
    });
  const controller = () => stack.processes.find((running) => running.name === 'controller');
  const isLeader = async (url: string) =>
    (await (await fetch(`${url}/metrics`)).text()).includes('openkcm_controller_leader 1');

  beforeAll(async () => {
    stack = await startTestStack();
    const config = new KubeConfig();
    config.loadFromFile(stack.kubeconfig);
    config.setCurrentContext('alice');
    api = config.makeApiClient(CustomObjectsApi);
    await api.createClusterCustomObject({
      group: 'apis.kcp.io',
      version: 'v1alpha1',
      plural: 'apibindings',
      body: {
        apiVersion: 'apis.kcp.io/v1alpha1',
        kind: 'APIBinding',
        metadata: { name: 'openkcm' },
        spec: { reference: { export: { name: GROUP } } },
      },
    });
    await create('accounts', 'Account', 'root', { providerType: 'Local', keyReference: 'acme-root' });
    await create('serviceencryptionkeys', 'ServiceEncryptionKey', 'payments', {
      accountRef: { name: 'root' },
      rotationSchedule: '30d',
    });
    await eventually(
      async () => (await get('serviceencryptionkeys', 'payments'))?.status?.currentVersion === 1,
      30_000,
      'the key to be ready',
    );
  });
  afterAll(async () => {
    await second?.stop();
    await stack?.dispose();
  });

  it('rotates exactly once when the controller is killed right after a rotate-now request', async () => {
    await api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'serviceencryptionkeys',
        name: 'payments',
        body: { metadata: { annotations: { 'keychain.openkcm.io/rotate-now': 'crash-1' } } },
      },
      merge,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await stack.restart('controller', 'SIGKILL');
    await eventually(
      async () => (await get('serviceencryptionkeys', 'payments'))?.status?.currentVersion === 2,
      30_000,
      'the rotation after the restart',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const key = await cmk('/keys/payments');
    expect(key.currentVersion).toBe(2);
    expect((key.versions as unknown[]).length).toBe(2);
  });

  it('completes a re-key once when the controller is killed in the middle of it', async () => {
    await api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'accounts',
        name: 'root',
        body: { spec: { keyReference: 'acme-backup' } },
      },
      merge,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stack.restart('controller', 'SIGKILL');
    await eventually(
      async () => (await get('accounts', 'root'))?.status?.rekey?.state === 'Succeeded',
      30_000,
      'the re-key to succeed',
    );
    const account = await cmk('/accounts/root');
    expect(account).toMatchObject({ keyReference: 'acme-backup', generation: 2, state: 'ACTIVE' });
    const tenants = (await api.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'tenants',
    })) as { items: unknown[] };
    expect(tenants.items).toHaveLength(1);
  });

  it('runs two replicas with one leader, and the other takes over when the leader dies', async () => {
    second = await startProcess(
      {
        name: 'controller-2',
        entry: join(REPO_ROOT, 'apps/controller/src/main.ts'),
        args: [
          '--data-dir',
          stack.dataDir,
          '--port',
          '0',
          '--control-plane',
          stack.endpoints.controlPlane ?? '',
          '--cmk',
          stack.endpoints.cmk ?? '',
          '--oidc-issuer',
          stack.endpoints.idp ?? '',
        ],
        env: { OIDC_CLIENT_SECRET: await readClientSecret(stack.dataDir, 'openkcm-controller') },
      },
      { cwd: REPO_ROOT, logDir: join(stack.dataDir, 'logs') },
    );
    const first = controller();
    if (!first) throw new Error('no controller in the stack');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const leaders = [await isLeader(first.url), await isLeader(second.url)];
    expect(leaders.filter(Boolean)).toHaveLength(1);
    expect(leaders[0]).toBe(true);
    await first.stop('SIGKILL');
    const standby = second;
    await eventually(() => isLeader(standby.url), 20_000, 'the second replica to lead');
    await create('serviceencryptionkeys', 'ServiceEncryptionKey', 'after-failover', {
      accountRef: { name: 'root' },
      rotationSchedule: '1d',
    });
    await eventually(
      async () => (await get('serviceencryptionkeys', 'after-failover'))?.status?.currentVersion === 1,
      30_000,
      'the new leader to reconcile',
    );
  });
});
