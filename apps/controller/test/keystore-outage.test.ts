import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ACCOUNT_APPROLE,
  type AwsDoubles,
  initialiseToken,
  type OpenBaoDouble,
  SOFTHSM_LIBRARY,
  softHsmAvailable,
  startAwsDoubles,
  startOpenBaoDouble,
  startTestStack,
  type TestStack,
  tempDir,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeWorkspace, ready } from './support.js';

/**
 * The whole product with CMK on apeiro-profile: an Account whose L1 key is in OpenBao (a protocol
 * double the test can stop), reconciled by the controller, which re-checks the key every second.
 */
describe.runIf(softHsmAvailable())(
  'an Account on OpenBao when the keystore fails, through the controller',
  () => {
    let bao: OpenBaoDouble;
    let aws: AwsDoubles;
    let stack: TestStack;
    let acme: AcmeWorkspace;
    let files: { path: string; remove(): Promise<void> };
    let token: Awaited<ReturnType<typeof initialiseToken>>;
    const appRoleFiles = () => ({
      roleId: join(files.path, 'role-id'),
      secretId: join(files.path, 'secret-id'),
    });
    const issueAppRole = async () => {
      const { roleId, secretId } = bao.addAppRole('', 'cmk', { policies: ['openkcm'] });
      await writeFile(appRoleFiles().roleId, roleId);
      await writeFile(appRoleFiles().secretId, secretId);
    };
    const readiness = () => acme.get('accounts', 'vault-root').then(ready);

    beforeAll(async () => {
      files = await tempDir('openkcm-outage-');
      bao = await startOpenBaoDouble();
      bao.enableTransit('');
      bao.createKey('', 'transit', 'acme-root');
      bao.writePolicy('', 'openkcm', {
        'transit/keys/acme-root': ['read'],
        'transit/encrypt/acme-root': ['update'],
        'transit/decrypt/acme-root': ['update'],
      });
      await issueAppRole();
      aws = await startAwsDoubles();
      await writeFile(join(files.path, 'web-identity'), 'outage-web-identity');
      token = await initialiseToken('openkcm-outage', '555666');
      // The processes inherit this test's environment (each test file runs in its own process).
      Object.assign(process.env, {
        CMK_PROFILE: 'apeiro-profile',
        BAO_ADDR: bao.address,
        BAO_CACERT: bao.caFile,
        BAO_TLS_SERVER_NAME: bao.serverName,
        BAO_ROLE_ID_FILE: appRoleFiles().roleId,
        BAO_SECRET_ID_FILE: appRoleFiles().secretId,
        AWS_ROLE_ARN: aws.addRole('cmk', { webIdentityToken: 'outage-web-identity' }),
        AWS_WEB_IDENTITY_TOKEN_FILE: join(files.path, 'web-identity'),
        OPENKCM_AWS_KMS_ENDPOINT: aws.kmsEndpoint,
        OPENKCM_AWS_STS_ENDPOINT: aws.stsEndpoint,
        PKCS11_LIBRARY: SOFTHSM_LIBRARY,
        PKCS11_TOKEN_LABEL: 'openkcm-outage',
        PKCS11_PIN_FILE: token.pinFile,
        CONTROLLER_REVALIDATE_SECONDS: '1',
      });
      stack = await startTestStack();
      acme = new AcmeWorkspace(stack);
      await acme.enableOpenKcm();
      await acme.create('accounts', 'Account', 'vault-root', {
        providerType: 'OpenBao',
        keyReference: 'transit/keys/acme-root',
        openBao: { address: bao.address, auth: ACCOUNT_APPROLE },
      });
      await acme.waitFor('accounts', 'vault-root', (account) => ready(account)?.status === 'True', 'Ready');
    });
    afterAll(async () => {
      await stack?.dispose();
      await bao?.close();
      await aws?.close();
      await token?.remove();
      await files?.remove();
    });

    it('goes Not Ready as unreachable (and retried) while OpenBao is down, and Ready again when it is back', async () => {
      await bao.stop();
      try {
        const down = await acme.waitFor(
          'accounts',
          'vault-root',
          (account) => ready(account)?.reason === 'L1Unreachable',
          'L1Unreachable',
        );
        expect(down?.status?.phase).toBe('NotReady');
        expect(ready(down)?.message).toMatch(/cannot be reached.*can be retried/);
      } finally {
        await bao.start();
      }
      await acme.waitFor(
        'accounts',
        'vault-root',
        (account) => ready(account)?.status === 'True',
        'Ready again',
      );
    });

    it('says the login was refused when the credentials are revoked, and recovers with new ones', async () => {
      bao.revokeSecretIds('', 'cmk');
      bao.revokeTokens();
      await acme.waitFor(
        'accounts',
        'vault-root',
        (account) => ready(account)?.reason === 'L1KeyNotUsable',
        'L1KeyNotUsable',
      );
      expect((await readiness())?.message).toMatch(/failed to authenticate .*AppRole login/);
      // The operator rotates the mounted Secret: CMK reads it at its next login, no restart.
      await issueAppRole();
      await acme.waitFor(
        'accounts',
        'vault-root',
        (account) => ready(account)?.status === 'True',
        'Ready again',
      );
    });
  },
);
