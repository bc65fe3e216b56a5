import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyChainEvent } from '@openkcm/plugin-sdk';
import {
  type ApeiroKeystores,
  alertmanagerAvailable,
  eventually,
  softHsmAvailable,
  startApeiroKeystores,
  startWebhookReceiver,
  TIMEOUTS,
  type WebhookReceiver,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerts } from '../src/alerts/alerts.js';
import { sweepAlerts } from '../src/alerts/sweep.js';
import { parseEgressRules } from '../src/webhooks/egress.js';
import { ACME, type CmkHarness, startHarness } from './support.js';

if (process.env.CI && !alertmanagerAvailable())
  throw new Error('CI needs prometheus-alertmanager: apt-get install prometheus-alertmanager');

describe.runIf(softHsmAvailable() && alertmanagerAvailable())(
  'alerts to the real Alertmanager when an Account’s keystore goes down and comes back (apeiro-profile)',
  () => {
    let keystores: ApeiroKeystores;
    let cmk: CmkHarness;
    let receiver: WebhookReceiver;
    const mine = (alert: { labels: Record<string, string> }) =>
      alert.labels.alertname === 'L1KeyUnreachable' && alert.labels.account === 'vault-root';
    const alerts = () => {
      if (!keystores.alertmanager) throw new Error('no Alertmanager');
      return keystores.alertmanager.alerts();
    };
    const events = () =>
      receiver.received.map((received) => (JSON.parse(received.body) as { type: string }).type);

    beforeAll(async () => {
      keystores = await startApeiroKeystores('openkcm-alerts');
      receiver = await startWebhookReceiver();
      cmk = await startHarness({
        profile: 'apeiro-profile',
        env: keystores.env,
        now: () => new Date(),
        webhooks: { rules: parseEgressRules([`127.0.0.1:${receiver.port}`]) },
      });
      expect((await cmk.call('controller', 'PUT', ACME, { region: 'eu-central-1' })).status).toBe(201);
      expect(
        (
          await cmk.call('controller', 'PUT', `${ACME}/webhooks/default/ops`, {
            generation: 1,
            url: receiver.url,
            events: ['AccountReady', 'AccountNotReady'],
            enabled: true,
            signingSecret: `whsec_${randomBytes(32).toString('base64')}`,
          })
        ).status,
      ).toBe(200);
      const registered = await cmk.call('alice', 'POST', `${ACME}/accounts`, {
        name: 'vault-root',
        providerType: 'OpenBao',
        ...keystores.accounts.OpenBao,
      });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    }, TIMEOUTS.longTest);
    afterAll(async () => {
      await cmk?.close();
      await receiver?.close();
      await keystores?.close();
    });

    const validate = async () =>
      (await cmk.call('controller', 'POST', `${ACME}/accounts/vault-root/validate`)).body as {
        reachable: boolean;
      };

    it('fires a labelled L1KeyUnreachable alert while OpenBao is down and resolves it when it is back', async () => {
      expect((await validate()).reachable).toBe(true);
      expect((await alerts()).some(mine)).toBe(false);
      await keystores.bao.stop();
      try {
        expect((await validate()).reachable).toBe(false);
        await eventually(async () => (await alerts()).some(mine), TIMEOUTS.converge, 'the alert to fire');
        const fired = (await alerts()).find(mine);
        expect(fired?.labels).toMatchObject({
          alertname: 'L1KeyUnreachable',
          severity: 'critical',
          workspace: 'root:orgs:acme',
          tenant: 'tenant-root-orgs-acme',
          account: 'vault-root',
        });
        expect(fired?.annotations.summary).toMatch(/keystore of Account vault-root cannot be reached/);
        expect(fired?.annotations.description).toMatch(/Check that the keystore is up/);
        // Checking again while it is down is the same alert, and the tenant hears of it once.
        await validate();
        expect((await alerts()).filter(mine)).toHaveLength(1);
        await eventually(() => events().includes('AccountNotReady'), TIMEOUTS.converge, 'AccountNotReady');
      } finally {
        await keystores.bao.start();
      }
      expect((await validate()).reachable).toBe(true);
      await eventually(async () => !(await alerts()).some(mine), TIMEOUTS.converge, 'the alert to resolve');
      await eventually(() => events().includes('AccountReady'), TIMEOUTS.converge, 'AccountReady');
      expect(events().filter((event) => event === 'AccountNotReady')).toHaveLength(1);
    });
  },
);

describe('alerts CMK finds by looking: a stuck re-key, a lost Crypto Edge, an unhealthy plugin', () => {
  let cmk: CmkHarness;
  const sent: KeyChainEvent[] = [];
  const alerts = new Alerts({
    type: 'NotificationService',
    name: 'capture',
    configure: async () => {},
    health: async () => ({ status: 'healthy', message: '', production: false, checkedAt: '' }),
    notify: async (event) => {
      sent.push(event);
    },
  });
  const policy = { rekeyStuckAfterSeconds: 1800, edgePartitionBoundSeconds: 300 };
  const healthy = { name: 'keystore-local', plugin: 'keystore-local', type: 'KeystoreProvider' };

  beforeAll(async () => {
    cmk = await startHarness();
    expect((await cmk.call('controller', 'PUT', ACME, {})).status).toBe(201);
    expect(
      (
        await cmk.call('alice', 'POST', `${ACME}/accounts`, {
          name: 'root',
          providerType: 'Local',
          keyReference: 'acme-root',
        })
      ).status,
    ).toBe(201);
  }, TIMEOUTS.longTest);
  afterAll(() => cmk?.close());

  it('fires each once while it holds and resolves it when it clears', async () => {
    const db = cmk.cmk.keychain.db;
    const [tenant] = await db.query<{ id: string }>(
      "select id from tenants where workspace = 'root:orgs:acme'",
    );
    await db.query(
      "update accounts set state = 'REKEYING', rekey_started_at = now() - interval '2 hours', rekey_total = 5, rekey_done = 2 where name = 'root'",
    );
    await db.query(
      "insert into crypto_edges (id, tenant_id, name, validity_hours, last_seen_at) values ($1, $2, 'edge-1', 8, now() - interval '10 minutes')",
      [randomUUID(), tenant?.id],
    );
    const unhealthy = [
      {
        ...healthy,
        health: {
          status: 'unhealthy' as const,
          message: 'passphrase file unreadable',
          production: false,
          checkedAt: '',
        },
      },
    ];
    await sweepAlerts(db, alerts, unhealthy, policy);
    await sweepAlerts(db, alerts, unhealthy, policy);
    expect(sent.map((event) => [event.type, event.status, event.labels])).toEqual([
      ['PluginUnhealthy', 'firing', { plugin: 'keystore-local' }],
      ['AccountReKeyStuck', 'firing', { tenant: 'tenant-root-orgs-acme', account: 'root' }],
      ['CryptoEdgeDisconnected', 'firing', { tenant: 'tenant-root-orgs-acme', edge: 'edge-1' }],
    ]);
    expect(sent[1]?.summary).toMatch(/re-wrapped 2 of 5 keys/);
    sent.length = 0;
    await db.query("update accounts set state = 'ACTIVE' where name = 'root'");
    await db.query("update crypto_edges set last_seen_at = now() where name = 'edge-1'");
    await sweepAlerts(
      db,
      alerts,
      [{ ...healthy, health: { status: 'healthy', message: '', production: false, checkedAt: '' } }],
      policy,
    );
    expect(sent.map((event) => [event.type, event.status])).toEqual([
      ['PluginUnhealthy', 'resolved'],
      ['AccountReKeyStuck', 'resolved'],
      ['CryptoEdgeDisconnected', 'resolved'],
    ]);
  });
});
