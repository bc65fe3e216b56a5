import type { RunningStack } from '@openkcm/local-stack';
import { requestJson } from '@openkcm/pki';

/**
 * Writes Accounts `account-<i>` and keys `key-<i>` (spread over the Accounts, next rotations over
 * two days) straight into the control plane, for benchmarks that need a big workspace quickly.
 */
export async function seedKeychain(
  stack: Pick<RunningStack, 'endpoints' | 'controllerToken' | 'controlPlaneCa'>,
  workspace: string,
  sizes: { accounts: number; keys: number },
): Promise<void> {
  const collection = `/clusters/${workspace}/apis/keychain.openkcm.io/v1alpha1/namespaces/default`;
  const post = (plural: string, body: unknown) =>
    requestJson(`${stack.endpoints.controlPlane}${collection}/${plural}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.controllerToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      ca: stack.controlPlaneCa,
    });
  const inBatches = async (count: number, batch: number, create: (index: number) => Promise<unknown>) => {
    for (let first = 0; first < count; first += batch)
      await Promise.all(
        Array.from({ length: Math.min(batch, count - first) }, (_, offset) => create(first + offset)),
      );
  };
  await inBatches(sizes.accounts, 20, (index) =>
    post('accounts', {
      apiVersion: 'keychain.openkcm.io/v1alpha1',
      kind: 'Account',
      metadata: { name: `account-${index}` },
      spec: { providerType: 'Local', keyReference: 'acme-root' },
    }),
  );
  await inBatches(sizes.keys, 50, (index) =>
    post('serviceencryptionkeys', {
      apiVersion: 'keychain.openkcm.io/v1alpha1',
      kind: 'ServiceEncryptionKey',
      metadata: { name: `key-${index}` },
      spec: { accountRef: { name: `account-${index % sizes.accounts}` } },
      status: { nextRotation: new Date(Date.now() + (index % 48) * 3_600_000).toISOString() },
    }),
  );
}
