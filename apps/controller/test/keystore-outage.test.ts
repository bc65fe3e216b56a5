import {
  type ApeiroKeystores,
  ready,
  softHsmAvailable,
  startApeiroKeystores,
  startTestStack,
  type TestStack,
  Workspace,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The whole product with CMK on apeiro-profile: an Account whose L1 key is in OpenBao (a protocol
 * double the test can stop), reconciled by the controller, which re-checks the key every second.
 */
describe.runIf(softHsmAvailable())(
  'an Account on OpenBao when the keystore fails, through the controller',
  () => {
    let keystores: ApeiroKeystores;
    let stack: TestStack;
    let acme: Workspace;
    const readiness = () => acme.get('accounts', 'vault-root').then(ready);

    beforeAll(async () => {
      keystores = await startApeiroKeystores('openkcm-outage');
      // The processes inherit this test's environment (each test file runs in its own process).
      Object.assign(process.env, keystores.env, {
        CMK_PROFILE: 'apeiro-profile',
        CONTROLLER_REVALIDATE_SECONDS: '1',
      });
      stack = await startTestStack();
      acme = new Workspace(stack);
      await acme.enableOpenKcm();
      await acme.create('accounts', 'Account', 'vault-root', {
        providerType: 'OpenBao',
        keyReference: keystores.accounts.OpenBao.keyReference,
        openBao: keystores.accounts.OpenBao.accessData,
      });
      await acme.waitFor('accounts', 'vault-root', (account) => ready(account)?.status === 'True', 'Ready');
    });
    afterAll(async () => {
      await stack?.dispose();
      await keystores?.close();
    });

    it('goes Not Ready as unreachable (and retried) while OpenBao is down, and Ready again when it is back', async () => {
      await keystores.bao.stop();
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
        await keystores.bao.start();
      }
      await acme.waitFor(
        'accounts',
        'vault-root',
        (account) => ready(account)?.status === 'True',
        'Ready again',
      );
    });

    it('says the login was refused when the credentials are revoked, and recovers with new ones', async () => {
      keystores.bao.revokeSecretIds('', 'cmk');
      keystores.bao.revokeTokens();
      await acme.waitFor(
        'accounts',
        'vault-root',
        (account) => ready(account)?.reason === 'L1KeyNotUsable',
        'L1KeyNotUsable',
      );
      expect((await readiness())?.message).toMatch(/failed to authenticate .*AppRole login/);
      // The operator rotates the mounted Secret: CMK reads it at its next login, no restart.
      await keystores.issueAppRole();
      await acme.waitFor(
        'accounts',
        'vault-root',
        (account) => ready(account)?.status === 'True',
        'Ready again',
      );
    });
  },
);
