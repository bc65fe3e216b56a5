import { readFile } from 'node:fs/promises';
import { type ApeiroKeystores, softHsmAvailable, startApeiroKeystores } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, type CmkHarness, startHarness } from './support.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * CMK started on the shipped config.yaml's apeiro-profile, with OpenBao and AWS KMS doubles and a
 * real SoftHSM2 token behind the three keystore plugins.
 */
describe.runIf(softHsmAvailable())(
  'CMK on apeiro-profile (OpenBao, AWS KMS with IRSA, Thales over PKCS#11)',
  () => {
    let keystores: ApeiroKeystores;
    let cmk: CmkHarness;

    beforeAll(async () => {
      keystores = await startApeiroKeystores();
      cmk = await startHarness({ profile: 'apeiro-profile', env: keystores.env });
      expect((await cmk.call('controller', 'PUT', ACME, { region: 'eu-central-1' })).status).toBe(201);
    });
    afterAll(async () => {
      await cmk?.close();
      await keystores?.close();
    });

    const validate = async (name: string) =>
      (await cmk.call('controller', 'POST', `${ACME}/accounts/${name}/validate`)).body;

    it('loads the three keystores from the profile, healthy and for production', async () => {
      const plugins = (await cmk.call('victor', 'GET', '/api/v1/plugins')).body.items as Array<{
        plugin: string;
        providerType?: string;
        health: { status: string; production: boolean };
      }>;
      const keystores = plugins.filter((plugin) => plugin.providerType);
      expect(keystores.map((plugin) => [plugin.plugin, plugin.providerType, plugin.health.status])).toEqual([
        ['keystore-openbao', 'OpenBao', 'healthy'],
        ['keystore-aws-kms', 'AWS', 'healthy'],
        ['keystore-pkcs11', 'ThalesHSM', 'healthy'],
      ]);
      expect(keystores.every((plugin) => plugin.health.production)).toBe(true);
    });

    it.each(['OpenBao', 'AWS', 'ThalesHSM'] as const)(
      'registers an Account on %s and its service keys encrypt, rotate and decrypt',
      async (provider) => {
        const name = `${provider.toLowerCase()}-root`;
        const registered = await cmk.call('alice', 'POST', `${ACME}/accounts`, {
          name,
          providerType: provider,
          ...keystores.accounts[provider],
        });
        expect(registered.status, JSON.stringify(registered.body)).toBe(201);
        const key = `${provider.toLowerCase()}-orders`;
        expect(
          (await cmk.call('alice', 'POST', `${ACME}/keys`, { name: key, accountRef: { name } })).status,
        ).toBe(201);
        const encrypted = await cmk.call('alice', 'POST', `${ACME}/keys/${key}/encrypt`, {
          plaintext: b64('card 4242'),
        });
        await cmk.call('alice', 'POST', `${ACME}/keys/${key}/rotate`, { requestId: `${provider}-1` });
        // A fresh CMK has no cached L2: decrypting goes to the keystore again.
        await cmk.restart();
        const decrypted = await cmk.call('alice', 'POST', `${ACME}/keys/${key}/decrypt`, {
          ciphertext: encrypted.body.ciphertext,
        });
        expect(Buffer.from(String(decrypted.body.plaintext), 'base64').toString()).toBe('card 4242');
      },
    );

    it('refuses static AWS credentials on an Account', async () => {
      const refused = await cmk.call('alice', 'POST', `${ACME}/accounts`, {
        name: 'aws-static',
        providerType: 'AWS',
        keyReference: keystores.accounts.AWS.keyReference,
        accessData: { credentialsSecretRef: { name: 'aws', key: 'secret' } },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.message).toMatch(/static AWS credentials are not accepted/);
    });

    it('notices a rotation of the OpenBao key and wraps the root again under the new version', async () => {
      const encrypted = await cmk.call('alice', 'POST', `${ACME}/keys/openbao-orders/encrypt`, {
        plaintext: b64('before rotation'),
      });
      keystores.bao.rotateKey('', 'transit', 'acme-root');
      expect(await validate('openbao-root')).toMatchObject({ usable: true, l1KeyVersion: '2' });
      expect((await cmk.call('alice', 'GET', `${ACME}/accounts/openbao-root`)).body.l1KeyVersion).toBe('2');
      // The owner may now retire version 1: nothing OpenKCM holds needs it any more.
      keystores.bao.configureKey('', 'transit', 'acme-root', { minDecryptionVersion: 2 });
      await cmk.restart();
      const decrypted = await cmk.call('alice', 'POST', `${ACME}/keys/openbao-orders/decrypt`, {
        ciphertext: encrypted.body.ciphertext,
      });
      expect(Buffer.from(String(decrypted.body.plaintext), 'base64').toString()).toBe('before rotation');
      const audit = (await cmk.call('alice', 'GET', `${ACME}/audit`)).body.items as Array<{ action: string }>;
      expect(audit.map((entry) => entry.action)).toContain('account.l1-rotated');
    });

    it('keystore down: the Account check says unreachable, new Accounts wait with a retryable error, then it recovers', async () => {
      await keystores.bao.stop();
      try {
        expect(await validate('openbao-root')).toMatchObject({ reachable: false, usable: false });
        await cmk.restart();
        const refused = await cmk.call('alice', 'POST', `${ACME}/keys/openbao-orders/encrypt`, {
          plaintext: b64('x'),
        });
        expect(refused.status).toBe(503);
        expect(refused.body.message).toMatch(/can be retried/);
      } finally {
        await keystores.bao.start();
      }
      expect(await validate('openbao-root')).toMatchObject({ reachable: true, usable: true });
    });

    it('revoked credentials: reachable but not usable, with the authentication failure as the reason', async () => {
      const working = await readFile(keystores.env.BAO_SECRET_ID_FILE ?? '', 'utf8');
      keystores.bao.revokeSecretIds('', 'cmk');
      keystores.bao.revokeTokens();
      const check = await validate('openbao-root');
      expect(check).toMatchObject({ reachable: true, usable: false });
      expect(String(check.reason)).toMatch(/failed to authenticate .*AppRole login/);
      expect(String(check.reason)).not.toContain(working);
    });

    it('a disabled or missing L1 key makes the Account not usable, saying why', async () => {
      keystores.aws.disableKey(keystores.accounts.AWS.keyReference);
      expect(await validate('aws-root')).toMatchObject({
        reachable: true,
        usable: false,
        reason: expect.stringMatching(/Disabled in AWS KMS/),
      });
    });
  },
);
