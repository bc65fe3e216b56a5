import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keystoreContract } from '@openkcm/plugin-sdk/testing';
import type { PolicyRules } from '@openkcm/testkit';
import { openBaoFixture } from './openbao-fixture.js';

/** Broader than the minimum policy: the contract also creates a scratch key. */
const CONTRACT_POLICY: PolicyRules = {
  'transit/keys/*': ['create', 'read', 'update'],
  'transit/encrypt/*': ['update'],
  'transit/decrypt/*': ['update'],
};

keystoreContract('the OpenBao keystore (AppRole, root namespace)', async () => {
  const fixture = await openBaoFixture();
  fixture.bao.enableTransit('');
  fixture.bao.createKey('', 'transit', 'acme-root');
  fixture.bao.writePolicy('', 'openkcm', CONTRACT_POLICY);
  const configuration = await fixture.appRoleConfiguration('cmk');
  return {
    plugin: await fixture.keystore(configuration),
    existingKey: { keyReference: 'transit/keys/acme-root' },
    missingKey: { keyReference: 'transit/keys/no-such-key' },
    scratchKey: { keyReference: 'transit/keys/scratch' },
    lifecycle: 'createOnly',
    invalidAccessData: { address: 'https://10.0.0.1:8200' },
    withBadCredentials: async () => {
      const wrongSecretId = join(fixture.files, 'wrong.secret-id');
      await writeFile(wrongSecretId, 'not-the-secret-id');
      const { appRole } = configuration.auth as { appRole: Record<string, string> };
      return fixture.keystore({
        ...configuration,
        auth: { method: 'AppRole', appRole: { ...appRole, secretIdFile: wrongSecretId } },
      });
    },
    unreachable: () => fixture.keystore({ ...configuration, address: 'https://127.0.0.1:1' }),
    cleanup: () => fixture.close(),
  };
});

keystoreContract('the OpenBao keystore (Kubernetes auth, Account in a child namespace)', async () => {
  const fixture = await openBaoFixture();
  fixture.bao.createNamespace('tenants/acme');
  fixture.bao.enableTransit('tenants/acme');
  fixture.bao.createKey('tenants/acme', 'transit', 'acme-root');
  // CMK logs in to `tenants`; its policy there grants paths in the child namespace `acme`.
  fixture.bao.writePolicy('tenants', 'openkcm', {
    'acme/transit/keys/*': ['create', 'read', 'update'],
    'acme/transit/encrypt/*': ['update'],
    'acme/transit/decrypt/*': ['update'],
  });
  const configuration = await fixture.kubernetesConfiguration('openkcm-cmk', 'tenants', ['openkcm']);
  const accessData = {
    address: fixture.bao.address,
    namespace: 'tenants/acme',
  };
  return {
    plugin: await fixture.keystore(configuration),
    existingKey: { keyReference: 'transit/keys/acme-root', accessData },
    missingKey: { keyReference: 'transit/keys/no-such-key', accessData },
    scratchKey: { keyReference: 'transit/keys/scratch', accessData },
    lifecycle: 'createOnly',
    invalidAccessData: { ...accessData, namespace: 'other-tenants/acme' },
    withBadCredentials: async () => {
      const otherToken = join(fixture.files, 'other-sa-token');
      await writeFile(otherToken, 'eyJhbGciOiJSUzI1NiJ9.another-service-account');
      const { kubernetes } = configuration.auth as { kubernetes: Record<string, string> };
      return fixture.keystore({
        ...configuration,
        auth: { method: 'Kubernetes', kubernetes: { ...kubernetes, serviceAccountTokenFile: otherToken } },
      });
    },
    // The Account names this server, so "unreachable" here is a TLS handshake that cannot succeed.
    unreachable: () =>
      fixture.keystore({
        ...configuration,
        tls: { caBundleFile: fixture.bao.caFile, serverName: 'not-openbao.example' },
      }),
    cleanup: () => fixture.close(),
  };
});
