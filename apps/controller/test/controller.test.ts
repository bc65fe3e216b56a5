import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { eventually, startTestStack, type TestStack } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GROUP = 'keychain.openkcm.io';
const VERSION = 'v1alpha1';
const NS = 'default';
const TENANT = 'tenant-root-orgs-acme';

interface Resource {
  metadata: { name: string; uid: string; finalizers?: string[]; deletionTimestamp?: string };
  spec: Record<string, unknown>;
  status?: {
    phase?: string;
    cmkTenantID?: string;
    currentVersion?: number;
    nextRotation?: string;
    observedRotateRequest?: string;
    dependents?: string[];
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

describe('the controller against the local control plane and CMK', () => {
  let stack: TestStack;
  let api: CustomObjectsApi;
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const get = async (plural: string, name: string) =>
    (await api
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural, name })
      .catch(() => undefined)) as Resource | undefined;
  const ready = (resource: Resource | undefined) =>
    resource?.status?.conditions?.find((condition) => condition.type === 'Ready');
  const waitFor = async (
    plural: string,
    name: string,
    check: (resource: Resource | undefined) => boolean,
    what: string,
  ) => {
    let last: Resource | undefined;
    const matches = async () => {
      last = await get(plural, name);
      return check(last);
    };
    await eventually(matches, 30_000, what).catch((error: Error) => {
      throw new Error(`${error.message}; last status: ${JSON.stringify(last?.status)}`);
    });
    return last;
  };
  const cmk = async (path: string) => {
    const response = await fetch(`${stack.endpoints.cmk}/api/v1/tenants/root:orgs:acme${path}`, {
      headers: { Authorization: `Bearer ${await stack.tokenFor('alice')}` },
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const bind = () =>
    api.createClusterCustomObject({
      group: 'apis.kcp.io',
      version: 'v1alpha1',
      plural: 'apibindings',
      body: {
        apiVersion: 'apis.kcp.io/v1alpha1',
        kind: 'APIBinding',
        metadata: { name: 'openkcm' },
        spec: { reference: { export: { path: 'root:openkcm', name: GROUP } } },
      },
    });

  beforeAll(async () => {
    stack = await startTestStack();
    const config = new KubeConfig();
    config.loadFromFile(stack.kubeconfig);
    config.setCurrentContext('alice');
    api = config.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('creates and activates the Tenant when OpenKCM is enabled in the workspace (FR-101, FR-102)', async () => {
    await bind();
    const tenant = await waitFor(
      'tenants',
      TENANT,
      (resource) => resource?.status?.phase === 'Active',
      'the Tenant to be Active',
    );
    expect(tenant?.status?.cmkTenantID).toMatch(/^[0-9a-f-]{36}$/);
    expect((await cmk('')).state).toBe('ACTIVE');
  });

  it('makes an Account Ready only when its L1 key is usable (FR-201, FR-3.3)', async () => {
    await api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'accounts',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'Account',
        metadata: { name: 'local-root' },
        spec: { providerType: 'Local', keyReference: 'acme-root' },
      },
    });
    await api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'accounts',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'Account',
        metadata: { name: 'missing-root' },
        spec: { providerType: 'Local', keyReference: 'no-such-key' },
      },
    });
    const good = await waitFor(
      'accounts',
      'local-root',
      (resource) => ready(resource)?.status === 'True',
      'the Account to be Ready',
    );
    expect(good?.metadata.finalizers).toContain('keychain.openkcm.io/in-use');
    const bad = await waitFor(
      'accounts',
      'missing-root',
      (resource) => ready(resource)?.reason === 'L1KeyNotUsable',
      'the broken Account to say why',
    );
    expect(ready(bad)?.message).toContain('not found');
  });

  it('creates a key in CMK, rotates once per rotate-now value, and pushes schedule and state (FR-301..305)', async () => {
    await api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'serviceencryptionkeys',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'ServiceEncryptionKey',
        metadata: { name: 'orders' },
        spec: { accountRef: { name: 'local-root' }, rotationSchedule: '30d' },
      },
    });
    await waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.currentVersion === 1 && ready(resource)?.status === 'True',
      'the key to be Ready at version 1',
    );
    const annotate = (value: string) =>
      api.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: NS,
          plural: 'serviceencryptionkeys',
          name: 'orders',
          body: { metadata: { annotations: { 'keychain.openkcm.io/rotate-now': value } } },
        },
        merge,
      );
    await annotate('2026-11-22T10:00:00Z');
    await waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.currentVersion === 2,
      'the rotation to version 2',
    );
    await api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'serviceencryptionkeys',
        name: 'orders',
        body: { spec: { rotationSchedule: '1d' } },
      },
      merge,
    );
    await eventually(
      async () => (await cmk('/keys/orders')).rotationSchedule === '1d',
      30_000,
      'CMK to get the new schedule',
    );
    const rescheduled = await get('serviceencryptionkeys', 'orders');
    expect(rescheduled?.status?.currentVersion).toBe(2);
    await annotate('2026-11-22T11:00:00Z');
    await waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.currentVersion === 3,
      'the second rotation',
    );
    expect((await cmk('/keys/orders')).currentVersion).toBe(3);
    await api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'serviceencryptionkeys',
        name: 'orders',
        body: { spec: { state: 'Disabled' } },
      },
      merge,
    );
    await waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.phase === 'Disabled',
      'the key to be disabled',
    );
    expect((await cmk('/keys/orders')).state).toBe('DISABLED');
  });

  it('changes nothing when it reconciles objects that are already as they should be', async () => {
    const before = (await api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'serviceencryptionkeys',
      name: 'orders',
    })) as { metadata: { resourceVersion: string } };
    // Touching the Account makes the controller reconcile it and every key that uses it again.
    await api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'accounts',
        name: 'local-root',
        body: { metadata: { labels: { touched: 'yes' } } },
      },
      merge,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = (await api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'serviceencryptionkeys',
      name: 'orders',
    })) as { metadata: { resourceVersion: string } };
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const reconciles = await (await fetch(`${stack.endpoints.controller}/metrics`)).text();
    expect(reconciles).toMatch(/openkcm_controller_reconcile_total\{kind="Account",result="success"\} \d+/);
  });

  it('holds the deletion of an Account while a key uses it, naming the key, then completes it (FR-204)', async () => {
    await api.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'accounts',
      name: 'local-root',
    });
    const held = await waitFor(
      'accounts',
      'local-root',
      (resource) => ready(resource)?.reason === 'InUse',
      'the Account to report who uses it',
    );
    expect(ready(held)?.message).toContain('orders');
    await api.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'serviceencryptionkeys',
      name: 'orders',
    });
    await waitFor(
      'accounts',
      'local-root',
      (resource) => resource === undefined,
      'the Account to be deleted',
    );
    expect((await cmk('/keys/orders')).state).toBe('PENDING_DELETION');
  });

  it('suspends the Tenant when OpenKCM is disabled and recovers the same one when enabled again', async () => {
    const before = await get('tenants', TENANT);
    await api.deleteClusterCustomObject({
      group: 'apis.kcp.io',
      version: 'v1alpha1',
      plural: 'apibindings',
      name: 'openkcm',
    });
    await waitFor(
      'tenants',
      TENANT,
      (resource) => resource?.status?.phase === 'Suspended',
      'the Tenant to be Suspended',
    );
    expect((await cmk('')).state).toBe('SUSPENDED');
    await bind();
    const after = await waitFor(
      'tenants',
      TENANT,
      (resource) => resource?.status?.phase === 'Active',
      'the Tenant to be Active again',
    );
    expect(after?.metadata.uid).toBe(before?.metadata.uid);
    expect(after?.status?.cmkTenantID).toBe(before?.status?.cmkTenantID);
  });

  it('explains an invalid region and a missing Account in conditions, and records Events', async () => {
    await api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'tenants',
        name: TENANT,
        body: { spec: { region: 'mars-north-1' } },
      },
      merge,
    );
    const invalid = await waitFor(
      'tenants',
      TENANT,
      (resource) => ready(resource)?.reason === 'InvalidSpec',
      'the Tenant to refuse the region',
    );
    expect(ready(invalid)?.message).toContain('mars-north-1');
    await api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: 'tenants',
        name: TENANT,
        body: { spec: { region: 'eu-central-1' } },
      },
      merge,
    );
    await waitFor(
      'tenants',
      TENANT,
      (resource) => ready(resource)?.status === 'True',
      'the Tenant to recover',
    );
    await api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: 'serviceencryptionkeys',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'ServiceEncryptionKey',
        metadata: { name: 'orphan' },
        spec: { accountRef: { name: 'nowhere' } },
      },
    });
    const orphan = await waitFor(
      'serviceencryptionkeys',
      'orphan',
      (resource) => ready(resource)?.reason === 'AccountNotFound',
      'the key to name the missing Account',
    );
    expect(ready(orphan)?.message).toContain('nowhere');
    const core = new KubeConfig();
    core.loadFromFile(stack.kubeconfig);
    core.setCurrentContext('victor');
    const events = await core.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS });
    const reasons = events.items.map((event) => `${event.involvedObject.kind}/${event.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'Tenant/Active',
        'Account/L1KeyVerified',
        'Account/L1KeyNotUsable',
        'ServiceEncryptionKey/AccountNotFound',
      ]),
    );
  });

  it('exposes health and Prometheus metrics', async () => {
    expect((await fetch(`${stack.endpoints.controller}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${stack.endpoints.controller}/metrics`)).text();
    expect(metrics).toContain('openkcm_controller_leader 1');
    expect(metrics).toMatch(
      /openkcm_controller_reconcile_total\{kind="ServiceEncryptionKey",result="success"\} \d+/,
    );
  });
});
