import { TIMEOUTS } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, databaseFor } from './backends.js';
import { ACME, type CmkHarness, startHarness } from './support.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + TIMEOUTS.converge;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(BACKENDS)('CMK on %s', (backend) => {
  let cmk: CmkHarness;
  const database = databaseFor(backend);

  beforeAll(async () => {
    const url = await database.fresh();
    cmk = await startHarness(url ? { databaseUrl: url } : {});
    expect((await cmk.call('controller', 'PUT', ACME, { region: 'eu-central-1' })).status).toBe(201);
  });
  afterAll(async () => {
    await cmk?.close();
  });

  describe('service and plugins', () => {
    it('reports health, per-plugin status (the local keystore says it is not for production) and its OpenAPI document', async () => {
      expect((await cmk.call(undefined, 'GET', '/healthz')).status).toBe(200);
      const ready = await cmk.call(undefined, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      const plugins = (await cmk.call('victor', 'GET', '/api/v1/plugins')).body.items as Array<{
        plugin: string;
        health: { production: boolean; message: string };
      }>;
      expect(plugins.map((plugin) => plugin.plugin).sort()).toEqual([
        'certificates-local-ca',
        'identity-oidc',
        'keystore-local',
        'notification-log',
        'system-information-resource-graph',
      ]);
      const keystore = plugins.find((plugin) => plugin.plugin === 'keystore-local');
      expect(keystore?.health.production).toBe(false);
      expect(keystore?.health.message).toContain('not for production');
      const document = (await cmk.call(undefined, 'GET', '/api/v1/openapi.json')).body;
      expect(document.openapi).toBe('3.0.3');
      expect(Object.keys(document.paths as object)).toContain('/api/v1/tenants/{tenant}/keys/{name}/rotate');
    });

    it('checks every token itself and keeps tenants apart', async () => {
      const anonymous = await cmk.call(undefined, 'GET', `${ACME}/accounts`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      expect(anonymous.body.requestID).toBeTruthy();
      expect((await cmk.call('mallory', 'GET', `${ACME}/accounts`)).status).toBe(403);
      expect((await cmk.call('alice', 'PUT', '/api/v1/tenants/root:orgs:globex', {})).status).toBe(403);
      expect((await cmk.call('victor', 'GET', `${ACME}/accounts`)).status).toBe(200);
    });
  });

  describe('tenants', () => {
    it('provisions a tenant once per workspace, validates the region, and suspends and resumes it', async () => {
      const again = await cmk.call('controller', 'PUT', ACME, {});
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({
        workspace: 'root:orgs:acme',
        region: 'eu-central-1',
        state: 'ACTIVE',
      });
      const badRegion = await cmk.call('controller', 'PUT', '/api/v1/tenants/root:orgs:initech', {
        region: 'mars-1',
      });
      expect(badRegion.status).toBe(400);
      expect(badRegion.body.message).toContain('mars-1');
    });

    it("accepts only tokens for a tenant's audiences once it names some (FR-4.2)", async () => {
      const globex = '/api/v1/tenants/root:orgs:globex';
      const unknown = await cmk.call('controller', 'PUT', globex, { audiences: ['someone-else'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain('openkcm-shell');
      expect((await cmk.call('controller', 'PUT', globex, { audiences: ['openkcm-dev-tools'] })).status).toBe(
        201,
      );
      // Users' tokens come from the console client (azp openkcm-shell): refused, saying which are accepted.
      const refused = await cmk.call('mallory', 'GET', `${globex}/keys`);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('accepts tokens for openkcm-dev-tools only');
      expect((await cmk.call('controller', 'PUT', globex, { audiences: ['openkcm-shell'] })).status).toBe(
        200,
      );
      expect((await cmk.call('mallory', 'GET', `${globex}/keys`)).status).toBe(200);
      expect((await cmk.call('controller', 'PUT', globex, { audiences: [] })).status).toBe(200);
    });
  });

  describe('Accounts and keys', () => {
    let firstCiphertext = '';

    it('registers an Account only when its L1 key exists and is usable', async () => {
      const missing = await cmk.call('alice', 'POST', `${ACME}/accounts`, {
        name: 'broken',
        providerType: 'Local',
        keyReference: 'no-such-key',
      });
      expect(missing.status).toBe(422);
      expect(missing.body.message).toMatch(/not found/);
      const created = await cmk.call('alice', 'POST', `${ACME}/accounts`, {
        name: 'local-root',
        providerType: 'Local',
        keyReference: 'acme-root',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'local-root',
        state: 'ACTIVE',
        generation: 1,
        dependentKeys: 0,
      });
      expect(
        (
          await cmk.call('alice', 'POST', `${ACME}/accounts`, {
            name: 'local-root',
            providerType: 'Local',
            keyReference: 'acme-root',
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await cmk.call('victor', 'POST', `${ACME}/accounts`, {
            name: 'viewer-made',
            providerType: 'Local',
            keyReference: 'acme-root',
          })
        ).status,
      ).toBe(403);
      const unknownProvider = await cmk.call('alice', 'POST', `${ACME}/accounts`, {
        name: 'aws',
        providerType: 'AWS',
        keyReference: 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      });
      expect(unknownProvider.status).toBe(400);
      expect(unknownProvider.body.message).toContain('loaded: Local');
    });

    it('creates a key, encrypts, rotates once per request id, and old versions still decrypt', async () => {
      const created = await cmk.call('alice', 'POST', `${ACME}/keys`, {
        name: 'orders',
        accountRef: { name: 'local-root' },
        rotationSchedule: 'Daily',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ currentVersion: 1, rotationSchedule: '1d', state: 'ENABLED' });
      const encrypted = await cmk.call('alice', 'POST', `${ACME}/keys/orders/encrypt`, {
        plaintext: b64('card 4242'),
        context: 'order-7',
      });
      firstCiphertext = String(encrypted.body.ciphertext);
      expect(firstCiphertext).toMatch(/^okcm:v1:/);
      const rotated = await cmk.call('alice', 'POST', `${ACME}/keys/orders/rotate`, { requestId: 'r-1' });
      expect(rotated.body).toMatchObject({ version: 2, rotated: true });
      const repeated = await cmk.call('alice', 'POST', `${ACME}/keys/orders/rotate`, { requestId: 'r-1' });
      expect(repeated.body).toMatchObject({ version: 2, rotated: false, currentVersion: 2 });
      const decrypted = await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
        ciphertext: firstCiphertext,
        context: 'order-7',
      });
      expect(Buffer.from(String(decrypted.body.plaintext), 'base64').toString()).toBe('card 4242');
      expect(
        (
          await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
            ciphertext: firstCiphertext,
            context: 'order-8',
          })
        ).status,
      ).toBe(422);
    });

    it('refuses every decrypt while a key is disabled', async () => {
      await cmk.call('alice', 'PATCH', `${ACME}/keys/orders`, { state: 'DISABLED' });
      const refused = await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
        ciphertext: firstCiphertext,
        context: 'order-7',
      });
      expect(refused.status).toBe(422);
      expect(refused.body.message).toContain('disabled');
      await cmk.call('alice', 'PATCH', `${ACME}/keys/orders`, { state: 'ENABLED' });
      expect(
        (
          await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
            ciphertext: firstCiphertext,
            context: 'order-7',
          })
        ).status,
      ).toBe(200);
    });

    it('refuses to delete an Account that keys depend on, naming them', async () => {
      const refused = await cmk.call('alice', 'DELETE', `${ACME}/accounts/local-root`);
      expect(refused.status).toBe(412);
      expect(refused.body.details).toEqual({ dependents: ['orders'] });
    });

    it('re-keys an Account to a new L1 key after confirmation, and everything still decrypts', async () => {
      const unconfirmed = await cmk.call('alice', 'POST', `${ACME}/accounts/local-root/rekey`, {
        keyReference: 'acme-backup',
        confirm: 'local',
      });
      expect(unconfirmed.status).toBe(400);
      const started = await cmk.call('alice', 'POST', `${ACME}/accounts/local-root/rekey`, {
        keyReference: 'acme-backup',
        confirm: 'local-root',
      });
      expect(started.status).toBe(202);
      const done = await poll(
        () => cmk.call('alice', 'GET', `${ACME}/accounts/local-root`),
        (response) => response.body.state === 'ACTIVE',
        'the re-key to finish',
      );
      expect(done.body).toMatchObject({ keyReference: 'acme-backup', generation: 2 });
      expect(done.body.rekey).toMatchObject({ total: 2, done: 2 });
      const decrypted = await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
        ciphertext: firstCiphertext,
        context: 'order-7',
      });
      expect(decrypted.status).toBe(200);
    });

    it('applies a retention policy through the waiting period, and undoes it when the policy is relaxed', async () => {
      await cmk.call('alice', 'PATCH', `${ACME}/keys/orders`, { retention: { keepVersions: 2 } });
      await cmk.call('alice', 'POST', `${ACME}/keys/orders/rotate`, { requestId: 'r-2' });
      const key = await cmk.call('alice', 'GET', `${ACME}/keys/orders`);
      const versions = key.body.versions as Array<{ version: number; state: string }>;
      expect(versions.find((version) => version.version === 1)?.state).toBe('DESTROY_SCHEDULED');
      expect(
        (
          await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
            ciphertext: firstCiphertext,
            context: 'order-7',
          })
        ).status,
      ).toBe(422);
      await cmk.call('alice', 'PATCH', `${ACME}/keys/orders`, { retention: { keepVersions: null } });
      expect(
        (
          await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
            ciphertext: firstCiphertext,
            context: 'order-7',
          })
        ).status,
      ).toBe(200);
    });

    it('schedules deletion with a waiting period that can be cancelled', async () => {
      const deleted = await cmk.call('alice', 'DELETE', `${ACME}/keys/orders`);
      expect(deleted.status).toBe(202);
      expect(Date.parse(String(deleted.body.deleteAfter)) - cmk.clock.now.getTime()).toBe(7 * 86_400_000);
      expect(
        (
          await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
            ciphertext: firstCiphertext,
            context: 'order-7',
          })
        ).status,
      ).toBe(422);
      expect((await cmk.call('alice', 'POST', `${ACME}/keys/orders/cancel-deletion`)).body.state).toBe(
        'ENABLED',
      );
      expect(
        (
          await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
            ciphertext: firstCiphertext,
            context: 'order-7',
          })
        ).status,
      ).toBe(200);
    });

    it('rotates due keys on its own schedule', async () => {
      const before = (await cmk.call('alice', 'GET', `${ACME}/keys/orders`)).body.currentVersion as number;
      cmk.clock.advance(86_400 + 60);
      const after = await poll(
        () => cmk.call('alice', 'GET', `${ACME}/keys/orders`),
        (response) => (response.body.currentVersion as number) > before,
        'the scheduled rotation',
      );
      expect(after.body.currentVersion).toBe(before + 1);
    });

    it('stops the keys of a suspended tenant', async () => {
      await cmk.call('controller', 'POST', `${ACME}/suspend`);
      const refused = await cmk.call('alice', 'POST', `${ACME}/keys/orders/decrypt`, {
        ciphertext: firstCiphertext,
        context: 'order-7',
      });
      expect(refused.status).toBe(412);
      expect(refused.body.message).toContain('suspended');
      await cmk.call('controller', 'POST', `${ACME}/resume`);
    });

    it('records who changed what in the audit trail', async () => {
      const audit = (await cmk.call('victor', 'GET', `${ACME}/audit?limit=1000`)).body.items as Array<{
        actor: string;
        action: string;
      }>;
      expect(audit.map((entry) => entry.action)).toEqual(
        expect.arrayContaining([
          'tenant.provision',
          'account.register',
          'key.create',
          'key.rotate',
          'account.rekey.start',
          'account.rekey.complete',
          'key.disable',
          'key.delete',
          'tenant.suspend',
        ]),
      );
      expect(audit.find((entry) => entry.action === 'key.create')?.actor).toBe('alice');
      expect(audit.find((entry) => entry.action === 'tenant.provision')?.actor).toBe(
        'service-account-openkcm-controller',
      );
    });

    it('filters the audit trail by subject, actor, action family and time, and pages it newest-first', async () => {
      type Page = {
        items: Array<{ id: number; actor: string; action: string; subject: string }>;
        next: number | null;
      };
      const page = async (query: string) =>
        (await cmk.call('victor', 'GET', `${ACME}/audit?${query}`)).body as Page;
      const all = await page('order=newest&limit=1000');
      const ids = all.items.map((entry) => entry.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      // Two at a time, newest first, following `next` until it runs out: the same records, none twice.
      const walked: number[] = [];
      let cursor: number | null = null;
      do {
        const current: Page = await page(`order=newest&limit=2${cursor === null ? '' : `&before=${cursor}`}`);
        walked.push(...current.items.map((entry) => entry.id));
        cursor = current.next;
      } while (cursor !== null);
      expect(walked).toEqual(ids);
      const keyFamily = await page('order=newest&limit=1000&action=key.');
      expect(keyFamily.items.length).toBeGreaterThan(0);
      expect(keyFamily.items.every((entry) => entry.action.startsWith('key.'))).toBe(true);
      const byAlice = await page('limit=1000&actor=alice&action=key.create');
      expect(byAlice.items.every((entry) => entry.actor === 'alice' && entry.action === 'key.create')).toBe(
        true,
      );
      const subject = byAlice.items[0]?.subject ?? '';
      const ofSubject = await page(`limit=1000&subject=${encodeURIComponent(subject)}`);
      expect(ofSubject.items.every((entry) => entry.subject === subject)).toBe(true);
      expect((await page('limit=1000&since=2999-01-01T00:00:00Z')).items).toEqual([]);
      expect((await page('limit=1000&until=2000-01-01T00:00:00Z')).items).toEqual([]);
      for (const bad of ['order=sideways', 'since=yesterday', `actor=${'a'.repeat(3000)}`, 'before=-1'])
        expect((await cmk.call('victor', 'GET', `${ACME}/audit?${bad}`)).status, bad).toBe(400);
    });
  });

  describe('bad input', () => {
    it('answers malformed, invalid and oversized bodies with the error shape and changes nothing', async () => {
      const malformed = await cmk.call('alice', 'POST', `${ACME}/keys`, '{"name":');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ code: 'INVALID_ARGUMENT', status: 400 });
      const invalid = await cmk.call('alice', 'POST', `${ACME}/keys`, {
        name: 'Bad Name',
        accountRef: { name: 'local-root' },
        rotationSchedule: 'fortnightly',
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toContain('name');
      const schedule = await cmk.call('alice', 'POST', `${ACME}/keys`, {
        name: 'ok-name',
        accountRef: { name: 'local-root' },
        rotationSchedule: 'fortnightly',
      });
      expect(schedule.status).toBe(400);
      expect(schedule.body.message).toContain('Hourly');
      const huge = await cmk.call('alice', 'POST', `${ACME}/keys/orders/encrypt`, {
        plaintext: 'A'.repeat(100_000),
      });
      expect(huge.status).toBe(413);
      const names = (
        (await cmk.call('alice', 'GET', `${ACME}/keys`)).body.items as Array<{ name: string }>
      ).map((key) => key.name);
      expect(names).toEqual(['orders']);
    });
  });
});
