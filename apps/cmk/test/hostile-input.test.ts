import { errorShapeProblems, hostileBody, hostileSegment, TIMEOUTS } from '@openkcm/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keychainRoutes } from '../src/api/keychain-routes.js';
import { ACME, type CmkHarness, startHarness } from './support.js';

type User = 'alice' | 'victor' | 'mallory' | 'controller';
type Answer = { status: number; body: Record<string, unknown> };

/** CMK as an attacker and a careless client use it: every refusal is a 4xx in the error shape. */
describe('CMK against hostile paths, queries and bodies', () => {
  let cmk: CmkHarness;
  const expectClientError = (answer: Answer, what: string) =>
    expect(errorShapeProblems(answer), `${what}: ${JSON.stringify(answer.body)}`).toEqual([]);

  beforeAll(async () => {
    cmk = await startHarness();
    await cmk.call('controller', 'PUT', ACME, { region: 'eu-central-1' });
    await cmk.call('alice', 'POST', `${ACME}/accounts`, {
      name: 'root',
      providerType: 'Local',
      keyReference: 'acme-root',
    });
    await cmk.call('alice', 'POST', `${ACME}/keys`, { name: 'orders', accountRef: { name: 'root' } });
  }, TIMEOUTS.processStart);
  afterAll(async () => {
    await cmk?.close();
  });

  it("answers the issue's hostile requests with a 400 or 404, never a 500", async () => {
    const cases: Array<[User, string, string, unknown?]> = [
      ['alice', 'GET', '/api/v1/tenants/%E0%A4%A/keys'],
      ['alice', 'GET', `${ACME}/keys/%ZZ`],
      ['alice', 'GET', `${ACME}/keys/..%2F..%2Faccounts`],
      ...['-5', '1.5', '0', '1e3', 'abc'].map(
        (limit) => ['alice', 'GET', `${ACME}/audit?limit=${limit}`] as [User, string, string],
      ),
      ...['Infinity', '1e30', '-1', '99999999999999999999'].map(
        (after) => ['alice', 'GET', `${ACME}/audit?after=${after}`] as [User, string, string],
      ),
      ['alice', 'POST', `${ACME}/keys/orders/decrypt`, { ciphertext: 'okcm:v2147483648:AAAA' }],
      ['alice', 'POST', `${ACME}/keys/orders/decrypt`, { ciphertext: `okcm:v${'9'.repeat(20)}:AAAA` }],
      ['alice', 'PATCH', `${ACME}/keys/orders`, { retention: { keepVersions: 1e308 } }],
      ['alice', 'POST', `${ACME}/keys`, `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
      ['alice', 'POST', `${ACME}/keys`, '{"__proto__":{"admin":true},"name":"x"}'],
    ];
    for (const [user, method, path, body] of cases)
      expectClientError(await cmk.call(user, method, path, body), `${method} ${path}`);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect((await cmk.call('alice', 'GET', `${ACME}/audit?limit=2&after=0`)).status).toBe(200);
  });

  it("refuses another organisation's L1 key exactly as a missing one, and lets the owner's workspaces share it", async () => {
    const GLOBEX = '/api/v1/tenants/root:orgs:globex';
    const TEAM = '/api/v1/tenants/root:orgs:acme:team-a';
    await cmk.call('controller', 'PUT', GLOBEX, {});
    await cmk.call('controller', 'PUT', TEAM, {});
    const register = (tenant: string, user: User, keyReference: string) =>
      cmk.call(user, 'POST', `${tenant}/accounts`, { name: 'borrowed', providerType: 'Local', keyReference });
    const taken = await register(GLOBEX, 'mallory', 'acme-root');
    const missing = await register(GLOBEX, 'mallory', 'no-such-key');
    expect(taken.status).toBe(422);
    expect(missing.status).toBe(422);
    expect(String(taken.body.message).replaceAll('acme-root', 'X')).toBe(
      String(missing.body.message).replaceAll('no-such-key', 'X'),
    );
    expect(JSON.stringify(taken.body)).not.toContain('root:orgs:acme');
    // A re-key is refused the same way; a workspace of acme's own organisation may use it.
    expect((await register(GLOBEX, 'mallory', 'globex-root')).status).toBe(201);
    expect(
      (
        await cmk.call('mallory', 'POST', `${GLOBEX}/accounts/borrowed/rekey`, {
          keyReference: 'acme-root',
          confirm: 'borrowed',
        })
      ).status,
    ).toBe(422);
    expect((await register(TEAM, 'alice', 'acme-root')).status).toBe(201);
  });

  it('says whether it is ready without a token, and nothing more', async () => {
    const ready = await cmk.call(undefined, 'GET', '/readyz');
    expect(ready).toEqual({ status: 200, body: { ready: true } });
    expect(JSON.stringify(ready.body)).not.toContain(cmk.dataDir);
  });

  it(
    'never answers 5xx, always with the error shape, to generated hostile requests on every route',
    async () => {
      const audit = async () => (await cmk.call('alice', 'GET', `${ACME}/audit?limit=1000`)).body.items;
      const before = await audit();
      const segment = hostileSegment();
      const body = hostileBody(
        fc
          .record({
            ciphertext: fc.constantFrom('okcm:v0:AA==', 'okcm:v2147483648:AA==', 'okcm:v1:!!'),
            plaintext: fc.string(),
            requestId: fc.string(),
            retention: fc.record({ keepVersions: fc.double(), maxAgeSeconds: fc.double() }),
          })
          .map((value) => JSON.stringify(value)),
      );
      const query = fc.dictionary(
        fc.constantFrom('limit', 'after', 'account', '__proto__'),
        fc.oneof(fc.string({ maxLength: 12 }), fc.double().map(String)),
      );
      const routes = keychainRoutes(() => undefined);
      const request = fc.record({
        route: fc.constantFrom(...routes),
        tenant: fc.oneof(fc.constant('root:orgs:acme'), segment),
        name: segment,
        body,
        query,
        user: fc.constantFrom<User>('alice', 'victor', 'mallory'),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ route, tenant, name, body: text, query: params, user }) => {
          const path = route.path.replace(':tenant', tenant).replace(':name', name);
          const search = new URLSearchParams(params as Record<string, string>).toString();
          const target = `${path}${search ? `?${search}` : ''}`;
          const answer = await cmk.call(
            user,
            route.method,
            target,
            route.method === 'GET' ? undefined : text,
          );
          expect(answer.status, `${route.method} ${path}`).toBeLessThan(500);
          if (answer.status >= 400) expectClientError(answer, `${route.method} ${path}`);
        }),
        { numRuns: 200 },
      );
      expect(await audit()).toEqual(before);
      expect((await cmk.call(undefined, 'GET', '/healthz')).status).toBe(200);
    },
    TIMEOUTS.longTest,
  );
});
