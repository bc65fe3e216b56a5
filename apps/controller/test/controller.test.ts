import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { requestJson } from '@openkcm/pki';
import {
  eventually,
  kubectlAvailable,
  kubectlFor,
  NS,
  ready,
  startTestStack,
  type TestStack,
  TIMEOUTS,
  tempDir,
  Workspace,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('the controller against the local control plane and CMK', () => {
  let stack: TestStack;
  let acme: Workspace;

  beforeAll(async () => {
    stack = await startTestStack();
    acme = new Workspace(stack);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('creates and activates the Tenant when OpenKCM is enabled in the workspace (FR-101, FR-102)', async () => {
    await acme.enableOpenKcm();
    const tenant = await acme.waitFor(
      'tenants',
      acme.tenant,
      (resource) => resource?.status?.phase === 'Active',
      'the Tenant to be Active',
    );
    expect(tenant?.status?.cmkTenantID).toMatch(/^[0-9a-f-]{36}$/);
    expect((await acme.cmk('')).state).toBe('ACTIVE');
  });

  it('makes an Account Ready only when its L1 key is usable (FR-201, FR-3.3)', async () => {
    await acme.create('accounts', 'Account', 'local-root', {
      providerType: 'Local',
      keyReference: 'acme-root',
    });
    await acme.create('accounts', 'Account', 'missing-root', {
      providerType: 'Local',
      keyReference: 'no-such-key',
    });
    const good = await acme.waitFor(
      'accounts',
      'local-root',
      (resource) => ready(resource)?.status === 'True',
      'the Account to be Ready',
    );
    expect(good?.metadata.finalizers).toContain('keychain.openkcm.io/in-use');
    const bad = await acme.waitFor(
      'accounts',
      'missing-root',
      (resource) => ready(resource)?.reason === 'L1KeyNotUsable',
      'the broken Account to say why',
    );
    expect(ready(bad)?.message).toContain('not found');
  });

  it("refuses an Account region that is not its key's: AWS must match the ARN, other providers have none", async () => {
    await acme.create('accounts', 'Account', 'aws-elsewhere', {
      providerType: 'AWS',
      keyReference: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      region: 'eu-central-1',
    });
    await acme.create('accounts', 'Account', 'local-in-region', {
      providerType: 'Local',
      keyReference: 'acme-root',
      region: 'eu-central-1',
    });
    const aws = await acme.waitFor(
      'accounts',
      'aws-elsewhere',
      (resource) => ready(resource)?.reason === 'RegionMismatch',
      'the AWS Account to refuse a region other than its key ARN',
    );
    expect(ready(aws)?.message).toContain('set spec.region to eu-west-1');
    const local = await acme.waitFor(
      'accounts',
      'local-in-region',
      (resource) => ready(resource)?.reason === 'RegionMismatch',
      'the Local Account to refuse a region',
    );
    expect(ready(local)?.message).toContain('Local keys have no region');
    // Removing the region is all it takes.
    await acme.patch('accounts', 'local-in-region', { spec: { region: null } });
    await acme.waitFor(
      'accounts',
      'local-in-region',
      (resource) => ready(resource)?.status === 'True',
      'the Local Account without a region to be Ready',
    );
    await acme.remove('accounts', 'aws-elsewhere');
    await acme.remove('accounts', 'local-in-region');
  });

  it('creates a key in CMK, rotates once per rotate-now value, and pushes schedule and state (FR-301..305)', async () => {
    await acme.create('serviceencryptionkeys', 'ServiceEncryptionKey', 'orders', {
      accountRef: { name: 'local-root' },
      rotationSchedule: '30d',
    });
    await acme.waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.currentVersion === 1 && ready(resource)?.status === 'True',
      'the key to be Ready at version 1',
    );
    await acme.rotateNow('orders', '2026-11-22T10:00:00Z');
    await acme.waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.currentVersion === 2,
      'the rotation to version 2',
    );
    // The seed's words: what the user wrote stays in spec, status says the period it means.
    await acme.patch('serviceencryptionkeys', 'orders', { spec: { rotationSchedule: 'Daily' } });
    await eventually(
      async () => (await acme.cmk('/keys/orders')).rotationSchedule === '1d',
      TIMEOUTS.converge,
      'CMK to get the new schedule',
    );
    const daily = await acme.waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.rotationPeriod === '1d',
      'status to show the daily period',
    );
    expect(daily?.spec.rotationSchedule).toBe('Daily');
    const dueIn = (resource: typeof daily) =>
      Date.parse(String(resource?.status?.nextRotation)) - Date.parse(String(resource?.status?.lastRotation));
    expect(dueIn(daily)).toBe(86_400_000);
    await acme.patch('serviceencryptionkeys', 'orders', { spec: { rotationSchedule: '30 Days' } });
    const monthly = await acme.waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.rotationPeriod === '30d',
      'status to show the 30-day period',
    );
    expect(dueIn(monthly)).toBe(30 * 86_400_000);
    await acme.patch('serviceencryptionkeys', 'orders', { spec: { rotationSchedule: '1d' } });
    await eventually(
      async () => (await acme.cmk('/keys/orders')).rotationSchedule === '1d',
      TIMEOUTS.converge,
      'CMK to get the short form',
    );
    expect((await acme.get('serviceencryptionkeys', 'orders'))?.status?.currentVersion).toBe(2);
    // A user cannot put someone else's name on a rotation: the API server records who set rotate-now.
    await acme.patch('serviceencryptionkeys', 'orders', {
      metadata: {
        annotations: {
          'keychain.openkcm.io/rotate-now': '2026-11-22T11:00:00Z',
          'keychain.openkcm.io/rotate-now-requested-by': 'someone-else',
        },
      },
    });
    await acme.waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.currentVersion === 3,
      'the second rotation',
    );
    const history = (await acme.cmk('/keys/orders')) as {
      currentVersion: number;
      versions: Array<{ version: number; origin: string; createdBy: string }>;
    };
    expect(history.currentVersion).toBe(3);
    expect(
      history.versions.map(({ version, origin, createdBy }) => ({ version, origin, createdBy })),
    ).toEqual([
      { version: 3, origin: 'rotate-now', createdBy: acme.user },
      { version: 2, origin: 'rotate-now', createdBy: acme.user },
      { version: 1, origin: 'created', createdBy: 'service-account-openkcm-controller' },
    ]);
    const audit = (await acme.cmk('/audit?action=key.rotate&order=newest')) as {
      items: Array<{ actor: string; details: { via?: string } }>;
    };
    expect(audit.items[0]).toMatchObject({
      actor: acme.user,
      details: { via: 'service-account-openkcm-controller' },
    });
    // Only product services may name another user as the one who asked.
    expect(
      await acme.cmk('/keys/orders/rotate', {
        method: 'POST',
        body: { requestId: 'forged', requestedBy: 'bob' },
      }),
    ).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    await acme.patch('serviceencryptionkeys', 'orders', { spec: { state: 'Disabled' } });
    await acme.waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => resource?.status?.phase === 'Disabled',
      'the key to be disabled',
    );
    expect((await acme.cmk('/keys/orders')).state).toBe('DISABLED');
  });

  it.runIf(kubectlAvailable())('shows the schedule as the user wrote it in kubectl get', async () => {
    await acme.patch('serviceencryptionkeys', 'orders', { spec: { rotationSchedule: 'Weekly' } });
    await acme.waitFor(
      'serviceencryptionkeys',
      'orders',
      (key) => key?.status?.rotationPeriod === '7d',
      'weekly',
    );
    const cache = await tempDir('openkcm-kubectl-cache-');
    try {
      const listed = await kubectlFor(stack.kubeconfig, 'alice', cache.path)(['get', 'sek', 'orders']);
      expect(listed.stderr).toBe('');
      expect(listed.stdout).toMatch(/SCHEDULE/);
      expect(listed.stdout).toMatch(/orders\s+local-root\s+(Enabled|Disabled)\s+Weekly\s/);
    } finally {
      await cache.remove();
    }
  });

  it('schedules the destruction of a key deleted with kubectl, and restores it with its versions when applied again', async () => {
    const cache = await tempDir('openkcm-kubectl-cache-');
    const kubectl = kubectlFor(stack.kubeconfig, 'alice', cache.path);
    const manifest = `apiVersion: keychain.openkcm.io/v1alpha1
kind: ServiceEncryptionKey
metadata: {name: ledger, namespace: ${NS}}
spec: {accountRef: {name: local-root}, rotationSchedule: 30 Days}
`;
    expect((await kubectl(['apply', '-f', '-'], manifest)).stderr).toBe('');
    await acme.waitFor(
      'serviceencryptionkeys',
      'ledger',
      (resource) => ready(resource)?.status === 'True',
      'ledger to be Ready',
    );
    await acme.rotateNow('ledger', 'before-deletion');
    await acme.waitFor(
      'serviceencryptionkeys',
      'ledger',
      (resource) => resource?.status?.currentVersion === 2,
      'ledger at version 2',
    );

    await kubectl(['delete', 'serviceencryptionkey', 'ledger', '-n', NS, '--wait=true']);
    const pending = await acme.cmk('/keys/ledger');
    expect(pending.state).toBe('PENDING_DELETION');
    const config = new KubeConfig();
    config.loadFromFile(stack.kubeconfig);
    config.setCurrentContext('alice');
    const core = config.makeApiClient(CoreV1Api);
    const scheduledEvent = async () =>
      (await core.listNamespacedEvent({ namespace: NS })).items.find(
        (event) => event.involvedObject.kind === 'Tenant' && event.reason === 'KeyDestructionScheduled',
      );
    await eventually(
      async () => (await scheduledEvent()) !== undefined,
      TIMEOUTS.converge,
      'an Event on the Tenant',
    );
    expect((await scheduledEvent())?.message).toContain(
      `ledger will be destroyed on ${String(pending.deleteAfter)}`,
    );

    await kubectl(['apply', '-f', '-'], manifest);
    const restored = await acme.waitFor(
      'serviceencryptionkeys',
      'ledger',
      (resource) => ready(resource)?.status === 'True' && resource?.status?.currentVersion === 2,
      'ledger back with both versions',
    );
    const conditions = (restored?.status?.conditions ?? []) as Array<{
      type: string;
      reason: string;
      message: string;
    }>;
    const condition = conditions.find((item) => item.type === 'Restored');
    expect(condition?.reason).toBe('RestoredFromDeletion');
    expect(condition?.message).toContain(`scheduled for destruction on ${String(pending.deleteAfter)}`);
    expect((await acme.cmk('/keys/ledger')).state).toBe('ENABLED');
    await kubectl(['delete', 'serviceencryptionkey', 'ledger', '-n', NS, '--wait=true']);
    await cache.remove();
  });

  it('changes nothing when it reconciles objects that are already as they should be', async () => {
    // A label change makes the controller reconcile the key; a level-based reconcile then writes nothing.
    const labelled = (await acme.patch('serviceencryptionkeys', 'orders', {
      metadata: { labels: { touched: 'yes' } },
    })) as { metadata: { resourceVersion: string } };
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await acme.get('serviceencryptionkeys', 'orders'))?.metadata.resourceVersion).toBe(
      labelled.metadata.resourceVersion,
    );
    const account = (await acme.patch('accounts', 'local-root', {
      metadata: { labels: { touched: 'yes' } },
    })) as { metadata: { resourceVersion: string } };
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await acme.get('accounts', 'local-root'))?.metadata.resourceVersion).toBe(
      account.metadata.resourceVersion,
    );
  });

  it('holds the deletion of an Account while a key uses it, naming the key, then completes it (FR-204)', async () => {
    await acme.remove('accounts', 'local-root');
    const held = await acme.waitFor(
      'accounts',
      'local-root',
      (resource) => ready(resource)?.reason === 'InUse',
      'the Account to report who uses it',
    );
    expect(ready(held)?.message).toContain('orders');
    await acme.remove('serviceencryptionkeys', 'orders');
    await acme.waitFor(
      'accounts',
      'local-root',
      (resource) => resource === undefined,
      'the Account to be deleted',
    );
    expect((await acme.cmk('/keys/orders')).state).toBe('PENDING_DELETION');
  });

  it('suspends the Tenant when OpenKCM is disabled and recovers the same one when enabled again', async () => {
    const before = await acme.get('tenants', acme.tenant);
    await acme.disableOpenKcm();
    await acme.waitFor(
      'tenants',
      acme.tenant,
      (resource) => resource?.status?.phase === 'Suspended',
      'the Tenant to be Suspended',
    );
    expect((await acme.cmk('')).state).toBe('SUSPENDED');
    await acme.enableOpenKcm();
    const after = await acme.waitFor(
      'tenants',
      acme.tenant,
      (resource) => resource?.status?.phase === 'Active',
      'the Tenant to be Active again',
    );
    expect(after?.metadata.uid).toBe(before?.metadata.uid);
    expect(after?.status?.cmkTenantID).toBe(before?.status?.cmkTenantID);
  });

  it('explains an invalid region and a missing Account in conditions, and records Events', async () => {
    await acme.patch('tenants', acme.tenant, { spec: { region: 'mars-north-1' } });
    const invalid = await acme.waitFor(
      'tenants',
      acme.tenant,
      (resource) => ready(resource)?.reason === 'InvalidSpec',
      'the Tenant to refuse the region',
    );
    expect(ready(invalid)?.message).toContain('mars-north-1');
    await acme.patch('tenants', acme.tenant, { spec: { region: 'eu-central-1' } });
    await acme.waitFor(
      'tenants',
      acme.tenant,
      (resource) => ready(resource)?.status === 'True',
      'the Tenant to recover',
    );
    await acme.create('serviceencryptionkeys', 'ServiceEncryptionKey', 'orphan', {
      accountRef: { name: 'nowhere' },
    });
    const orphan = await acme.waitFor(
      'serviceencryptionkeys',
      'orphan',
      (resource) => ready(resource)?.reason === 'AccountNotFound',
      'the key to name the missing Account',
    );
    expect(ready(orphan)?.message).toContain('nowhere');
    const viewer = new KubeConfig();
    viewer.loadFromFile(stack.kubeconfig);
    viewer.setCurrentContext('victor');
    const events = await viewer.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS });
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

  it('watches through the APIExport virtual workspace and sees only the workspaces that bound it (kcp)', async () => {
    const globex = new Workspace(stack, 'mallory', 'root:orgs:globex');
    const asController = (path: string) =>
      requestJson(`${path.startsWith('http') ? '' : stack.endpoints.controlPlane}${path}`, {
        headers: { Authorization: `Bearer ${stack.controllerToken}` },
        ca: stack.controlPlaneCa,
      });
    // No listing of the whole server: the controller has only its export's view.
    expect((await asController('/clusters/*/apis/keychain.openkcm.io/v1alpha1/accounts')).status).toBe(403);
    const slice = await asController(
      '/clusters/root:openkcm/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/keychain.openkcm.io',
    );
    const viewUrl = (slice.body as { status: { endpoints: Array<{ url: string }> } }).status.endpoints[0]
      ?.url;
    expect(viewUrl).toMatch(/\/services\/apiexport\/root:openkcm\/keychain\.openkcm\.io$/);

    // An Account declared where OpenKCM is not enabled is outside the view: nothing touches it.
    await globex.create('accounts', 'Account', 'local-root', {
      providerType: 'Local',
      keyReference: 'globex-root',
    });
    const viewed = await asController(`${viewUrl}/clusters/*/apis/keychain.openkcm.io/v1alpha1/accounts`);
    const clusters = (
      viewed.body as { items: Array<{ metadata: { annotations: Record<string, string> } }> }
    ).items.map((item) => item.metadata.annotations['kcp.io/cluster']);
    expect(clusters).toContain(acme.path);
    expect(clusters).not.toContain(globex.path);
    const untouched = await globex.get('accounts', 'local-root');
    expect(untouched?.metadata.finalizers ?? []).toEqual([]);
    expect(untouched?.status).toBeUndefined();

    // Binding brings the workspace into the view, and the controller acts on what was there.
    await globex.enableOpenKcm();
    await globex.waitFor(
      'accounts',
      'local-root',
      (resource) => ready(resource)?.reason !== undefined,
      'the Account to be reconciled once globex bound the export',
    );
    await globex.disableOpenKcm();
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
