import { randomBytes } from 'node:crypto';
import {
  eventually,
  type Resource,
  ready,
  startTestStack,
  startWebhookReceiver,
  type TestStack,
  TIMEOUTS,
  type WebhookReceiver,
  Workspace,
} from '@openkcm/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HOOKS = 'webhooknotifications';
const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const types = (hook: WebhookReceiver) =>
  hook.received.map((entry) => (JSON.parse(entry.body) as { type: string }).type);

/**
 * WebHookNotification objects in two organisations, same names, through the whole product: the
 * controller reads the signing Secret and declares the webhook to CMK, CMK delivers, the status
 * shows how delivery goes. CMK's egress rules allow exactly the two receivers' ports.
 */
describe('WebHookNotification through the controller and CMK', () => {
  let stack: TestStack;
  let acme: Workspace;
  let globex: Workspace;
  let acmeHook: WebhookReceiver;
  let globexHook: WebhookReceiver;
  /** Listening, and never to be reached: its port is not allowed. */
  let internal: WebhookReceiver;
  const secrets = { acme: secret(), globex: secret() };
  const readiness = (
    workspace: Workspace,
    name: string,
    check: (resource: Resource | undefined) => boolean,
    what: string,
  ) => workspace.waitFor(HOOKS, name, check, `${workspace.path} ${name} ${what}`);

  beforeAll(async () => {
    acmeHook = await startWebhookReceiver();
    globexHook = await startWebhookReceiver();
    internal = await startWebhookReceiver();
    // The processes inherit this test's environment (each test file runs in its own process).
    process.env.OPENKCM_WEBHOOK_ALLOW = `127.0.0.1:${acmeHook.port},127.0.0.1:${globexHook.port}`;
    process.env.CONTROLLER_REVALIDATE_SECONDS = '2';
    stack = await startTestStack();
    acme = new Workspace(stack, 'alice', 'root:orgs:acme');
    globex = new Workspace(stack, 'mallory', 'root:orgs:globex');
    for (const [workspace, key] of [
      [acme, 'acme-root'],
      [globex, 'globex-root'],
    ] as const) {
      await workspace.enableOpenKcm();
      await workspace.create('accounts', 'Account', 'root', { providerType: 'Local', keyReference: key });
    }
  }, TIMEOUTS.longTest);
  afterAll(async () => {
    await stack?.dispose();
    for (const hook of [acmeHook, globexHook, internal]) await hook?.close();
  });

  it(
    'delivers a rotation done with kubectl, signed with the Secret’s key, and shows the delivery in status',
    async () => {
      // Interleaved, same names in both organisations.
      await acme.createSecret('ops-signing', { secret: secrets.acme });
      await globex.createSecret('ops-signing', { secret: secrets.globex });
      for (const [workspace, hook] of [
        [acme, acmeHook],
        [globex, globexHook],
      ] as const)
        await workspace.create(HOOKS, 'WebHookNotification', 'ops', {
          url: hook.url,
          events: ['KeyCreated', 'KeyRotated'],
          signingSecretRef: { name: 'ops-signing', key: 'secret' },
        });
      for (const workspace of [globex, acme])
        await readiness(workspace, 'ops', (hook) => ready(hook)?.reason === 'Delivering', 'Delivering');
      for (const workspace of [acme, globex])
        await workspace.create('serviceencryptionkeys', 'ServiceEncryptionKey', 'orders', {
          accountRef: { name: 'root' },
        });
      await acme.waitFor(
        'serviceencryptionkeys',
        'orders',
        (key) => ready(key)?.status === 'True',
        'orders Ready',
      );
      await acme.rotateNow('orders', 'first');
      await eventually(
        () => types(acmeHook).includes('KeyRotated'),
        TIMEOUTS.converge,
        'the rotation to arrive',
      );
      const rotation = acmeHook.received.find((entry) => JSON.parse(entry.body).type === 'KeyRotated');
      if (!rotation) throw new Error('no rotation');
      expect(
        new Webhook(secrets.acme).verify(rotation.body, rotation.headers as Record<string, string>),
      ).toMatchObject({
        type: 'KeyRotated',
        data: { workspace: 'root:orgs:acme', name: 'orders', actor: 'alice' },
      });
      await eventually(() => types(globexHook).includes('KeyCreated'), TIMEOUTS.converge, "globex's key");
      expect(types(globexHook)).not.toContain('KeyRotated');
      const status = await readiness(
        acme,
        'ops',
        (hook) => (hook?.status as Record<string, unknown> | undefined)?.deliveredEvents === 2,
        'two deliveries in status',
      );
      expect(status?.status).toMatchObject({
        lastDelivery: { event: 'KeyRotated', succeeded: true, httpStatus: 204 },
        consecutiveFailures: 0,
        droppedEvents: 0,
      });
    },
    TIMEOUTS.longTest,
  );

  it(
    'says what to fix for an internal URL, http, an unknown event type or a missing Secret, and delivers nothing',
    async () => {
      const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
        ['metadata', { url: 'https://169.254.169.254/latest/meta-data/' }, 'URLRefused', /linkLocal address/],
        ['loopback', { url: `https://127.0.0.1:${internal.port}/` }, 'URLRefused', /loopback address/],
        ['plain', { url: 'http://hooks.example.com/' }, 'URLRefused', /http is not allowed/],
        ['typo', { events: ['KeyRotatd'] }, 'UnknownEventTypes', /KeyRotatd.*use any of/],
        [
          'unsigned',
          { signingSecretRef: { name: 'no-such-secret', key: 'secret' } },
          'SigningSecretNotFound',
          /create it with key secret/,
        ],
      ];
      for (const [name, spec] of cases)
        await acme.create(HOOKS, 'WebHookNotification', name, {
          url: 'https://hooks.example.com/openkcm',
          events: ['KeyRotated'],
          signingSecretRef: { name: 'ops-signing', key: 'secret' },
          ...spec,
        });
      for (const [name, , reason, message] of cases) {
        const hook = await readiness(acme, name, (resource) => ready(resource)?.reason === reason, reason);
        expect(ready(hook)?.status).toBe('False');
        expect(ready(hook)?.message).toMatch(message);
      }
      await acme.rotateNow('orders', 'second');
      await eventually(
        () => types(acmeHook).filter((type) => type === 'KeyRotated').length === 2,
        TIMEOUTS.converge,
        'the second rotation at the valid webhook',
      );
      expect(internal.connections).toBe(0);
      // The Warning Event names the reason, for kubectl describe.
      const events = await acme.core.listNamespacedEvent({ namespace: 'default' });
      expect(
        events.items.some(
          (event) =>
            event.involvedObject.name === 'loopback' &&
            event.reason === 'URLRefused' &&
            event.type === 'Warning',
        ),
      ).toBe(true);
      // Creating the missing Secret makes the webhook ready without touching it.
      await acme.createSecret('no-such-secret', { secret: secret() });
      await readiness(
        acme,
        'unsigned',
        (resource) => ready(resource)?.reason === 'Delivering',
        'Delivering once the Secret exists',
      );
    },
    TIMEOUTS.longTest,
  );

  it(
    'forgets the webhook in CMK when the object is deleted',
    async () => {
      await globex.remove(HOOKS, 'ops');
      await eventually(
        async () => (await globex.get(HOOKS, 'ops')) === undefined,
        TIMEOUTS.converge,
        'the object to go',
      );
      const response = await globex.cmk('/webhooks/default/ops');
      expect(response.code).toBe('NOT_FOUND');
      const before = globexHook.received.length;
      await globex.rotateNow('orders', 'after-delete');
      await globex.waitFor(
        'serviceencryptionkeys',
        'orders',
        (key) => key?.status?.currentVersion === 2,
        'the rotation',
      );
      expect(globexHook.received.length).toBe(before);
    },
    TIMEOUTS.longTest,
  );
});
