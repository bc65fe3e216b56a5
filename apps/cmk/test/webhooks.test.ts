import { randomBytes } from 'node:crypto';
import { NOTIFICATION_EVENTS } from '@openkcm/api';
import { eventually, startWebhookReceiver, TIMEOUTS, type WebhookReceiver } from '@openkcm/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEgressRules } from '../src/webhooks/egress.js';
import { MAX_WEBHOOKS_PER_TENANT } from '../src/webhooks/webhooks.js';
import { ACME, type CmkHarness, startHarness } from './support.js';

const GLOBEX = '/api/v1/tenants/root:orgs:globex';
const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

interface Delivery {
  type: string;
  timestamp: string;
  data: { workspace: string; kind: string; name: string; actor: string; details?: Record<string, unknown> };
}
const deliveries = (receiver: WebhookReceiver) =>
  receiver.received.map((received) => JSON.parse(received.body) as Delivery);

/**
 * CMK delivering tenant webhooks to real HTTP servers on loopback, which the operator's egress
 * rules allow port by port; every other loopback port stays refused.
 */
describe('tenant webhooks', () => {
  let cmk: CmkHarness;
  let acmeHook: WebhookReceiver;
  let globexHook: WebhookReceiver;
  let flaky: WebhookReceiver;
  let redirector: WebhookReceiver;
  let hanging: WebhookReceiver;
  /** An internal service nothing may reach: its port is not in the rules. */
  let internal: WebhookReceiver;
  const secrets = {
    acme: secret(),
    globex: secret(),
    flaky: secret(),
    redirector: secret(),
    hanging: secret(),
  };

  const declare = (tenant: string, name: string, body: Record<string, unknown>) =>
    cmk.call('controller', 'PUT', `${tenant}/webhooks/default/${name}`, {
      generation: 1,
      enabled: true,
      events: [...NOTIFICATION_EVENTS],
      ...body,
    });
  const rotate = (user: 'alice' | 'mallory', tenant: string) =>
    cmk.call(user, 'POST', `${tenant}/keys/orders/rotate`, { requestId: randomBytes(8).toString('hex') });
  const status = async (tenant: string, name: string) =>
    (await cmk.call('controller', 'GET', `${tenant}/webhooks/default/${name}`)).body as {
      delivered: number;
      dropped: number;
      consecutiveFailures: number;
      lastDelivery: {
        httpStatus: number | null;
        succeeded: boolean;
        message: string | null;
        event: string;
      } | null;
    };

  beforeAll(async () => {
    acmeHook = await startWebhookReceiver();
    globexHook = await startWebhookReceiver();
    flaky = await startWebhookReceiver();
    redirector = await startWebhookReceiver();
    hanging = await startWebhookReceiver(() => {});
    internal = await startWebhookReceiver();
    redirector.answer = (_, response) =>
      void response.writeHead(307, { Location: `${internal.url}/steal` }).end();
    cmk = await startHarness({
      webhooks: {
        rules: parseEgressRules(
          [acmeHook, globexHook, flaky, redirector, hanging].map((receiver) => `127.0.0.1:${receiver.port}`),
        ),
        timeoutMs: 1_000,
        retryForMs: 3_000,
        firstRetryDelayMs: 100,
        maxRetryDelayMs: 500,
      },
    });
    for (const [tenant, key] of [
      [ACME, 'acme-root'],
      [GLOBEX, 'globex-root'],
    ] as const) {
      expect((await cmk.call('controller', 'PUT', tenant, {})).status).toBe(201);
      expect(
        (
          await declare(tenant, 'ops', {
            url: `${tenant === ACME ? acmeHook.url : globexHook.url}/hook`,
            signingSecret: tenant === ACME ? secrets.acme : secrets.globex,
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await cmk.call('controller', 'POST', `${tenant}/accounts`, {
            name: 'root',
            providerType: 'Local',
            keyReference: key,
          })
        ).status,
      ).toBe(201);
    }
  }, TIMEOUTS.longTest);
  afterAll(async () => {
    await cmk?.close();
    for (const receiver of [acmeHook, globexHook, flaky, redirector, hanging, internal])
      await receiver?.close();
  });

  it('delivers a rotation, signed per Standard Webhooks, to the tenant whose key rotated and to nobody else', async () => {
    // Same names in both tenants, interleaved.
    for (const tenant of [ACME, GLOBEX])
      expect(
        (
          await cmk.call('controller', 'POST', `${tenant}/keys`, {
            name: 'orders',
            accountRef: { name: 'root' },
          })
        ).status,
      ).toBe(201);
    expect((await rotate('alice', ACME)).status).toBe(200);
    await eventually(
      () => deliveries(acmeHook).some((event) => event.type === 'KeyRotated'),
      TIMEOUTS.converge,
      'the rotation to arrive',
    );
    const received = acmeHook.received.find((entry) => JSON.parse(entry.body).type === 'KeyRotated');
    if (!received) throw new Error('no rotation');
    const verified = new Webhook(secrets.acme).verify(
      received.body,
      received.headers as Record<string, string>,
    ) as Delivery;
    expect(verified).toMatchObject({
      type: 'KeyRotated',
      data: {
        workspace: 'root:orgs:acme',
        kind: 'ServiceEncryptionKey',
        name: 'orders',
        actor: 'alice',
        details: { version: 2 },
      },
    });
    expect(received.headers['webhook-id']).toMatch(/^msg_/);
    // Another secret does not verify it: the signature is the tenant's.
    expect(() =>
      new Webhook(secrets.globex).verify(received.body, received.headers as Record<string, string>),
    ).toThrow();
    await eventually(
      () => deliveries(globexHook).some((event) => event.type === 'KeyCreated'),
      TIMEOUTS.converge,
      "globex's key creation",
    );
    expect(deliveries(globexHook).every((event) => event.data.workspace === 'root:orgs:globex')).toBe(true);
    expect(deliveries(globexHook).some((event) => event.type === 'KeyRotated')).toBe(false);
    expect(deliveries(acmeHook).every((event) => event.data.workspace === 'root:orgs:acme')).toBe(true);
    await eventually(
      async () => (await status(ACME, 'ops')).delivered >= 2,
      TIMEOUTS.converge,
      'the status to count',
    );
    expect((await status(ACME, 'ops')).lastDelivery).toMatchObject({ succeeded: true, httpStatus: 204 });
  });

  it('emits every event type the CRD offers, in order, each once', async () => {
    const seen = () => new Set(deliveries(acmeHook).map((event) => event.type));
    const call = async (user: 'alice' | 'controller', method: string, path: string, body?: unknown) => {
      const response = await cmk.call(user, method, path, body);
      expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    };
    await call('alice', 'POST', `${ACME}/keys`, { name: 'billing', accountRef: { name: 'root' } });
    await call('alice', 'PATCH', `${ACME}/keys/billing`, { state: 'DISABLED' });
    await call('alice', 'PATCH', `${ACME}/keys/billing`, { state: 'ENABLED' });
    await call('alice', 'DELETE', `${ACME}/keys/billing`);
    await call('alice', 'POST', `${ACME}/keys/billing/cancel-deletion`);
    await call('alice', 'POST', `${ACME}/accounts/root/rekey`, {
      keyReference: 'acme-backup',
      confirm: 'root',
    });
    await eventually(
      async () => (await cmk.call('alice', 'GET', `${ACME}/accounts/root`)).body.state === 'ACTIVE',
      TIMEOUTS.converge,
      'the re-key to finish',
    );
    await call('controller', 'POST', `${ACME}/suspend`);
    await call('controller', 'POST', `${ACME}/resume`);
    await call('alice', 'DELETE', `${ACME}/keys/billing`);
    cmk.clock.advance(8 * 86_400);
    await eventually(
      () => seen().has('KeyDeleted'),
      TIMEOUTS.converge,
      'the destruction after the waiting period',
    );
    await eventually(() => seen().has('TenantActive'), TIMEOUTS.converge, 'the resumption');
    const expected = NOTIFICATION_EVENTS.filter(
      (event) => event !== 'AccountNotReady' && event !== 'TenantActive',
    );
    for (const event of expected) expect(seen(), event).toContain(event);
    // TenantActive came from the resumption (the tenant existed before the webhook); AccountNotReady is
    // the keystore outage test's (alerts.test.ts).
    const billing = deliveries(acmeHook)
      .filter((event) => event.data.name === 'billing')
      .map((event) => event.type);
    expect(billing).toEqual([
      'KeyCreated',
      'KeyDisabled',
      'KeyEnabled',
      'KeyDeletionScheduled',
      'KeyDeletionCancelled',
      'KeyDeletionScheduled',
      'KeyDeleted',
    ]);
    expect(deliveries(acmeHook).filter((event) => event.type === 'AccountReKeyed')).toHaveLength(1);
  });

  it('retries a receiver that answers 500 until it takes the event, with the same message ID', async () => {
    let answered = 0;
    flaky.answer = (_, response) => void response.writeHead(answered++ === 0 ? 500 : 200).end('busy');
    expect(
      (await declare(ACME, 'flaky', { url: flaky.url, signingSecret: secrets.flaky, events: ['KeyRotated'] }))
        .status,
    ).toBe(200);
    expect((await rotate('alice', ACME)).status).toBe(200);
    await eventually(
      async () => (await status(ACME, 'flaky')).delivered === 1,
      TIMEOUTS.converge,
      'the retry to succeed',
    );
    expect(flaky.received).toHaveLength(2);
    expect(flaky.received[0]?.headers['webhook-id']).toBe(flaky.received[1]?.headers['webhook-id']);
    expect(await status(ACME, 'flaky')).toMatchObject({
      consecutiveFailures: 0,
      dropped: 0,
      lastDelivery: { httpStatus: 200, succeeded: true },
    });
  });

  it('follows no redirect to an internal address, retries for a bounded time, then drops and counts the event', async () => {
    expect(
      (
        await declare(ACME, 'redirector', {
          url: redirector.url,
          signingSecret: secrets.redirector,
          events: ['KeyRotated'],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await declare(ACME, 'hanging', {
          url: hanging.url,
          signingSecret: secrets.hanging,
          events: ['KeyRotated'],
        })
      ).status,
    ).toBe(200);
    expect((await rotate('alice', ACME)).status).toBe(200);
    await eventually(
      async () => (await status(ACME, 'redirector')).dropped === 1,
      TIMEOUTS.converge,
      'the redirected event to be dropped',
    );
    expect(redirector.received.length).toBeGreaterThan(1);
    expect(internal.connections).toBe(0);
    const redirected = await status(ACME, 'redirector');
    expect(redirected.lastDelivery?.message).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(redirected.consecutiveFailures).toBeGreaterThan(1);
    await eventually(
      async () => (await status(ACME, 'hanging')).dropped === 1,
      TIMEOUTS.converge,
      'the unanswered event to be dropped',
    );
    expect((await status(ACME, 'hanging')).lastDelivery?.message).toMatch(/no answer within 1 s/);
  });

  it('delivers to one tenant while another tenant’s receiver holds its request', async () => {
    const held: Array<() => void> = [];
    hanging.answer = (_, response) => held.push(() => response.writeHead(200).end());
    await declare(GLOBEX, 'slow', {
      url: hanging.url,
      signingSecret: secrets.hanging,
      events: ['KeyRotated'],
    });
    const before = deliveries(acmeHook).length;
    expect((await rotate('mallory', GLOBEX)).status).toBe(200);
    await eventually(() => held.length > 0, TIMEOUTS.converge, 'the slow receiver to be called');
    expect((await rotate('alice', ACME)).status).toBe(200);
    await eventually(
      () => deliveries(acmeHook).length > before,
      TIMEOUTS.converge,
      'acme’s delivery while globex’s is held',
    );
    for (const release of held) release();
  });

  it('refuses declarations that are internal, not https, unsigned or unknown, before anything connects', async () => {
    const refused = async (body: Record<string, unknown>) => {
      const response = await declare(ACME, 'bad', {
        signingSecret: secret(),
        url: 'https://hooks.example.com/x',
        ...body,
      });
      expect(response.status).toBe(400);
      return (response.body.details as { problems: Array<{ reason: string; message: string }> }).problems;
    };
    expect(await refused({ url: 'http://hooks.example.com/' })).toMatchObject([
      { reason: 'URLRefused', message: expect.stringMatching(/http is not allowed/) },
    ]);
    expect(await refused({ url: `https://127.0.0.1:${internal.port}/` })).toMatchObject([
      { reason: 'URLRefused', message: expect.stringMatching(/loopback/) },
    ]);
    expect(await refused({ url: 'https://169.254.169.254/latest/meta-data/' })).toMatchObject([
      { reason: 'URLRefused', message: expect.stringMatching(/linkLocal/) },
    ]);
    expect(await refused({ url: 'https://[::ffff:10.0.0.1]/' })).toMatchObject([{ reason: 'URLRefused' }]);
    expect(await refused({ url: `https://localhost:${internal.port}/` })).toMatchObject([
      { reason: 'URLRefused', message: expect.stringMatching(/localhost resolves to/) },
    ]);
    expect(await refused({ url: 'not a url' })).toMatchObject([{ reason: 'URLRefused' }]);
    expect(await refused({ events: ['KeyRotated', 'KeyExploded'] })).toMatchObject([
      { reason: 'UnknownEventTypes', message: expect.stringMatching(/KeyExploded.*use any of KeyCreated/) },
    ]);
    expect(await refused({ signingSecret: 'hunter2' })).toMatchObject([{ reason: 'SigningSecretInvalid' }]);
    expect(internal.connections).toBe(0);
    expect((await cmk.call('controller', 'GET', `${ACME}/webhooks/default/bad`)).status).toBe(404);
  });

  it('delivers nothing while paused, and not afterwards either', async () => {
    const paused = await startWebhookReceiver();
    try {
      cmk.cmk.webhooks.policy.rules.push(...parseEgressRules([`127.0.0.1:${paused.port}`]));
      const hook = { url: paused.url, signingSecret: secret(), events: ['KeyRotated'] };
      expect((await declare(GLOBEX, 'paused', { ...hook, enabled: false })).status).toBe(200);
      expect((await rotate('mallory', GLOBEX)).status).toBe(200);
      expect((await declare(GLOBEX, 'paused', { ...hook, enabled: true, generation: 2 })).status).toBe(200);
      expect((await rotate('mallory', GLOBEX)).status).toBe(200);
      await eventually(() => paused.received.length === 1, TIMEOUTS.converge, 'the rotation after resuming');
      const versions = deliveries(paused).map((event) => event.data.details?.version);
      const current = (await cmk.call('mallory', 'GET', `${GLOBEX}/keys/orders`)).body.currentVersion;
      expect(versions).toEqual([current]);
    } finally {
      await paused.close();
    }
  });

  it('refuses more webhooks than a tenant may have, saying what to do', async () => {
    const existing = ((await cmk.call('controller', 'GET', `${GLOBEX}/webhooks`)).body.items as unknown[])
      .length;
    for (let index = existing; index < MAX_WEBHOOKS_PER_TENANT; index++)
      expect(
        (
          await declare(GLOBEX, `many-${index}`, {
            url: 'https://hooks.example.com/x',
            signingSecret: secret(),
          })
        ).status,
      ).toBe(200);
    const refused = await declare(GLOBEX, 'one-too-many', {
      url: 'https://hooks.example.com/x',
      signingSecret: secret(),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toMatchObject({ problems: [{ reason: 'TooManyWebhooks' }] });
    // Another tenant is not affected.
    expect(
      (await declare(ACME, 'one-more', { url: 'https://hooks.example.com/x', signingSecret: secret() }))
        .status,
    ).toBe(200);
  });

  it('sends a test event for Admins; Viewers and other tenants are refused', async () => {
    const test = (user: 'alice' | 'victor' | 'mallory') =>
      cmk.call(user, 'POST', `${ACME}/webhooks/default/ops/test`);
    expect((await test('victor')).status).toBe(403);
    expect((await test('mallory')).status).toBe(403);
    expect((await test('alice')).status).toBe(202);
    await eventually(
      () => deliveries(acmeHook).some((event) => event.type === 'Test'),
      TIMEOUTS.converge,
      'the test event',
    );
    expect(deliveries(globexHook).some((event) => event.type === 'Test')).toBe(false);
    // Viewers read the delivery state; the signing secret is never part of it.
    const read = await cmk.call('victor', 'GET', `${ACME}/webhooks`);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain(secrets.acme.slice(6));
  });

  it('tells the controller which webhooks changed, waiting for a change when there is none', async () => {
    const first = (await cmk.call('controller', 'GET', '/api/v1/webhook-changes?after=0')).body as {
      items: Array<{ workspace: string; name: string }>;
      revision: number;
    };
    expect(first.items.map((item) => `${item.workspace}/${item.name}`)).toContain('root:orgs:globex/ops');
    const waiting = cmk.call(
      'controller',
      'GET',
      `/api/v1/webhook-changes?after=${first.revision}&waitSeconds=30`,
    );
    expect((await cmk.call('alice', 'POST', `${ACME}/webhooks/default/ops/test`)).status).toBe(202);
    const next = (await waiting).body as { items: Array<{ workspace: string; name: string }> };
    expect(next.items).toEqual([expect.objectContaining({ workspace: 'root:orgs:acme', name: 'ops' })]);
    expect((await cmk.call('alice', 'GET', '/api/v1/webhook-changes')).status).toBe(403);
  });
});
