import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CmkHarness, startHarness } from './support.js';

const TEAM = '/api/v1/tenants/root:orgs:acme:team-a';
const ACME = '/api/v1/tenants/root:orgs:acme';
const DAY = 86_400;

/** A tenant that leaves: its keys wait out the deletion period, then it is purged (test clock). */
describe('offboarding a tenant', () => {
  let cmk: CmkHarness;
  /** A tenant with an Account `root` and a key `orders`, as the controller and alice make them. */
  const tenantWithKey = async (tenant: string) => {
    expect((await cmk.call('controller', 'PUT', tenant, {})).status).toBe(201);
    const account = { name: 'root', providerType: 'Local', keyReference: 'acme-root' };
    expect((await cmk.call('alice', 'POST', `${tenant}/accounts`, account)).status).toBe(201);
    const key = { name: 'orders', accountRef: { name: 'root' } };
    expect((await cmk.call('alice', 'POST', `${tenant}/keys`, key)).status).toBe(201);
  };
  beforeAll(async () => {
    cmk = await startHarness();
    // The parent organisation's tenant, with a key of the same name: it must not notice a thing.
    await tenantWithKey(ACME);
    await tenantWithKey(TEAM);
  });
  afterAll(async () => {
    await cmk?.close();
  });

  it('refuses to offboard a tenant whose Accounts keys of a child workspace use, naming them', async () => {
    const borrowed = await cmk.call('alice', 'POST', `${TEAM}/keys`, {
      name: 'borrowed',
      accountRef: { name: 'root', workspace: 'root:orgs:acme' },
    });
    expect(borrowed.status).toBe(201);
    const refused = await cmk.call('controller', 'POST', `${ACME}/offboard`);
    expect(refused.status).toBe(412);
    expect(refused.body.message).toContain('root:orgs:acme:team-a/borrowed');
    expect((await cmk.call('alice', 'GET', `${ACME}/keys/orders`)).body.state).toBe('ENABLED');
  });

  it('is for the product services only', async () => {
    expect((await cmk.call('alice', 'POST', `${TEAM}/offboard`)).status).toBe(403);
  });

  it('puts every key in the waiting period at once and says when the tenant is purged', async () => {
    const offboarded = await cmk.call('controller', 'POST', `${TEAM}/offboard`);
    expect(offboarded.status).toBe(200);
    const purgeAfter = new Date(String(offboarded.body.purgeAfter));
    expect(purgeAfter.getTime() - cmk.clock.now.getTime()).toBe(7 * DAY * 1000);
    expect(offboarded.body.state).toBe('OFFBOARDING');
    // Asking again changes nothing.
    expect((await cmk.call('controller', 'POST', `${TEAM}/offboard`)).body.purgeAfter).toBe(
      offboarded.body.purgeAfter,
    );
    const key = await cmk.call('alice', 'GET', `${TEAM}/keys/orders`);
    expect(key.body).toMatchObject({ state: 'PENDING_DELETION', deleteAfter: purgeAfter.toISOString() });
    const refused = await cmk.call('alice', 'POST', `${TEAM}/keys`, {
      name: 'late',
      accountRef: { name: 'root' },
    });
    expect(refused.status).toBe(412);
    expect(refused.body.message).toContain('is being offboarded');
    expect((await cmk.call('controller', 'POST', `${TEAM}/resume`)).status).toBe(412);
    // Other tenants go on as before.
    expect((await cmk.call('alice', 'GET', `${ACME}/keys/orders`)).body.state).toBe('ENABLED');
  });

  it('purges the tenant when the waiting period ends, keeping a tombstone that refuses provisioning', async () => {
    cmk.clock.advance(7 * DAY - 60);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await cmk.call('controller', 'GET', TEAM)).body.state).toBe('OFFBOARDING');
    cmk.clock.advance(120);
    let tenant: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 300 && tenant.state !== 'PURGED'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      tenant = (await cmk.call('controller', 'GET', TEAM)).body;
    }
    expect(tenant).toMatchObject({ state: 'PURGED', purgedAt: cmk.clock.now.toISOString() });
    expect((await cmk.call('alice', 'GET', `${TEAM}/keys`)).body.items ?? []).toEqual([]);
    const audit = (await cmk.call('alice', 'GET', `${TEAM}/audit`)).body.items as Array<{ action: string }>;
    expect(audit.map((entry) => entry.action)).toEqual(['tenant.purge']);
    // The same binding does not bring it back; a binding made after the purge starts it over.
    const again = await cmk.call('controller', 'PUT', TEAM, { boundSince: '2020-01-01T00:00:00Z' });
    expect(again.status).toBe(412);
    expect(again.body.message).toContain('disable and enable it');
    const fresh = await cmk.call('controller', 'PUT', TEAM, {
      boundSince: new Date(cmk.clock.now.getTime() + 1000).toISOString(),
    });
    expect(fresh.status).toBe(201);
    expect(fresh.body.state).toBe('ACTIVE');
    expect((await cmk.call('alice', 'GET', `${TEAM}/keys`)).body.items).toEqual([]);
    expect((await cmk.call('alice', 'GET', `${ACME}/keys/orders`)).body.state).toBe('ENABLED');
  });
});
