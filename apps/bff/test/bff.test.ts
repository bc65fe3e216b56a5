import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeClient } from '@openkcm/kube-client';
import {
  eventually,
  startTestStack,
  startWebhookReceiver,
  type TestStack,
  TIMEOUTS,
  type WebhookReceiver,
} from '@openkcm/testkit';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ACME = '/api/v1/workspaces/root:orgs:acme';

// Response bodies are read loosely: each assertion names the fields it expects.
// biome-ignore lint/suspicious/noExplicitAny: test-side view of JSON bodies
type Json = Record<string, any>;
interface StreamEvent {
  id: string;
  data: { type: string; kind: string; name: string };
}

describe('the BFF with the real stack', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;

  const call = async (
    user: 'alice' | 'victor' | 'mallory' | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${stack.endpoints.bff}${path}`, {
      method,
      headers: {
        ...(user ? { Authorization: `Bearer ${await stack.tokenFor(user)}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : {}) as Json,
    };
  };

  /** Reads Server-Sent Events until `done` says enough. */
  const readEvents = async (headers: Record<string, string>, done: (events: StreamEvent[]) => boolean) => {
    const controller = new AbortController();
    const response = await fetch(`${stack.endpoints.bff}${ACME}/events`, {
      headers: { Authorization: `Bearer ${await stack.tokenFor('alice')}`, ...headers },
      signal: controller.signal,
    });
    if (!response.body) throw new Error('the events stream has no body');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const events: StreamEvent[] = [];
    let buffer = '';
    const timeout = setTimeout(() => controller.abort(), TIMEOUTS.converge);
    try {
      while (!done(events)) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        buffer += decoder.decode(value, { stream: true });
        let split = buffer.indexOf('\n\n');
        while (split >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          split = buffer.indexOf('\n\n');
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) events.push({ id, data: JSON.parse(data) });
        }
      }
    } finally {
      clearTimeout(timeout);
      controller.abort();
    }
    return events;
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // CMK (a child process inheriting this environment) may deliver to this one loopback port.
    process.env.OPENKCM_WEBHOOK_ALLOW = `127.0.0.1:${receiver.port}`;
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.dispose();
    await receiver?.close();
  });

  it('refuses missing, malformed and forged tokens with 401 before any upstream call', async () => {
    const missing = await call(undefined, 'GET', `${ACME}/accounts`);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(missing.body.requestID).toBe(missing.headers.get('x-request-id'));
    const malformed = await call(undefined, 'GET', `${ACME}/accounts`, undefined, {
      Authorization: 'Bearer not-a-jwt',
    });
    expect(malformed.status).toBe(401);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({
      preferred_username: 'alice',
      realm_access: { roles: ['openkcm:admin:root:orgs:acme'] },
    })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(stack.endpoints.idp ?? '')
      .setAudience('openkcm')
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(
      (await call(undefined, 'GET', `${ACME}/accounts`, undefined, { Authorization: `Bearer ${forged}` }))
        .status,
    ).toBe(401);
  });

  it('refuses expired, wrong-issuer and wrong-audience tokens even when the IdP key signed them', async () => {
    const { keys } = JSON.parse(await readFile(join(stack.dataDir, 'idp', 'jwks.json'), 'utf8')) as {
      keys: JWK[];
    };
    const signing = keys[0] as JWK;
    const key = await importJWK(signing, 'RS256');
    const token = (claims: { iss?: string; aud?: string; exp?: number }) =>
      new SignJWT({ preferred_username: 'alice', realm_access: { roles: ['openkcm:admin:root:orgs:acme'] } })
        .setProtectedHeader({ alg: 'RS256', kid: String(signing.kid) })
        .setIssuer(claims.iss ?? stack.endpoints.idp ?? '')
        .setAudience(claims.aud ?? 'openkcm')
        .setSubject('alice')
        .setExpirationTime(claims.exp ?? '5m')
        .sign(key);
    const valid = await call(undefined, 'GET', `${ACME}/accounts`, undefined, {
      Authorization: `Bearer ${await token({})}`,
    });
    expect(valid.status).toBe(200);
    const cases: Array<[{ iss?: string; aud?: string; exp?: number }, string]> = [
      [{ exp: Math.floor(Date.now() / 1000) - 120 }, 'expired'],
      [{ iss: 'http://127.0.0.1:1/realms/elsewhere' }, 'different identity provider'],
      [{ aud: 'another-api' }, 'audience'],
    ];
    for (const [claims, words] of cases) {
      const refused = await call(undefined, 'GET', `${ACME}/accounts`, undefined, {
        Authorization: `Bearer ${await token(claims)}`,
      });
      expect(refused.status).toBe(401);
      expect(refused.body.message).toContain(words);
    }
  });

  it('serves its OpenAPI document, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${stack.endpoints.bff}/readyz`)).status).toBe(200);
    const document = (await call(undefined, 'GET', '/api/v1/openapi.json')).body;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/workspaces/{workspace}/keys/{name}/rotate',
        '/api/v1/workspaces/{workspace}/events',
      ]),
    );
    expect(
      document.paths['/api/v1/workspaces/{workspace}/accounts'].post.requestBody.content['application/json']
        .schema.required,
    ).toContain('keyReference');
    const metrics = await (await fetch(`${stack.endpoints.bff}/metrics`)).text();
    expect(metrics).toContain('openkcm_bff_requests_total');
  });

  it('enables OpenKCM and shows the tenant status', async () => {
    expect((await call('alice', 'PUT', `${ACME}/openkcm`)).body).toEqual({ enabled: true });
    await eventually(
      async () => (await call('alice', 'GET', `${ACME}/openkcm`)).body.tenant?.status?.phase === 'Active',
      TIMEOUTS.converge,
      'the tenant to be Active',
    );
    expect((await call('victor', 'GET', `${ACME}/openkcm`)).body).toMatchObject({
      enabled: true,
      role: 'Viewer',
    });
    expect((await call('alice', 'GET', `${ACME}/openkcm`)).body.role).toBe('Admin');
  });

  it('lists the workspaces each user may open, with their role, and no others', async () => {
    expect((await call('alice', 'GET', '/api/v1/me')).body).toEqual({
      username: 'alice',
      workspaces: [
        { path: 'root:orgs:acme', role: 'Admin' },
        { path: 'root:orgs:acme:team-a', role: 'Admin' },
      ],
    });
    expect((await call('victor', 'GET', '/api/v1/me')).body.workspaces).toEqual([
      { path: 'root:orgs:acme', role: 'Viewer' },
      { path: 'root:orgs:acme:team-a', role: 'Viewer' },
    ]);
    expect((await call('mallory', 'GET', '/api/v1/me')).body.workspaces).toEqual([
      { path: 'root:orgs:globex', role: 'Admin' },
    ]);
  });

  it("manages Accounts and keys with the user's own token, and aggregates overview and topology", async () => {
    expect(
      (
        await call('alice', 'POST', `${ACME}/accounts`, {
          name: 'root',
          providerType: 'Local',
          keyReference: 'acme-root',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('alice', 'POST', `${ACME}/keys`, {
          name: 'orders',
          accountRef: { name: 'root' },
          rotationSchedule: '30d',
        })
      ).status,
    ).toBe(201);
    await eventually(
      async () => (await call('alice', 'GET', `${ACME}/keys/orders`)).body.status?.currentVersion === 1,
      TIMEOUTS.converge,
      'the key to be ready',
    );
    await call('alice', 'POST', `${ACME}/keys/orders/rotate`);
    await eventually(
      async () => (await call('alice', 'GET', `${ACME}/keys/orders`)).body.status?.currentVersion === 2,
      TIMEOUTS.converge,
      'the rotation',
    );
    const overview = (await call('victor', 'GET', `${ACME}/overview`)).body;
    expect(overview).toMatchObject({
      tenant: { phase: 'Active' },
      accounts: { total: 1, active: 1 },
      keys: { total: 1, byState: { Enabled: 1 } },
    });
    expect(overview.plugins.map((plugin: { plugin: string }) => plugin.plugin)).toContain('keystore-local');
    const detail = (await call('victor', 'GET', `${ACME}/keys/orders`)).body;
    expect(detail.versions.map((version: { version: number }) => version.version)).toEqual([2, 1]);
    const topology = (await call('victor', 'GET', `${ACME}/topology`)).body;
    expect(topology.edges).toEqual(
      expect.arrayContaining([
        { from: 'l1:Local:acme-root', to: 'l2:root' },
        { from: 'l2:root', to: 'l3:orders' },
      ]),
    );
  });

  it('tests an L1 key before an Account is created, storing nothing; Viewers cannot', async () => {
    const test = (user: 'alice' | 'victor', keyReference: string) =>
      call(user, 'POST', `${ACME}/account-key-test`, { providerType: 'Local', keyReference });
    expect((await test('alice', 'acme-root')).body).toEqual({ usable: true, reason: null });
    const missing = await test('alice', 'no-such-key');
    expect(missing.status).toBe(200);
    expect(missing.body.usable).toBe(false);
    expect(missing.body.reason).toContain('no-such-key');
    expect((await test('victor', 'acme-root')).status).toBe(403);
    const unknownProvider = await call('alice', 'POST', `${ACME}/account-key-test`, {
      providerType: 'Nowhere',
      keyReference: 'x',
    });
    expect(unknownProvider.status).toBeGreaterThanOrEqual(400);
    expect(unknownProvider.body.message).toContain('Nowhere');
  });

  it("shows the tenant's audit trail with the user's token: newest first, filtered, paged, viewers too", async () => {
    const ofOrders = (await call('victor', 'GET', `${ACME}/audit?subject=orders&action=key.`)).body;
    const actions = ofOrders.items.map((entry: { action: string }) => entry.action);
    // The rotation (done by the controller for alice's rotate-now) comes before the creation, newest first.
    expect(actions.indexOf('key.rotate')).toBeGreaterThanOrEqual(0);
    expect(actions.indexOf('key.rotate')).toBeLessThan(actions.indexOf('key.create'));
    expect(ofOrders.items.every((entry: { subject: string }) => entry.subject === 'orders')).toBe(true);
    const first = (await call('victor', 'GET', `${ACME}/audit?limit=1`)).body;
    expect(first.items).toHaveLength(1);
    const second = (await call('victor', 'GET', `${ACME}/audit?limit=1&before=${first.next}`)).body;
    expect(second.items[0].id).toBeLessThan(first.items[0].id);
    const invalid = await call('victor', 'GET', `${ACME}/audit?since=yesterday`);
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('since');
    expect((await call('victor', 'GET', `${ACME}/audit?actor=a&actor=b`)).status).toBe(400);
    expect((await call('mallory', 'GET', `${ACME}/audit`)).status).toBe(403);
  });

  it("refuses a Viewer's change and another tenant's read with 403 before anything else", async () => {
    const viewerWrite = await call('victor', 'POST', `${ACME}/keys`, {
      name: 'victors',
      accountRef: { name: 'root' },
    });
    expect(viewerWrite.status).toBe(403);
    expect(viewerWrite.body).toMatchObject({ code: 'PERMISSION_DENIED', status: 403 });
    expect(viewerWrite.body.message).toContain('Viewer of root:orgs:acme');
    const outsider = await call('mallory', 'GET', `${ACME}/accounts`);
    expect(outsider.status).toBe(403);
    expect(outsider.body.message).toContain('no role in workspace root:orgs:acme');
  });

  it('creates a webhook with a generated signing key, sends a test event, pauses and deletes it; Viewers only read', async () => {
    const body = {
      name: 'ops',
      url: `${receiver.url}/hook`,
      events: ['KeyRotated'],
      signingSecret: { generate: true },
    };
    expect((await call('victor', 'POST', `${ACME}/webhooks`, body)).status).toBe(403);
    const unknown = await call('alice', 'POST', `${ACME}/webhooks`, { ...body, events: ['KeyExploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('events');
    const created = await call('alice', 'POST', `${ACME}/webhooks`, body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const key = created.body.signingSecret.value as string;
    expect(key).toMatch(/^whsec_/);
    expect(created.body.signingSecret).toMatchObject({ name: 'ops-signing', key: 'secret' });
    await eventually(
      async () =>
        (await call('victor', 'GET', `${ACME}/webhooks/ops`)).body.status?.conditions?.[0]?.reason ===
        'Delivering',
      TIMEOUTS.converge,
      'the webhook to be Ready',
    );
    // The key is shown once: reading the webhook never shows it.
    expect(JSON.stringify((await call('alice', 'GET', `${ACME}/webhooks`)).body)).not.toContain(key.slice(6));
    expect((await call('victor', 'POST', `${ACME}/webhooks/ops/test`)).status).toBe(403);
    expect((await call('alice', 'POST', `${ACME}/webhooks/ops/test`)).status).toBe(202);
    await eventually(() => receiver.received.length > 0, TIMEOUTS.converge, 'the test event');
    const [delivered] = receiver.received;
    expect(
      new Webhook(key).verify(delivered?.body ?? '', delivered?.headers as Record<string, string>),
    ).toMatchObject({
      type: 'Test',
      data: { workspace: 'root:orgs:acme', name: 'ops', actor: 'alice' },
    });
    await eventually(
      async () =>
        (await call('victor', 'GET', `${ACME}/webhooks/ops`)).body.status?.lastDelivery?.event === 'Test',
      TIMEOUTS.converge,
      'the delivery in status',
    );
    expect((await call('alice', 'PATCH', `${ACME}/webhooks/ops`, { enabled: false })).status).toBe(200);
    await eventually(
      async () =>
        (await call('alice', 'GET', `${ACME}/webhooks/ops`)).body.status?.conditions?.[0]?.reason ===
        'Paused',
      TIMEOUTS.converge,
      'the webhook to pause',
    );
    // A second webhook of the same name fails, and leaves no generated Secret behind.
    const again = await call('alice', 'POST', `${ACME}/webhooks`, {
      ...body,
      signingSecret: { name: 'ops-signing', key: 'secret' },
    });
    expect(again.status).toBe(409);
    const secrets = `/clusters/root:orgs:acme/api/v1/namespaces/default/secrets`;
    const kube = new KubeClient(
      stack.endpoints.controlPlane ?? '',
      await stack.tokenFor('alice'),
      await readFile(join(stack.dataDir, 'control-plane', 'tls', 'ca.crt'), 'utf8'),
    );
    expect((await call('victor', 'DELETE', `${ACME}/webhooks/ops`)).status).toBe(403);
    expect((await call('alice', 'DELETE', `${ACME}/webhooks/ops`)).body).toEqual({
      name: 'ops',
      deleted: true,
    });
    await eventually(
      async () => (await call('alice', 'GET', `${ACME}/webhooks`)).body.items.length === 0,
      TIMEOUTS.converge,
      'the webhook to go',
    );
    const left = await kube.request<{ items: Array<{ metadata: { name: string } }> }>('GET', secrets);
    expect(left.items.map((secret) => secret.metadata.name)).not.toContain('ops-signing');
  });

  it('refuses a re-key without the typed confirmation and a delete with dependents, naming them', async () => {
    const unconfirmed = await call('alice', 'POST', `${ACME}/accounts/root/rekey`, {
      keyReference: 'acme-backup',
      confirm: 'nope',
    });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.code).toBe('CONFIRMATION_REQUIRED');
    // A Viewer learns nothing about dependents: authorization comes first.
    const viewerDelete = await call('victor', 'DELETE', `${ACME}/accounts/root`);
    expect(viewerDelete.status).toBe(403);
    expect(viewerDelete.body.details).toEqual({});
    const blocked = await call('alice', 'DELETE', `${ACME}/accounts/root`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.details).toEqual({ dependents: ['orders'] });
  });

  it('updates, re-keys and deletes through the remaining routes', async () => {
    expect(
      (await call('alice', 'PATCH', `${ACME}/accounts/root`, { displayName: 'Root of trust' })).body.spec
        .displayName,
    ).toBe('Root of trust');
    expect(
      (await call('alice', 'PATCH', `${ACME}/keys/orders`, { rotationSchedule: '1d' })).body.spec
        .rotationSchedule,
    ).toBe('1d');
    const rekeyed = await call('alice', 'POST', `${ACME}/accounts/root/rekey`, {
      keyReference: 'acme-backup',
      confirm: 'root',
    });
    expect(rekeyed.body.spec.keyReference).toBe('acme-backup');
    await eventually(
      async () =>
        (await call('alice', 'GET', `${ACME}/accounts/root`)).body.status?.rekey?.state === 'Succeeded',
      TIMEOUTS.converge,
      'the re-key',
    );
    expect(
      (
        await call('alice', 'POST', `${ACME}/accounts`, {
          name: 'spare',
          providerType: 'Local',
          keyReference: 'acme-root',
        })
      ).status,
    ).toBe(201);
    expect((await call('alice', 'DELETE', `${ACME}/accounts/spare`)).status).toBe(200);
    expect((await call('alice', 'DELETE', `${ACME}/keys/streamed-later?confirm=streamed-later`)).status).toBe(
      404,
    );
  });

  it("holds a deleted key's name through its waiting period in the console, and restores the key when kubectl applies it again", async () => {
    expect(
      (await call('alice', 'POST', `${ACME}/keys`, { name: 'transient', accountRef: { name: 'root' } }))
        .status,
    ).toBe(201);
    const read = (name: string) => call('alice', 'GET', `${ACME}/keys/${name}`);
    await eventually(
      async () => (await read('transient')).body.status?.currentVersion === 1,
      TIMEOUTS.converge,
      'the key',
    );
    const unconfirmed = await call('alice', 'DELETE', `${ACME}/keys/transient?confirm=transien`);
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { field: 'confirm' } });
    expect((await call('alice', 'DELETE', `${ACME}/keys/transient?confirm=transient`)).status).toBe(200);
    await eventually(
      async () => (await read('transient')).status === 404,
      TIMEOUTS.converge,
      'the key to go',
    );
    const again = await call('alice', 'POST', `${ACME}/keys`, {
      name: 'transient',
      accountRef: { name: 'root' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'NAME_PENDING_DELETION', details: { name: 'transient' } });
    expect(again.body.message).toContain('waiting period');
    // kubectl users bypass the BFF: applying the same key again in its waiting period restores it,
    // as cloud KMS controllers do, and the key says so.
    const kube = new KubeClient(
      stack.endpoints.controlPlane ?? '',
      await stack.tokenFor('alice'),
      await readFile(join(stack.dataDir, 'control-plane', 'tls', 'ca.crt'), 'utf8'),
    );
    await kube.request(
      'POST',
      '/clusters/root:orgs:acme/apis/keychain.openkcm.io/v1alpha1/namespaces/default/serviceencryptionkeys',
      {
        apiVersion: 'keychain.openkcm.io/v1alpha1',
        kind: 'ServiceEncryptionKey',
        metadata: { name: 'transient' },
        spec: { accountRef: { name: 'root' } },
      },
    );
    const restored = async () =>
      (
        (await read('transient')).body.status?.conditions as
          | Array<{ type: string; reason: string; message: string }>
          | undefined
      )?.find((condition) => condition.type === 'Restored');
    await eventually(
      async () => (await restored())?.reason === 'RestoredFromDeletion',
      TIMEOUTS.converge,
      'the key to be restored',
    );
    expect((await restored())?.message).toContain('restored with its 1 version(s)');
    await kube.request(
      'DELETE',
      '/clusters/root:orgs:acme/apis/keychain.openkcm.io/v1alpha1/namespaces/default/serviceencryptionkeys/transient',
    );
  });

  it('lists what waits for deletion and cancels it: the key comes back Active with its versions and Events', async () => {
    const read = (name: string) => call('alice', 'GET', `${ACME}/keys/${name}`);
    // The previous test deleted the restored "transient" again; wait until it is gone.
    await eventually(
      async () => (await read('transient')).status === 404,
      TIMEOUTS.converge,
      'the key to go',
    );
    const pending = (await call('victor', 'GET', `${ACME}/pending-deletion`)).body;
    expect(pending.keys).toEqual([
      expect.objectContaining({ name: 'transient', account: 'root', currentVersion: 1 }),
    ]);
    expect(Date.parse(pending.keys[0].deleteAfter)).toBeGreaterThan(Date.now());
    const overview = (await call('victor', 'GET', `${ACME}/overview`)).body;
    expect(overview.attention).toContainEqual(
      expect.objectContaining({
        kind: 'ServiceEncryptionKey',
        name: 'transient',
        problem: 'PendingDeletion',
      }),
    );
    expect((await call('victor', 'POST', `${ACME}/keys/transient/cancel-deletion`)).status).toBe(403);
    expect((await call('mallory', 'GET', `${ACME}/pending-deletion`)).status).toBe(403);
    expect((await call('alice', 'POST', `${ACME}/keys/transient/cancel-deletion`)).status).toBe(200);
    await eventually(
      async () => (await read('transient')).body.status?.phase === 'Active',
      TIMEOUTS.converge,
      'the restored key to be Active',
    );
    expect(
      (await read('transient')).body.versions.map((version: { version: number }) => version.version),
    ).toEqual([1]);
    expect((await call('victor', 'GET', `${ACME}/pending-deletion`)).body.keys).toEqual([]);
    const events = (await call('victor', 'GET', `${ACME}/keys/transient/events`)).body;
    expect(events.items.length).toBeGreaterThan(0);
    expect(
      events.items.every((event: { object: string }) => event.object === 'ServiceEncryptionKey/transient'),
    ).toBe(true);
    expect((await call('mallory', 'GET', `${ACME}/keys/transient/events`)).status).toBe(403);
    // Cancelling what is not being deleted says so.
    expect((await call('alice', 'POST', `${ACME}/keys/transient/cancel-deletion`)).status).toBe(412);
  });

  it('answers malformed, invalid and oversized bodies with the error shape', async () => {
    const malformed = await call('alice', 'POST', `${ACME}/keys`, '{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'INVALID_ARGUMENT', status: 400 });
    const invalid = await call('alice', 'POST', `${ACME}/keys`, {
      name: 'Bad Name',
      accountRef: { name: 'root' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details.causes[0].field).toBe('name');
    const upstreamInvalid = await call('alice', 'POST', `${ACME}/keys`, {
      name: 'bad-schedule',
      accountRef: { name: 'root' },
      rotationSchedule: 'fortnightly',
    });
    expect(upstreamInvalid.status).toBe(422);
    expect(upstreamInvalid.body.message).toContain('spec.rotationSchedule');
    const huge = await call('alice', 'POST', `${ACME}/keys`, {
      name: 'x',
      accountRef: { name: 'root' },
      description: 'x'.repeat(70_000),
    });
    expect(huge.status).toBe(413);
  });

  it('streams changes as Server-Sent Events within a second, and resumes after a reconnect', async () => {
    const started = Date.now();
    let createdAt = 0;
    const creating = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await call('alice', 'POST', `${ACME}/keys`, { name: 'streamed', accountRef: { name: 'root' } });
      createdAt = Date.now();
    })();
    const events = await readEvents({}, (seen) => seen.some((event) => event.data.name === 'streamed'));
    const deliveredAt = Date.now();
    await creating;
    expect(deliveredAt - createdAt).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(15_000);
    const first = events.find((event) => event.data.name === 'streamed');
    expect(first?.data).toMatchObject({ type: 'ADDED', kind: 'ServiceEncryptionKey' });
    await call('alice', 'POST', `${ACME}/keys`, { name: 'while-away', accountRef: { name: 'root' } });
    const resumed = await readEvents({ 'Last-Event-ID': first?.id ?? '0' }, (seen) =>
      seen.some((event) => event.data.name === 'while-away'),
    );
    expect(resumed.some((event) => event.data.name === 'while-away')).toBe(true);
  });

  it('offboards only with the workspace path typed, and only for Admins', async () => {
    const unconfirmed = await call('alice', 'POST', `${ACME}/openkcm/offboard`, { confirm: 'root:orgs:acm' });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body).toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(unconfirmed.body.message).toContain('type the workspace path "root:orgs:acme"');
    const viewer = await call('victor', 'POST', `${ACME}/openkcm/offboard`, { confirm: 'root:orgs:acme' });
    expect(viewer.status).toBe(403);
    const tenant = (await call('alice', 'GET', `${ACME}/openkcm`)).body.tenant;
    expect(tenant?.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('disables OpenKCM: the Tenant is suspended', async () => {
    expect((await call('alice', 'DELETE', `${ACME}/openkcm`)).body).toEqual({ enabled: false });
    await eventually(
      async () => (await call('alice', 'GET', `${ACME}/openkcm`)).body.tenant?.status?.phase === 'Suspended',
      TIMEOUTS.converge,
      'the Tenant to be suspended',
    );
  });

  it('answers 503 with the error shape, without hanging, when the Kubernetes API is down', async () => {
    await stack.processes.find((running) => running.name === 'controlPlane')?.stop();
    const down = await call('alice', 'GET', `${ACME}/accounts`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    expect((await fetch(`${stack.endpoints.bff}/readyz`)).status).toBe(503);
  });
});
