import { join } from 'node:path';
import { readClientSecret } from '@openkcm/idp';
import { REPO_ROOT, type RunningProcess, startProcess } from '@openkcm/local-stack';
import { eventually, startTestStack, type TestStack, TIMEOUTS, Workspace } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

process.env.CONTROLLER_LEASE_SECONDS = '3';

describe('controller faults: kill -9, restarts and two replicas', () => {
  let stack: TestStack;
  let acme: Workspace;
  let second: RunningProcess | undefined;
  const controller = () => stack.processes.find((running) => running.name === 'controller');
  const isLeader = async (url: string) =>
    (await (await fetch(`${url}/metrics`)).text()).includes('openkcm_controller_leader 1');

  beforeAll(async () => {
    stack = await startTestStack();
    acme = new Workspace(stack);
    await acme.enableOpenKcm();
    await acme.create('accounts', 'Account', 'root', { providerType: 'Local', keyReference: 'acme-root' });
    await acme.create('serviceencryptionkeys', 'ServiceEncryptionKey', 'payments', {
      accountRef: { name: 'root' },
      rotationSchedule: '30d',
    });
    await acme.waitFor(
      'serviceencryptionkeys',
      'payments',
      (resource) => resource?.status?.currentVersion === 1,
      'the key to be ready',
    );
  });
  afterAll(async () => {
    await second?.stop();
    await stack?.dispose();
  });

  it('rotates exactly once when the controller is killed right after a rotate-now request', async () => {
    await acme.rotateNow('payments', 'crash-1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await stack.restart('controller', 'SIGKILL');
    await acme.waitFor(
      'serviceencryptionkeys',
      'payments',
      (resource) => resource?.status?.currentVersion === 2,
      'the rotation after the restart',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const key = await acme.cmk('/keys/payments');
    expect(key.currentVersion).toBe(2);
    expect((key.versions as unknown[]).length).toBe(2);
  });

  it('completes a re-key once when the controller is killed in the middle of it', async () => {
    await acme.patch('accounts', 'root', { spec: { keyReference: 'acme-backup' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stack.restart('controller', 'SIGKILL');
    await acme.waitFor(
      'accounts',
      'root',
      (resource) => resource?.status?.rekey?.state === 'Succeeded',
      'the re-key to succeed',
    );
    const account = await acme.cmk('/accounts/root');
    expect(account).toMatchObject({ keyReference: 'acme-backup', generation: 2, state: 'ACTIVE' });
    expect(await acme.list('tenants')).toHaveLength(1);
  });

  it('keeps retrying while CMK is down, without crashing, and converges when it returns', async () => {
    await stack.processes.find((running) => running.name === 'cmk')?.stop();
    await acme.create('serviceencryptionkeys', 'ServiceEncryptionKey', 'during-outage', {
      accountRef: { name: 'root' },
      rotationSchedule: '1d',
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(
      (await acme.get('serviceencryptionkeys', 'during-outage'))?.status?.currentVersion,
    ).toBeUndefined();
    expect((await fetch(`${controller()?.url}/healthz`)).status).toBe(200);
    await stack.restart('cmk');
    await acme.waitFor(
      'serviceencryptionkeys',
      'during-outage',
      (resource) => resource?.status?.currentVersion === 1,
      'the key to converge after the outage',
    );
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
    await eventually(() => isLeader(standby.url), TIMEOUTS.converge, 'the second replica to lead');
    await acme.create('serviceencryptionkeys', 'ServiceEncryptionKey', 'after-failover', {
      accountRef: { name: 'root' },
      rotationSchedule: '1d',
    });
    await acme.waitFor(
      'serviceencryptionkeys',
      'after-failover',
      (resource) => resource?.status?.currentVersion === 1,
      'the new leader to reconcile',
    );
  });
});
