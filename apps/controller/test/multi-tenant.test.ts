import {
  eventually,
  type Resource,
  ready,
  startTestStack,
  type TestStack,
  TIMEOUTS,
  threeWorkspaces,
  type Workspace,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Restarts must not wait out a long lease held by the replica that was killed.
process.env.CONTROLLER_LEASE_SECONDS = '3';

const phase = (resource: Resource | undefined) => resource?.status?.phase;
const KEY = 'serviceencryptionkeys';

/**
 * Three workspaces of two organisations hold objects of the same names (every APIBinding is
 * `openkcm`, every Account `root`, every key `orders`) and enable and disable OpenKCM in
 * interleaved order: each must only ever see its own.
 */
describe('the controller with several workspaces and organisations at once', () => {
  let stack: TestStack;
  let acme: Workspace;
  let teamA: Workspace;
  let globex: Workspace;
  const tenantIs = (workspace: Workspace, wanted: string) =>
    workspace.waitFor(
      'tenants',
      workspace.tenant,
      (resource) => phase(resource) === wanted,
      `${workspace.path} ${wanted}`,
    );
  const keyReady = (workspace: Workspace, name: string) =>
    workspace.waitFor(
      KEY,
      name,
      (resource) => ready(resource)?.status === 'True',
      `${workspace.path} key ${name} Ready`,
    );

  beforeAll(async () => {
    stack = await startTestStack();
    [acme, teamA, globex] = threeWorkspaces(stack);
  }, TIMEOUTS.processStart);
  afterAll(async () => {
    await stack?.dispose();
  });

  it(
    'keeps same-named objects apart while workspaces enable and disable OpenKCM in interleaved order',
    async () => {
      for (const workspace of [acme, teamA, globex]) await workspace.enableOpenKcm();
      await Promise.all([acme, teamA, globex].map((workspace) => tenantIs(workspace, 'Active')));
      await acme.create('accounts', 'Account', 'root', { providerType: 'Local', keyReference: 'acme-root' });
      await teamA.create('accounts', 'Account', 'root', {
        providerType: 'Local',
        keyReference: 'acme-backup',
      });
      await globex.create('accounts', 'Account', 'root', {
        providerType: 'Local',
        keyReference: 'globex-root',
      });
      const acmeActiveSince = ready(await acme.get('tenants', acme.tenant))?.lastTransitionTime;

      // Another organisation disables OpenKCM while acme's workspaces create same-named keys.
      await globex.disableOpenKcm();
      await acme.create(KEY, 'ServiceEncryptionKey', 'orders', {
        accountRef: { name: 'root' },
        rotationSchedule: '30d',
      });
      await teamA.create(KEY, 'ServiceEncryptionKey', 'orders', {
        accountRef: { name: 'root' },
        rotationSchedule: '1d',
      });
      await Promise.all([tenantIs(globex, 'Suspended'), keyReady(acme, 'orders'), keyReady(teamA, 'orders')]);
      expect((await globex.cmk('')).state).toBe('SUSPENDED');

      // acme disables while globex enables again: only acme is suspended, its child stays Active.
      await acme.disableOpenKcm();
      await globex.enableOpenKcm();
      await Promise.all([tenantIs(acme, 'Suspended'), tenantIs(globex, 'Active')]);
      await globex.create(KEY, 'ServiceEncryptionKey', 'orders', {
        accountRef: { name: 'root' },
        rotationSchedule: '7d',
      });
      await keyReady(globex, 'orders');
      expect(phase(await teamA.get('tenants', teamA.tenant))).toBe('Active');
      expect((await acme.cmk('')).state).toBe('SUSPENDED');
      expect((await teamA.cmk('')).state).toBe('ACTIVE');

      // Each workspace's key sits under its own Account with its own schedule, in CMK too.
      const cmkKeys = await Promise.all(
        [acme, teamA, globex].map((workspace) => workspace.cmk('/keys/orders')),
      );
      expect(cmkKeys.map((key) => [key.workspace, key.accountName, key.rotationSchedule])).toEqual([
        ['root:orgs:acme', 'root', '30d'],
        ['root:orgs:acme:team-a', 'root', '1d'],
        ['root:orgs:globex', 'root', '7d'],
      ]);

      await acme.enableOpenKcm();
      await tenantIs(acme, 'Active');
      await acme.rotateNow('orders', 'after-resume');
      await acme.waitFor(
        KEY,
        'orders',
        (resource) => resource?.status?.currentVersion === 2,
        'acme key rotated',
      );
      expect((await teamA.get(KEY, 'orders'))?.status?.currentVersion).toBe(1);
      expect((await globex.get(KEY, 'orders'))?.status?.currentVersion).toBe(1);
      expect(ready(await acme.get('tenants', acme.tenant))?.lastTransitionTime).not.toBe(acmeActiveSince);
    },
    TIMEOUTS.longTest,
  );

  it(
    'never suspends a bound tenant while the controller restarts and other workspaces bind and unbind',
    async () => {
      await tenantIs(acme, 'Active');
      const seen: string[] = [];
      const stopWatching = await acme.watch('tenants', (_type, tenant) => {
        seen.push(`${phase(tenant)}:${ready(tenant)?.reason}`);
      });
      try {
        for (let round = 0; round < 6; round++) {
          const toggles = [globex, teamA].map(async (workspace) => {
            await workspace.disableOpenKcm();
            await new Promise((resolve) => setTimeout(resolve, 50 * round));
            await workspace.enableOpenKcm();
            await workspace.disableOpenKcm();
          });
          await Promise.all([
            ...toggles,
            stack.restart('controller', round % 2 === 0 ? 'SIGKILL' : 'SIGTERM'),
          ]);
          for (const workspace of [globex, teamA]) await workspace.enableOpenKcm();
        }
        await Promise.all([tenantIs(globex, 'Active'), tenantIs(teamA, 'Active')]);
        await globex.disableOpenKcm();
        await tenantIs(globex, 'Suspended');
      } finally {
        stopWatching();
      }
      expect(seen.filter((entry) => !entry.startsWith('Active'))).toEqual([]);
      expect(phase(await acme.get('tenants', acme.tenant))).toBe('Active');
      expect((await acme.cmk('')).state).toBe('ACTIVE');
      await eventually(
        async () => (await acme.get(KEY, 'orders'))?.status?.phase === 'Active',
        TIMEOUTS.converge,
        'acme key still Active',
      );
    },
    TIMEOUTS.longTest,
  );
});
