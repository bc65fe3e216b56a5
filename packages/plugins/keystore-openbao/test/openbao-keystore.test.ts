import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { KeyHandle } from '@openkcm/plugin-sdk';
import { failureOf } from '@openkcm/plugin-sdk/testing';
import type { PolicyRules } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenBaoKeystore } from '../src/index.js';
import { documentedMinimumPolicy, type OpenBaoFixture, openBaoFixture } from './openbao-fixture.js';

const KEY: KeyHandle = { keyReference: 'transit/keys/acme-root' };
const AAD = Buffer.from('tenant-acme/account-payments/1');
const HOUR = 3600;

let fixture: OpenBaoFixture;
beforeAll(async () => {
  fixture = await openBaoFixture();
  fixture.bao.enableTransit('');
  fixture.bao.createKey('', 'transit', 'acme-root');
  fixture.bao.writePolicy('', 'openkcm', await documentedMinimumPolicy());
});
afterAll(() => fixture?.close());

const logins = () => fixture.bao.requests.filter((request) => request.path.endsWith('/login')).length;
const renewals = () =>
  fixture.bao.requests.filter((request) => request.path === 'auth/token/renew-self').length;
const refused = () => fixture.bao.requests.filter((request) => request.status === 403).length;

describe('token lifecycle (1 h TTL, 4 h max, as in Story 4)', () => {
  it('renews at half-life, logs in again at the max TTL, and never fails a request', async () => {
    const plugin = await fixture.keystore(await fixture.appRoleConfiguration('lifecycle'));
    const wrapped = await plugin.wrapKey(KEY, randomBytes(32), AAD);
    const [loginsBefore, refusedBefore] = [logins(), refused()];
    // A request every 40 minutes for 9 hours.
    for (let step = 0; step < 14; step++) {
      fixture.bao.advance(40 * 60);
      expect((await plugin.unwrapKey(KEY, wrapped.ciphertext, AAD)).length).toBe(32);
    }
    expect(refused() - refusedBefore).toBe(0);
    expect(renewals()).toBeGreaterThanOrEqual(8);
    // 9 hours with a 4-hour maximum: two new logins, not one per request.
    expect(logins() - loginsBefore).toBe(2);
  });

  it('logs in again after being idle past the token expiry, without a refused request', async () => {
    const plugin = await fixture.keystore(await fixture.appRoleConfiguration('idle'));
    await plugin.getKey(KEY);
    const [loginsBefore, refusedBefore] = [logins(), refused()];
    fixture.bao.advance(5 * HOUR);
    await plugin.getKey(KEY);
    expect(logins() - loginsBefore).toBe(1);
    expect(refused() - refusedBefore).toBe(0);
  });

  it('logs in once and repeats the request when an operator revoked the token', async () => {
    const plugin = await fixture.keystore(await fixture.appRoleConfiguration('revoked-token'));
    await plugin.getKey(KEY);
    fixture.bao.revokeTokens();
    expect((await plugin.getKey(KEY)).currentVersion).toBe('1');
  });

  it('reports revoked credentials as a permanent authentication failure, and picks up a rotated secret_id', async () => {
    const configuration = await fixture.appRoleConfiguration('rotated');
    const plugin = await fixture.keystore(configuration);
    await plugin.getKey(KEY);
    fixture.bao.revokeSecretIds('', 'rotated');
    fixture.bao.revokeTokens();
    const error = await failureOf(plugin.getKey(KEY));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.retryable).toBe(false);
    expect((await plugin.health()).status).toBe('unhealthy');
    // The operator issues a new secret_id into the mounted Secret: no restart needed.
    const fresh = await fixture.appRoleConfiguration('rotated');
    const { appRole: freshFiles } = fresh.auth as { appRole: { roleIdFile: string; secretIdFile: string } };
    const { appRole } = configuration.auth as { appRole: { roleIdFile: string; secretIdFile: string } };
    const { readFile } = await import('node:fs/promises');
    await writeFile(appRole.roleIdFile, await readFile(freshFiles.roleIdFile));
    await writeFile(appRole.secretIdFile, await readFile(freshFiles.secretIdFile));
    expect((await plugin.getKey(KEY)).state).toBe('ENABLED');
  });
});

describe('the documented minimum policy', () => {
  const operations = (plugin: OpenBaoKeystore) => ({
    async wrapUnwrap() {
      const wrapped = await plugin.wrapKey(KEY, randomBytes(32), AAD);
      await plugin.unwrapKey(KEY, wrapped.ciphertext, AAD);
    },
    async validate() {
      const validation = await plugin.validateKey(KEY);
      if (!validation.usable) throw new Error(validation.reason);
      await plugin.getKeyVersions(KEY);
    },
    async health() {
      const health = await plugin.health();
      if (health.status !== 'healthy') throw new Error(health.message);
    },
    async renewal() {
      const before = renewals();
      fixture.bao.advance(40 * 60);
      await plugin.getKey(KEY);
      const renewed = fixture.bao.requests.filter((request) => request.path === 'auth/token/renew-self');
      if (renewals() === before || renewed.at(-1)?.status !== 200) throw new Error('renewal was refused');
    },
  });

  it('is enough for everything CMK does', async () => {
    const rules = await documentedMinimumPolicy();
    expect(Object.keys(rules)).toHaveLength(5);
    fixture.bao.writePolicy('', 'minimum', rules);
    const plugin = await fixture.keystore(
      await fixture.appRoleConfiguration('minimum', { policies: ['minimum'], noDefaultPolicy: true }),
    );
    for (const operation of Object.values(operations(plugin))) await operation();
  });

  it('fails some operation when any one of its lines is missing', async () => {
    const rules = await documentedMinimumPolicy();
    for (const path of Object.keys(rules)) {
      const fewer: PolicyRules = Object.fromEntries(
        Object.entries(rules).filter(([other]) => other !== path),
      );
      const name = `without-${path.replaceAll('/', '-')}`;
      fixture.bao.writePolicy('', name, fewer);
      const plugin = await fixture.keystore(
        await fixture.appRoleConfiguration(name, { policies: [name], noDefaultPolicy: true }),
      );
      const failures: string[] = [];
      for (const [label, operation] of Object.entries(operations(plugin)))
        await operation().catch(() => failures.push(label));
      expect(failures, `removing ${path}`).not.toHaveLength(0);
    }
  });

  it('does not let CMK create an L1 key by encrypting under an unknown name', async () => {
    const plugin = await fixture.keystore(await fixture.appRoleConfiguration('no-create'));
    const error = await failureOf(
      plugin.wrapKey({ keyReference: 'transit/keys/typo-root' }, randomBytes(32), AAD),
    );
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toContain('docs/keystores/openbao.md');
  });
});

describe('keys and their versions', () => {
  it('notices a rotation, keeps old ciphertexts readable, and refuses versions the owner retired', async () => {
    fixture.bao.createKey('', 'transit', 'rotating');
    fixture.bao.writePolicy('', 'rotating', {
      'transit/keys/rotating': ['read'],
      'transit/encrypt/rotating': ['update'],
      'transit/decrypt/rotating': ['update'],
    });
    const key = { keyReference: 'transit/keys/rotating' };
    const plugin = await fixture.keystore(
      await fixture.appRoleConfiguration('rotating', { policies: ['rotating'] }),
    );
    const before = await plugin.wrapKey(key, randomBytes(32), AAD);
    expect(before.keyVersion).toBe('1');
    expect(Buffer.from(before.ciphertext).toString()).toMatch(/^vault:v1:/);
    fixture.bao.rotateKey('', 'transit', 'rotating');
    expect((await plugin.validateKey(key)).currentVersion).toBe('2');
    expect((await plugin.getKeyVersions(key)).map((version) => [version.version, version.current])).toEqual([
      ['1', false],
      ['2', true],
    ]);
    expect((await plugin.unwrapKey(key, before.ciphertext, AAD)).length).toBe(32);
    fixture.bao.configureKey('', 'transit', 'rotating', { minDecryptionVersion: 2 });
    expect((await failureOf(plugin.unwrapKey(key, before.ciphertext, AAD))).code).toBe('KEY_DISABLED');
    expect((await plugin.getKeyVersions(key)).map((version) => version.version)).toEqual(['2']);
  });

  it('is unavailable (retryable) while sealed, and recovers when unsealed', async () => {
    const plugin = await fixture.keystore(await fixture.appRoleConfiguration('sealed'));
    await plugin.getKey(KEY);
    fixture.bao.seal();
    try {
      const error = await failureOf(plugin.wrapKey(KEY, randomBytes(32), AAD));
      expect([error.code, error.retryable]).toEqual(['UNAVAILABLE', true]);
      expect((await plugin.health()).message).toMatch(/sealed/);
    } finally {
      fixture.bao.unseal();
    }
    expect((await plugin.health()).status).toBe('healthy');
  });

  it('answers from the Account namespace, and a tenant cannot reach a sibling namespace', async () => {
    for (const tenant of ['acme', 'globex']) {
      fixture.bao.createNamespace(`tenants/${tenant}`);
      fixture.bao.enableTransit(`tenants/${tenant}`);
      fixture.bao.createKey(`tenants/${tenant}`, 'transit', 'root');
    }
    fixture.bao.writePolicy('tenants', 'acme-only', {
      'acme/transit/keys/root': ['read'],
      'acme/transit/encrypt/root': ['update'],
      'acme/transit/decrypt/root': ['update'],
    });
    const plugin = await fixture.keystore(
      await fixture.appRoleConfiguration('tenants-cmk', { namespace: 'tenants', policies: ['acme-only'] }),
    );
    const account = (namespace: string) => ({
      keyReference: 'transit/keys/root',
      accessData: { address: fixture.bao.address, namespace },
    });
    expect((await plugin.validateKey(account('tenants/acme'))).usable).toBe(true);
    expect((await failureOf(plugin.getKey(account('tenants/globex')))).code).toBe('PERMISSION_DENIED');
    const outside = await failureOf(plugin.validateKeyAccessData(account('elsewhere').accessData));
    expect(outside.message).toMatch(/namespace "elsewhere" is outside "tenants"/);
    expect(fixture.bao.requests.some((request) => request.namespace === 'tenants/acme')).toBe(true);
  });

  it('refuses an Account that names another server', async () => {
    const plugin = await fixture.keystore(await fixture.appRoleConfiguration('addresses'));
    const other = await failureOf(plugin.validateKeyAccessData({ address: 'https://169.254.169.254' }));
    expect(other.code).toBe('INVALID_KEY_ACCESS_DATA');
    expect(other.message).toMatch(/an operator must configure CMK for that server/);
  });
});

describe('TLS', () => {
  it('verifies the server with the CA bundle and the server name, and says which to check', async () => {
    const configuration = await fixture.appRoleConfiguration('tls');
    const withoutCa = await fixture.keystore({
      ...configuration,
      tls: { serverName: fixture.bao.serverName },
    });
    const noCa = await failureOf(withoutCa.getKey(KEY));
    expect(noCa.message).toMatch(/TLS verification .* failed .*tls.caBundleFile and tls.serverName/);
    const withoutName = await fixture.keystore({
      ...configuration,
      tls: { caBundleFile: fixture.bao.caFile },
    });
    expect((await failureOf(withoutName.getKey(KEY))).code).toBe('UNAVAILABLE');
    await expect((await fixture.keystore(configuration)).getKey(KEY)).resolves.toMatchObject({
      state: 'ENABLED',
    });
  });
});

describe('configuration', () => {
  const valid = () => ({
    address: 'https://openbao.example.com:8200',
    auth: { method: 'AppRole', appRole: { roleIdFile: '/r', secretIdFile: '/s' } },
  });
  const rejection = async (configuration: unknown) => {
    const error = await failureOf(new OpenBaoKeystore().configure(configuration));
    expect(error.code).toBe('INVALID_CONFIGURATION');
    return error.message;
  };

  it('accepts a minimal configuration and fills in the defaults', async () => {
    await new OpenBaoKeystore().configure(valid());
  });

  it.each([
    [{ address: 'http://openbao.example.com:8200' }, /address/],
    [{ namespace: 'tenants//acme' }, /namespace/],
    [{ auth: { method: 'Token' } }, /auth.method/],
    [{ auth: { method: 'AppRole' } }, /auth.appRole: Required value: auth.method is AppRole/],
    [
      {
        auth: {
          method: 'AppRole',
          appRole: { roleIdFile: '/r', secretIdFile: '/s' },
          kubernetes: { role: 'cmk' },
        },
      },
      /auth.kubernetes: Forbidden: only auth.appRole may be set when auth.method is AppRole/,
    ],
    [{ auth: { method: 'Kubernetes', kubernetes: { role: 'cmk', mountPath: 'Kube Auth' } } }, /mountPath/],
    [{ tls: { serverName: 'not a name' } }, /tls.serverName/],
    [{ renewIncrementSeconds: 86_400 }, /renewIncrementSeconds/],
    [{ token: 's.root' }, /token/],
  ])('rejects %j naming the field', async (change, message) => {
    expect(await rejection({ ...valid(), ...change })).toMatch(message);
  });

  it('rejects a CA bundle file it cannot read', async () => {
    expect(await rejection({ ...valid(), tls: { caBundleFile: '/nonexistent/ca.pem' } })).toMatch(
      /tls.caBundleFile: cannot read \/nonexistent\/ca.pem: ENOENT/,
    );
  });

  it('rejects key references that are not Transit key paths', async () => {
    const plugin = await fixture.keystore(await fixture.appRoleConfiguration('paths'));
    for (const reference of [
      'acme-root',
      'transit/acme-root',
      'transit/keys/',
      'Transit/keys/x',
      'transit/keys/-x',
    ])
      expect((await failureOf(plugin.getKey({ keyReference: reference }))).code).toBe(
        'INVALID_KEY_ACCESS_DATA',
      );
  });
});
