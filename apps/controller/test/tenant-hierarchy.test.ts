import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  controlPlaneClient,
  PLATFORM_OIDC_CLIENTS,
  PLATFORM_REGIONS,
  seedAccountWorkspace,
} from '@openkcm/local-stack';
import {
  NS,
  type Resource,
  ready,
  startTestStack,
  type TestStack,
  TIMEOUTS,
  threeWorkspaces,
  Workspace,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KEY = 'serviceencryptionkeys';
const message = (resource: Resource | undefined) => ready(resource)?.message ?? '';

/**
 * FR-4.2 and FR-4.3 from the platform's own data (kcp shards, Platform Mesh AccountInfos), driven
 * with client-node as users do: a Tenant's region and audiences, and which Accounts a key may use.
 */
describe('tenants and their hierarchy, from what the platform says', () => {
  let stack: TestStack;
  let acme: Workspace;
  let teamA: Workspace;
  let teamB: Workspace;
  let globex: Workspace;

  beforeAll(async () => {
    stack = await startTestStack();
    [acme, teamA, globex] = threeWorkspaces(stack);
    // A sibling of team-a in the same organisation, as Platform Mesh creates an account.
    const platform = controlPlaneClient(
      stack.endpoints.controlPlane ?? '',
      stack.controllerToken,
      stack.controlPlaneCa,
    );
    await seedAccountWorkspace(platform, 'root:orgs:acme:team-b', stack.endpoints.idp ?? '');
    teamB = new Workspace(stack, 'alice', 'root:orgs:acme:team-b');
    for (const workspace of [acme, teamA, teamB, globex]) await workspace.enableOpenKcm();
    for (const workspace of [acme, teamA, teamB, globex])
      await workspace.waitFor(
        'tenants',
        workspace.tenant,
        (tenant) => tenant?.status?.phase === 'Active',
        `${workspace.path} Active`,
      );
  }, TIMEOUTS.longTest);
  afterAll(async () => {
    await stack?.dispose();
  });

  it("refuses a region the platform's shards do not have, naming those they have", async () => {
    await acme.patch('tenants', acme.tenant, { spec: { region: 'mars-north-1' } });
    const refused = await acme.waitFor(
      'tenants',
      acme.tenant,
      (tenant) => ready(tenant)?.reason === 'InvalidSpec',
      'the Tenant to refuse mars-north-1',
    );
    for (const region of PLATFORM_REGIONS) expect(message(refused)).toContain(region);
    await acme.patch('tenants', acme.tenant, { spec: { region: 'eu-west-1' } });
    await acme.waitFor(
      'tenants',
      acme.tenant,
      (tenant) => ready(tenant)?.status === 'True',
      'eu-west-1 accepted',
    );
    expect((await acme.cmk('')).region).toBe('eu-west-1');
  });

  it("accepts audiences that are the organisation's OIDC clients and then refuses tokens for other clients", async () => {
    await globex.patch('tenants', globex.tenant, { spec: { audiences: ['acme-console'] } });
    const refused = await globex.waitFor(
      'tenants',
      globex.tenant,
      (tenant) => ready(tenant)?.reason === 'InvalidSpec',
      'the Tenant to refuse an audience that is no client of globex',
    );
    expect(message(refused)).toContain(PLATFORM_OIDC_CLIENTS.console);
    // Only the tools client's tokens: a user's token from the console (as the tests' users have) is refused.
    await globex.patch('tenants', globex.tenant, { spec: { audiences: [PLATFORM_OIDC_CLIENTS.tools] } });
    await globex.waitFor(
      'tenants',
      globex.tenant,
      (tenant) => ready(tenant)?.status === 'True',
      'tools only',
    );
    const denied = await globex.cmk('/keys');
    expect(denied).toMatchObject({ code: 'PERMISSION_DENIED', status: 403 });
    expect(String(denied.message)).toContain(`accepts tokens for ${PLATFORM_OIDC_CLIENTS.tools} only`);
    expect(String(denied.message)).toContain(PLATFORM_OIDC_CLIENTS.console);
    // Other tenants are not affected, and lifting the restriction lets the token in again.
    expect((await acme.cmk('/keys')).items).toBeDefined();
    await globex.patch('tenants', globex.tenant, { spec: { audiences: null } });
    await globex.waitFor(
      'tenants',
      globex.tenant,
      (tenant) => ready(tenant)?.status === 'True',
      'no audiences',
    );
    const allowedAgain = async () => (await globex.cmk('/keys')).items !== undefined;
    for (let attempt = 0; !(await allowedAgain()) && attempt < 100; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await allowedAgain()).toBe(true);
  });

  it('lets a key use an Account of a parent workspace, and nothing else: not a sibling, a child or another organisation', async () => {
    await acme.create('accounts', 'Account', 'shared-root', {
      providerType: 'Local',
      keyReference: 'acme-root',
    });
    await teamB.create('accounts', 'Account', 'b-root', {
      providerType: 'Local',
      keyReference: 'acme-backup',
    });
    await teamA.create('accounts', 'Account', 'a-root', {
      providerType: 'Local',
      keyReference: 'acme-backup',
    });
    await globex.create('accounts', 'Account', 'g-root', {
      providerType: 'Local',
      keyReference: 'globex-root',
    });
    for (const [workspace, name] of [
      [acme, 'shared-root'],
      [teamB, 'b-root'],
      [teamA, 'a-root'],
      [globex, 'g-root'],
    ] as const)
      await workspace.waitFor(
        'accounts',
        name,
        (account) => ready(account)?.status === 'True',
        `${name} Ready`,
      );

    await teamA.create(KEY, 'ServiceEncryptionKey', 'from-parent', {
      accountRef: { name: 'shared-root', workspace: 'root:orgs:acme' },
    });
    await teamA.create(KEY, 'ServiceEncryptionKey', 'from-sibling', {
      accountRef: { name: 'b-root', workspace: 'root:orgs:acme:team-b' },
    });
    await acme.create(KEY, 'ServiceEncryptionKey', 'from-child', {
      accountRef: { name: 'a-root', workspace: 'root:orgs:acme:team-a' },
    });
    await globex.create(KEY, 'ServiceEncryptionKey', 'from-other-org', {
      accountRef: { name: 'shared-root', workspace: 'root:orgs:acme' },
    });

    const used = await teamA.waitFor(
      KEY,
      'from-parent',
      (key) => ready(key)?.status === 'True',
      'the parent’s Account in use',
    );
    expect(used?.status?.currentVersion).toBe(1);
    // The Account counts the key of the child workspace among its dependents.
    await acme.waitFor(
      'accounts',
      'shared-root',
      (account) =>
        (account?.status as { dependents?: string[] } | undefined)?.dependents?.includes(
          'root:orgs:acme:team-a/from-parent',
        ) === true,
      'the Account to list the key of team-a',
    );
    const refusal = async (workspace: Workspace, name: string) =>
      message(
        await workspace.waitFor(
          KEY,
          name,
          (key) => ready(key)?.reason === 'AccountOutsideHierarchy',
          `${name} to be refused`,
        ),
      );
    expect(await refusal(teamA, 'from-sibling')).toContain('not a parent of root:orgs:acme:team-a');
    expect(await refusal(acme, 'from-child')).toContain('not of a child');
    expect(await refusal(globex, 'from-other-org')).toContain('another organisation');

    // CMK decides the same from the platform's AccountInfos, whoever asks it directly.
    const direct = await teamA.cmk('/keys', {
      method: 'POST',
      body: { name: 'sneaky', accountRef: { name: 'b-root', workspace: 'root:orgs:acme:team-b' } },
    });
    expect(direct).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(String(direct.message)).toContain('is not a parent of root:orgs:acme:team-a');
    const otherOrg = await globex.cmk('/keys', {
      method: 'POST',
      body: { name: 'sneaky', accountRef: { name: 'shared-root', workspace: 'root:orgs:acme' } },
    });
    expect(String(otherOrg.message)).toContain('belongs to organisation acme, not globex');
  });
});

describe('offboarding: a deleted Tenant', () => {
  let stack: TestStack;
  let globex: Workspace;
  let acme: Workspace;

  beforeAll(async () => {
    stack = await startTestStack();
    [acme, , globex] = threeWorkspaces(stack);
    for (const workspace of [acme, globex]) {
      await workspace.enableOpenKcm();
      await workspace.create('accounts', 'Account', 'root', {
        providerType: 'Local',
        keyReference: workspace === acme ? 'acme-root' : 'globex-root',
      });
      await workspace.create(KEY, 'ServiceEncryptionKey', 'orders', { accountRef: { name: 'root' } });
      await workspace.waitFor(
        KEY,
        'orders',
        (key) => ready(key)?.status === 'True',
        `${workspace.path} orders Ready`,
      );
    }
  }, TIMEOUTS.longTest);
  afterAll(async () => {
    await stack?.dispose();
  });

  it('stays, Offboarding with the purge date, while every key waits out the deletion period; other tenants go on', async () => {
    const tenant = await globex.get('tenants', globex.tenant);
    expect(tenant?.metadata.finalizers).toContain('keychain.openkcm.io/cmk-cleanup');
    await globex.remove('tenants', globex.tenant);
    const offboarding = await globex.waitFor(
      'tenants',
      globex.tenant,
      (resource) => resource?.status?.phase === 'Offboarding',
      'the Tenant to be Offboarding',
    );
    const purgeAfter = String((offboarding?.status as { purgeAfter?: string } | undefined)?.purgeAfter);
    const days = (Date.parse(purgeAfter) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(message(offboarding)).toContain(`purges the tenant on ${purgeAfter}`);
    const cmkTenant = await globex.cmk('');
    expect(cmkTenant).toMatchObject({ state: 'OFFBOARDING' });
    expect((await globex.cmk('/keys/orders')).state).toBe('PENDING_DELETION');
    // The Tenant is held until the purge, so it is not created again meanwhile.
    expect((await globex.get('tenants', globex.tenant))?.metadata.uid).toBe(tenant?.metadata.uid);
    expect((await acme.cmk('/keys/orders')).state).toBe('ENABLED');
    const config = new KubeConfig();
    config.loadFromFile(stack.kubeconfig);
    config.setCurrentContext('mallory');
    const events = await config.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS });
    expect(
      events.items.some((event) => event.involvedObject.kind === 'Tenant' && event.reason === 'Offboarding'),
    ).toBe(true);
  });
});
