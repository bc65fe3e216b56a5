import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pkcs11Keystore } from '@openkcm/plugin-keystore-pkcs11';
import {
  ACCOUNT_APPROLE,
  type AwsDoubles,
  initialiseToken,
  type OpenBaoDouble,
  SOFTHSM_LIBRARY,
  softHsmAvailable,
  startAwsDoubles,
  startOpenBaoDouble,
  tempDir,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, type CmkHarness, startHarness } from './support.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const WEB_IDENTITY = 'eyJhbGciOiJSUzI1NiJ9.irsa.cmk';

/**
 * CMK started on the shipped config.yaml's apeiro-profile, with OpenBao and AWS KMS doubles and a
 * real SoftHSM2 token behind the three keystore plugins.
 */
describe.runIf(softHsmAvailable())(
  'CMK on apeiro-profile (OpenBao, AWS KMS with IRSA, Thales over PKCS#11)',
  () => {
    let bao: OpenBaoDouble;
    let aws: AwsDoubles;
    let cmk: CmkHarness;
    let files: { path: string; remove(): Promise<void> };
    let token: Awaited<ReturnType<typeof initialiseToken>>;
    let awsKey: string;
    let secretIdFile: string;

    beforeAll(async () => {
      files = await tempDir('openkcm-apeiro-');
      bao = await startOpenBaoDouble();
      bao.enableTransit('');
      bao.createKey('', 'transit', 'acme-root');
      bao.writePolicy('', 'openkcm', {
        'transit/keys/acme-root': ['read'],
        'transit/encrypt/acme-root': ['update'],
        'transit/decrypt/acme-root': ['update'],
      });
      const { roleId, secretId } = bao.addAppRole('', 'cmk', { policies: ['openkcm'] });
      secretIdFile = join(files.path, 'secret-id');
      await writeFile(join(files.path, 'role-id'), roleId);
      await writeFile(secretIdFile, secretId);

      aws = await startAwsDoubles();
      const roleArn = aws.addRole('openkcm-cmk', { webIdentityToken: WEB_IDENTITY });
      awsKey = aws.createKey('eu-central-1');
      await writeFile(join(files.path, 'web-identity'), WEB_IDENTITY);

      token = await initialiseToken('openkcm-apeiro', '424242');
      const hsm = new Pkcs11Keystore();
      await hsm.configure({ library: SOFTHSM_LIBRARY, tokenLabel: 'openkcm-apeiro', pinFile: token.pinFile });
      await hsm.createKey({ keyReference: 'acme-hsm-root' });
      await hsm.close();

      cmk = await startHarness({
        profile: 'apeiro-profile',
        env: {
          BAO_ADDR: bao.address,
          BAO_CACERT: bao.caFile,
          BAO_TLS_SERVER_NAME: bao.serverName,
          BAO_ROLE_ID_FILE: join(files.path, 'role-id'),
          BAO_SECRET_ID_FILE: secretIdFile,
          AWS_ROLE_ARN: roleArn,
          AWS_WEB_IDENTITY_TOKEN_FILE: join(files.path, 'web-identity'),
          OPENKCM_AWS_KMS_ENDPOINT: aws.kmsEndpoint,
          OPENKCM_AWS_STS_ENDPOINT: aws.stsEndpoint,
          PKCS11_LIBRARY: SOFTHSM_LIBRARY,
          PKCS11_TOKEN_LABEL: 'openkcm-apeiro',
          PKCS11_PIN_FILE: token.pinFile,
        },
      });
      expect((await cmk.call('controller', 'PUT', ACME, { region: 'eu-central-1' })).status).toBe(201);
    });
    afterAll(async () => {
      await cmk?.close();
      await bao?.close();
      await aws?.close();
      await token?.remove();
      await files?.remove();
    });

    const accounts = () => ({
      OpenBao: {
        keyReference: 'transit/keys/acme-root',
        accessData: { address: bao.address, auth: ACCOUNT_APPROLE },
      },
      AWS: { keyReference: awsKey, accessData: {} },
      ThalesHSM: {
        keyReference: 'acme-hsm-root',
        accessData: { tokenLabel: 'openkcm-apeiro', pinSecretRef: { name: 'hsm-pin', key: 'pin' } },
      },
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
          ...accounts()[provider],
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
        keyReference: awsKey,
        accessData: { credentialsSecretRef: { name: 'aws', key: 'secret' } },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.message).toMatch(/static AWS credentials are not accepted/);
    });

    it('notices a rotation of the OpenBao key and wraps the root again under the new version', async () => {
      const encrypted = await cmk.call('alice', 'POST', `${ACME}/keys/openbao-orders/encrypt`, {
        plaintext: b64('before rotation'),
      });
      bao.rotateKey('', 'transit', 'acme-root');
      expect(await validate('openbao-root')).toMatchObject({ usable: true, l1KeyVersion: '2' });
      expect((await cmk.call('alice', 'GET', `${ACME}/accounts/openbao-root`)).body.l1KeyVersion).toBe('2');
      // The owner may now retire version 1: nothing OpenKCM holds needs it any more.
      bao.configureKey('', 'transit', 'acme-root', { minDecryptionVersion: 2 });
      await cmk.restart();
      const decrypted = await cmk.call('alice', 'POST', `${ACME}/keys/openbao-orders/decrypt`, {
        ciphertext: encrypted.body.ciphertext,
      });
      expect(Buffer.from(String(decrypted.body.plaintext), 'base64').toString()).toBe('before rotation');
      const audit = (await cmk.call('alice', 'GET', `${ACME}/audit`)).body.items as Array<{ action: string }>;
      expect(audit.map((entry) => entry.action)).toContain('account.l1-rotated');
    });

    it('keystore down: the Account check says unreachable, new Accounts wait with a retryable error, then it recovers', async () => {
      await bao.stop();
      try {
        expect(await validate('openbao-root')).toMatchObject({ reachable: false, usable: false });
        await cmk.restart();
        const refused = await cmk.call('alice', 'POST', `${ACME}/keys/openbao-orders/encrypt`, {
          plaintext: b64('x'),
        });
        expect(refused.status).toBe(503);
        expect(refused.body.message).toMatch(/can be retried/);
      } finally {
        await bao.start();
      }
      expect(await validate('openbao-root')).toMatchObject({ reachable: true, usable: true });
    });

    it('revoked credentials: reachable but not usable, with the authentication failure as the reason', async () => {
      const working = await readFile(secretIdFile, 'utf8');
      bao.revokeSecretIds('', 'cmk');
      bao.revokeTokens();
      const check = await validate('openbao-root');
      expect(check).toMatchObject({ reachable: true, usable: false });
      expect(String(check.reason)).toMatch(/failed to authenticate .*AppRole login/);
      expect(String(check.reason)).not.toContain(working);
    });

    it('a disabled or missing L1 key makes the Account not usable, saying why', async () => {
      aws.disableKey(awsKey);
      expect(await validate('aws-root')).toMatchObject({
        reachable: true,
        usable: false,
        reason: expect.stringMatching(/Disabled in AWS KMS/),
      });
    });
  },
);
