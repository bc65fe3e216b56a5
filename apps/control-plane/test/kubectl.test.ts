import { join } from 'node:path';
import { REPO_ROOT } from '@openkcm/local-stack';
import {
  eventually,
  type Kubectl,
  kubectlAvailable,
  kubectlFor,
  startTestStack,
  type TestStack,
  TIMEOUTS,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const hasKubectl = kubectlAvailable();
if (!hasKubectl) {
  console.warn(
    'SKIPPED: kubectl is not installed, so the kubectl tests of the local control plane do not run (apt-get install kubectl)',
  );
}

const account = (
  name: string,
  spec: Record<string, unknown> = { providerType: 'Local', keyReference: 'acme-root' },
) =>
  JSON.stringify({ apiVersion: 'keychain.openkcm.io/v1alpha1', kind: 'Account', metadata: { name }, spec });

describe.skipIf(!hasKubectl)('kubectl against the local control plane', () => {
  let stack: TestStack;
  let alice: Kubectl;
  let victor: Kubectl;
  let mallory: Kubectl;
  let controller: Kubectl;
  let acmeServer: string;

  beforeAll(async () => {
    stack = await startTestStack();
    const cache = join(stack.dataDir, 'kube-cache');
    alice = kubectlFor(stack.kubeconfig, 'alice', cache);
    victor = kubectlFor(stack.kubeconfig, 'victor', cache);
    mallory = kubectlFor(stack.kubeconfig, 'mallory', cache);
    controller = kubectlFor(stack.kubeconfig, 'controller', cache);
    acmeServer = `${stack.endpoints.controlPlane}/clusters/root:orgs:acme`;
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('applies the CRDs from deploy/crds as the operator', async () => {
    const applied = await controller(['apply', '-f', join(REPO_ROOT, 'deploy/crds')]);
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(
      'customresourcedefinition.apiextensions.k8s.io/accounts.keychain.openkcm.io',
    );
    const crds = await controller(['get', 'crd', '-o', 'name']);
    expect(crds.stdout).toContain('serviceencryptionkeys.keychain.openkcm.io');
  });

  it('answers an empty list across namespaces for alice', async () => {
    const empty = await alice(['get', 'accounts.keychain.openkcm.io', '-A']);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('No resources found');
  });

  it('creates, gets and lists with -o json and printer columns', async () => {
    const created = await alice(['apply', '-f', '-'], account('local-root'));
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('account.keychain.openkcm.io/local-root created');
    const got = JSON.parse((await alice(['get', 'account', 'local-root', '-o', 'json'])).stdout);
    expect(got.spec).toMatchObject({ providerType: 'Local', keyReference: 'acme-root' });
    const listed = JSON.parse((await alice(['get', 'kca', '-o', 'json'])).stdout);
    expect(listed.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      'local-root',
    ]);
    const table = await alice(['get', 'accounts']);
    expect(table.stdout).toMatch(/NAME\s+PROVIDER/);
    expect(table.stdout).toMatch(/local-root\s+Local\s+acme-root/);
    const single = await alice(['get', 'account', 'local-root']);
    expect(single.stdout).toMatch(/local-root\s+Local\s+acme-root/);
  });

  it('streams changes to kubectl get -w and patches with merge and JSON patches', async () => {
    const watch = alice.spawn(['get', 'account', 'local-root', '-w', '-o', 'json']);
    await eventually(() => watch.output().includes('"local-root"'), TIMEOUTS.converge, 'the initial object');
    const merged = await alice([
      'patch',
      'account',
      'local-root',
      '--type=merge',
      '-p',
      '{"spec":{"description":"merged change"}}',
    ]);
    expect(merged.code).toBe(0);
    await eventually(
      () => watch.output().includes('merged change'),
      TIMEOUTS.converge,
      'the watch to show the merge patch',
    );
    const jsonPatched = await alice([
      'patch',
      'account',
      'local-root',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/description","value":"json change"}]',
    ]);
    expect(jsonPatched.code).toBe(0);
    await eventually(
      () => watch.output().includes('json change'),
      TIMEOUTS.converge,
      'the watch to show the JSON patch',
    );
    watch.stop();
  });

  it('waits for a condition that the controller sets through the status subresource', async () => {
    const wait = alice.spawn(['wait', '--for=condition=Ready', 'account/local-root', '--timeout=30s']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = JSON.stringify({
      status: {
        phase: 'Ready',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KeyVerified',
            message: 'the L1 key is usable',
            lastTransitionTime: '2026-11-22T00:00:00Z',
          },
        ],
      },
    });
    const patched = await controller([
      '--server',
      acmeServer,
      'patch',
      'account',
      'local-root',
      '--subresource=status',
      '--type=merge',
      '-p',
      status,
    ]);
    expect(patched.stderr).toBe('');
    const result = await wait.done;
    expect(result.stdout).toContain('condition met');
    expect(result.code).toBe(0);
  });

  it('holds a delete while a finalizer remains and completes it when released', async () => {
    await alice([
      'patch',
      'account',
      'local-root',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["keychain.openkcm.io/test-hold"]}}',
    ]);
    const deleted = await alice(['delete', 'account', 'local-root', '--wait=false']);
    expect(deleted.stdout).toContain('deleted');
    const held = JSON.parse((await alice(['get', 'account', 'local-root', '-o', 'json'])).stdout);
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    await alice(['patch', 'account', 'local-root', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    const gone = await alice(['get', 'account', 'local-root']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('NotFound');
  });

  it('refuses an invalid object with 422 naming the field', async () => {
    const invalid = await alice(
      ['apply', '-f', '-'],
      account('aws-bad', { providerType: 'AWS', keyReference: 'not-an-arn' }),
    );
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('is invalid');
    expect(invalid.stderr).toContain('spec.keyReference');
  });

  it('lets victor read but not write, and keeps mallory out of acme', async () => {
    expect((await victor(['get', 'accounts'])).code).toBe(0);
    const write = await victor(['create', '-f', '-'], account('victors'));
    expect(write.code).not.toBe(0);
    expect(write.stderr).toContain('Forbidden');
    expect(write.stderr).toContain('victor');
    const read = await mallory(['--server', acmeServer, 'get', 'accounts']);
    expect(read.code).not.toBe(0);
    expect(read.stderr).toMatch(/Forbidden|forbidden/);
    expect((await mallory(['get', 'accounts'])).code).toBe(0);
  });

  it('creates ConfigMaps, Secrets and namespaces the way kubectl sends them (protobuf bodies)', async () => {
    const configMap = await alice([
      'create',
      'configmap',
      'settings',
      '--from-literal=colour=blue',
      '--from-literal=size=3',
    ]);
    expect(configMap.stderr).toBe('');
    expect(configMap.stdout).toContain('configmap/settings created');
    const read = JSON.parse((await alice(['get', 'configmap', 'settings', '-o', 'json'])).stdout);
    expect(read.data).toEqual({ colour: 'blue', size: '3' });

    const secret = await alice([
      'create',
      'secret',
      'generic',
      'bao-login',
      '--from-literal=secret_id=s3cr3t',
      '--type=Opaque',
    ]);
    expect(secret.stderr).toBe('');
    const stored = JSON.parse((await alice(['get', 'secret', 'bao-login', '-o', 'json'])).stdout);
    expect(Buffer.from(stored.data.secret_id, 'base64').toString()).toBe('s3cr3t');
    expect(stored.type).toBe('Opaque');

    const namespace = await alice(['create', 'namespace', 'payments']);
    expect(namespace.stderr).toBe('');
    expect((await alice(['get', 'namespace', 'payments', '-o', 'name'])).stdout.trim()).toBe(
      'namespace/payments',
    );

    // A Viewer is still refused, whatever the encoding.
    const refused = await victor(['create', 'configmap', 'nope', '--from-literal=a=b']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/forbidden/i);
  });
});
