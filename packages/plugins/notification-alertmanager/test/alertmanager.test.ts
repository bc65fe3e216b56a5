import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { KeyChainEvent } from '@openkcm/plugin-sdk';
import { notificationContract } from '@openkcm/plugin-sdk/testing';
import {
  alertmanagerAvailable,
  eventually,
  type RunningAlertmanager,
  startAlertmanager,
  TIMEOUTS,
  tempDir,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerNotification } from '../src/index.js';

const available = alertmanagerAvailable();
if (!available && process.env.CI)
  throw new Error('CI needs prometheus-alertmanager: apt-get install prometheus-alertmanager');

function alert(overrides: Partial<KeyChainEvent> = {}): KeyChainEvent {
  return {
    type: 'L1KeyUnreachable',
    tenant: 'root:orgs:acme',
    severity: 'critical',
    summary: 'the L1 key of Account primary cannot be reached',
    subject: { kind: 'Account', name: 'primary' },
    occurredAt: new Date().toISOString(),
    status: 'firing',
    action: 'Check that the keystore is up and that CMK can reach it.',
    labels: { tenant: 'tenant-root-orgs-acme', account: 'primary' },
    ...overrides,
  };
}

describe.skipIf(!available)('Alertmanager notification against the real Alertmanager', () => {
  let alertmanager: RunningAlertmanager;
  beforeAll(async () => {
    alertmanager = await startAlertmanager();
  }, TIMEOUTS.processStart);
  afterAll(() => alertmanager?.stop());

  notificationContract('the Alertmanager notification plugin', async () => {
    const plugin = new AlertmanagerNotification();
    await plugin.configure({ url: alertmanager.url });
    return {
      plugin,
      delivered: async () =>
        (await alertmanager.alerts()).map((listed) => ({
          type: listed.labels.alertname ?? '',
          tenant: listed.labels.workspace ?? '',
          severity: 'critical' as const,
          summary: listed.annotations.summary ?? '',
          occurredAt: listed.startsAt,
        })),
      cleanup: () => plugin.close(),
    };
  });

  it('fires a labelled alert that says what to do, and resolves it', async () => {
    const plugin = new AlertmanagerNotification();
    await plugin.configure({ url: alertmanager.url });
    const mine = (listed: { labels: Record<string, string> }) =>
      listed.labels.alertname === 'L1KeyUnreachable' && listed.labels.workspace === 'root:orgs:globex';
    await plugin.notify(
      alert({
        tenant: 'root:orgs:globex',
        labels: { tenant: 'tenant-root-orgs-globex', account: 'primary' },
      }),
    );
    await eventually(
      async () => (await alertmanager.alerts()).some(mine),
      TIMEOUTS.converge,
      'the alert to fire',
    );
    const fired = (await alertmanager.alerts()).find(mine);
    if (!fired) throw new Error('the alert is gone');
    expect(fired.labels).toMatchObject({
      alertname: 'L1KeyUnreachable',
      severity: 'critical',
      workspace: 'root:orgs:globex',
      tenant: 'tenant-root-orgs-globex',
      account: 'primary',
    });
    expect(fired.annotations.description).toContain('Check that the keystore is up');
    expect(fired.status.state).toBe('active');
    // A second firing of the same condition is the same alert, not a new one.
    await plugin.notify(
      alert({
        tenant: 'root:orgs:globex',
        labels: { tenant: 'tenant-root-orgs-globex', account: 'primary' },
      }),
    );
    expect((await alertmanager.alerts()).filter(mine)).toHaveLength(1);

    await plugin.notify(
      alert({
        tenant: 'root:orgs:globex',
        status: 'resolved',
        summary: 'reachable again',
        labels: { tenant: 'tenant-root-orgs-globex', account: 'primary' },
      }),
    );
    await eventually(
      async () => !(await alertmanager.alerts()).some(mine),
      TIMEOUTS.converge,
      'the alert to resolve',
    );
    await plugin.close();
  });

  it('sends firing alerts again on every interval, with the bearer token from its file', async () => {
    const dir = await tempDir();
    const tokenFile = join(dir.path, 'token');
    await writeFile(tokenFile, 's3cret-token\n');
    const received: Array<{ authorization: string | undefined; alerts: Array<{ endsAt: string }> }> = [];
    const read = (request: IncomingMessage) =>
      new Promise<string>((resolve) => {
        let body = '';
        request.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        request.on('end', () => resolve(body));
      });
    const server = createServer(async (request, response) => {
      received.push({
        authorization: request.headers.authorization,
        alerts: JSON.parse(await read(request)),
      });
      response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const plugin = new AlertmanagerNotification();
    await plugin.configure({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      resendIntervalSeconds: 1,
      auth: { bearerTokenFile: tokenFile },
    });
    await plugin.notify(alert());
    await eventually(() => received.length >= 3, TIMEOUTS.converge, 'three sendings');
    expect(received[0]?.authorization).toBe('Bearer s3cret-token');
    // Each sending holds the alert four intervals beyond its time, so a lost CMK lets it resolve by itself.
    const ends = received.map((sending) => Date.parse(sending.alerts[0]?.endsAt ?? ''));
    expect(ends.at(-1)).toBeGreaterThan(ends[0] ?? Number.POSITIVE_INFINITY);
    expect(ends.at(-1)).toBeLessThanOrEqual(Date.now() + 4_000);
    await plugin.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dir.remove();
  });

  it('refuses a configuration without a URL, naming the field', async () => {
    await expect(new AlertmanagerNotification().configure({})).rejects.toThrow(/url/);
  });
});
