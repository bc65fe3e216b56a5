import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '@openkcm/local-stack';
import {
  ready,
  startTestStack,
  startWebhookReceiver,
  type TestStack,
  TIMEOUTS,
  type WebhookReceiver,
  Workspace,
} from '@openkcm/testkit';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { seriousViolations } from './support/axe.js';
import { browserTestsRunnable, launchChromium, signIn } from './support/browser.js';
import { chooseOption, dialog, type } from './support/keychain-ui.js';

const ACME = 'root:orgs:acme';
const SHOTS = join(REPO_ROOT, 'e2e/artifacts/screenshots');
const LONG = { timeout: TIMEOUTS.page };
const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'laptop', width: 1024, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/**
 * The console screens a key owner judges after the first hour: object pages with history, the
 * activity trail, pending deletions, and an overview that says what needs attention. Driven with
 * role and label selectors only, in both themes and at three sizes.
 */
describe.runIf(browserTestsRunnable())('the console screens in a real browser', () => {
  let stack: TestStack;
  let acme: Workspace;
  let browser: Browser;
  let page: Page;
  let receiver: WebhookReceiver;
  const problems: string[] = [];

  /** Opens a place of the Key Chain by its link, as a bookmark or a shared URL would. */
  const open = async (target: Page, hash: string) => {
    await target.goto(`${stack.endpoints.shell}/workspaces/${ACME}/keychain${hash}`);
    await target.getByRole('tablist').first().waitFor(LONG);
  };

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    receiver = await startWebhookReceiver();
    // CMK (a child process with this environment) may deliver to this one loopback port.
    process.env.OPENKCM_WEBHOOK_ALLOW = `127.0.0.1:${receiver.port}`;
    stack = await startTestStack();
    acme = new Workspace(stack);
    await acme.enableOpenKcm();
    await acme.waitFor('tenants', acme.tenant, (t) => t?.status?.phase === 'Active', 'the Tenant');
    await acme.create('accounts', 'Account', 'acme-root', {
      providerType: 'Local',
      keyReference: 'acme-root',
    });
    for (const name of ['orders', 'scratch'])
      await acme.create('serviceencryptionkeys', 'ServiceEncryptionKey', name, {
        accountRef: { name: 'acme-root' },
        rotationSchedule: '30d',
      });
    for (const name of ['orders', 'scratch'])
      await acme.waitFor(
        'serviceencryptionkeys',
        name,
        (key) => ready(key)?.status === 'True',
        `key ${name}`,
      );
    browser = await launchChromium();
    page = await (
      await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' })
    ).newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    await signIn(page, stack.endpoints.shell ?? '', 'alice');
  }, TIMEOUTS.processStart * 3);

  // A failed step leaves a picture of what the user would have seen.
  beforeEach((context) => {
    onTestFailed(async () => {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await page?.screenshot({ path: join(SHOTS, `failed-${name}.png`) }).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
    await receiver?.close();
  });

  it('creates a webhook with the wizard, sends a test event and shows its delivery; Viewers only read', async () => {
    await open(page, '#/notifications');
    await page.getByText('No webhooks yet').waitFor(LONG);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const wizard = dialog(page, 'Create webhook');
    await type(page, 'webhook-name', 'ops-channel');
    await type(page, 'webhook-url', `${receiver.url}/hooks`);
    // http is refused as the user types, before anything is sent.
    await page
      .getByText(/Use https/)
      .first()
      .waitFor(LONG);
    await type(page, 'webhook-url', `https://hooks.example.com/openkcm`);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await page.locator('[data-event="KeyRotated"]').waitFor(LONG);
    await page.locator('[data-event="KeyCreated"]').click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByText('KeyRotated, AccountNotReady, KeyCreated')
      .or(wizard.getByText('KeyCreated, KeyRotated, AccountNotReady'))
      .waitFor(LONG);
    await page.screenshot({ path: join(SHOTS, 'console-webhook-wizard.png') });
    await wizard.getByRole('button', { name: 'Create webhook' }).click();
    const shown = dialog(page, 'Webhook created');
    const key = (await shown.getByTestId('signing-key').textContent({ timeout: TIMEOUTS.page })) ?? '';
    expect(key).toMatch(/^whsec_/);
    await shown.getByRole('button', { name: 'Done' }).click();
    // An operator allows the test receiver's port only: point the webhook there with kubectl's merge patch.
    await acme.patch('webhooknotifications', 'ops-channel', { spec: { url: `${receiver.url}/hooks` } });
    const row = page.locator('[data-webhook="ops-channel"]');
    await row.locator('[data-phase="Delivering"]').waitFor(LONG);
    await row.getByRole('button', { name: 'Send a test event to ops-channel' }).click();
    await row.getByTestId('last-delivery').filter({ hasText: 'Test: delivered (HTTP 204)' }).waitFor(LONG);
    const delivered = receiver.received.at(-1);
    expect(
      new Webhook(key).verify(delivered?.body ?? '', delivered?.headers as Record<string, string>),
    ).toMatchObject({ type: 'Test', data: { name: 'ops-channel', actor: 'alice' } });
    await page.screenshot({ path: join(SHOTS, 'console-notifications.png') });

    const viewerContext = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
    });
    const viewer = await viewerContext.newPage();
    await signIn(viewer, stack.endpoints.shell ?? '', 'victor');
    await open(viewer, '#/notifications');
    const viewerRow = viewer.locator('[data-webhook="ops-channel"]');
    await viewerRow.waitFor(LONG);
    expect(await viewer.getByRole('button', { name: 'Create webhook' }).isDisabled()).toBe(true);
    expect(
      await viewerRow.getByRole('button', { name: 'Send a test event to ops-channel' }).isDisabled(),
    ).toBe(true);
    await viewerContext.close();

    await row.getByRole('button', { name: 'Delete ops-channel' }).click();
    await dialog(page, 'Delete webhook ops-channel').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No webhooks yet').waitFor(LONG);
  });

  it("shows a rotation made with kubectl in the key's history, with the person who asked", async () => {
    // alice rotates through the Kubernetes API, as `kubectl annotate` does.
    await acme.rotateNow('orders', '2026-12-01T10:00:00Z');
    await acme.waitFor('serviceencryptionkeys', 'orders', (key) => key?.status?.currentVersion === 2, 'v2');
    await open(page, '#/keys');
    await page.getByRole('link', { name: 'Open key orders' }).click();
    // UI5 tables slot their cells, so rows are found by their accessible names, as a screen reader reads them.
    await page.getByRole('grid', { name: 'Version history' }).waitFor(LONG);
    await page.getByRole('row', { name: /^v2 \(current\) .* Rotate now alice Usable$/ }).waitFor(LONG);
    await page.getByRole('row', { name: /^v1 .* Created with the key / }).waitFor(LONG);
    // The header copies what people paste elsewhere.
    await expect(page.getByRole('button', { name: 'Copy name' }).count()).resolves.toBe(1);
    await page.getByRole('tab', { name: 'Audit trail' }).click();
    await page
      .getByRole('row', {
        name: / alice Key rotated v2 \(applied by service-account-openkcm-controller\) orders Succeeded$/,
      })
      .waitFor(LONG);
    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = page.getByRole('textbox', { name: 'YAML' });
    await yaml.waitFor(LONG);
    expect(await yaml.inputValue()).toContain('kind: ServiceEncryptionKey');
    expect(await yaml.inputValue()).toContain('keychain.openkcm.io/rotate-now-requested-by: alice');
  });

  it('lists a broken Account under Needs attention within seconds and links to its page', async () => {
    await open(page, '#/overview');
    await acme.create('accounts', 'Account', 'broken', {
      providerType: 'Local',
      keyReference: 'no-such-key',
    });
    const item = page.getByRole('link', { name: 'broken: L1 key not usable' });
    await item.waitFor(LONG);
    await item.click();
    await page.getByRole('heading', { name: 'broken' }).waitFor(LONG);
    await page.getByRole('tab', { name: 'Conditions and events' }).click();
    await page.getByRole('grid', { name: 'Conditions' }).waitFor(LONG);
    await page
      .getByRole('row', { name: /^Ready No L1 key not usable the L1 key no-such-key cannot be used/ })
      .waitFor(LONG);
    // The same page is one link away: back on the list, the Account links to it too.
    await page.getByRole('link', { name: 'Back to the Accounts' }).click();
    await page.getByRole('link', { name: 'Open Account broken' }).waitFor(LONG);
  });

  it('asks for the key name before deleting it, and restores it from Pending deletion', async () => {
    await open(page, '#/keys/scratch');
    await page.getByRole('button', { name: 'Delete scratch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete scratch' });
    await dialog.waitFor(LONG);
    const confirmButton = page
      .locator('ui5-dialog[open]')
      .getByRole('button', { name: 'Delete', exact: true });
    await expect(confirmButton.isDisabled()).resolves.toBe(true);
    await page.getByLabel('Type the key name "scratch" to confirm').pressSequentially('scratch');
    await confirmButton.click();
    await page.getByRole('tab', { name: 'Pending deletion' }).click();
    await page.getByRole('row', { name: /^scratch under acme-root · v1 Service key / }).waitFor(LONG);
    await page.getByRole('button', { name: 'Cancel the deletion of scratch' }).click();
    await page.locator('ui5-dialog[open]').getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('heading', { name: 'Nothing is waiting for deletion' }).waitFor(LONG);
    await acme.waitFor(
      'serviceencryptionkeys',
      'scratch',
      (key) => ready(key)?.status === 'True',
      'restored',
    );
  });

  it('filters the activity by object and action, in the link', async () => {
    await open(page, '#/activity');
    const object = page.getByRole('textbox', { name: 'Object' });
    await object.fill('orders');
    await object.press('Enter');
    await page.waitForURL(/subject=orders/, LONG);
    await page.getByRole('row', { name: / Key rotated v2 .* orders Succeeded$/ }).waitFor(LONG);
    await page.getByRole('row', { name: / Key created orders Succeeded$/ }).waitFor(LONG);
    // The other key's entries are filtered out.
    await expect(page.getByRole('row', { name: / scratch Succeeded$/ }).count()).resolves.toBe(0);
    await page.getByRole('combobox', { name: 'What' }).click();
    await page.getByRole('option', { name: 'Rotations' }).click();
    await page.waitForURL(/action=key.rotate/, LONG);
    await page
      .getByRole('row', { name: / Key created orders Succeeded$/ })
      .waitFor({ state: 'detached', ...LONG });
  });

  it('tests the L1 key in the Account wizard before anything is created', async () => {
    const accountsInCmk = async () => ((await acme.cmk('/accounts')).items as unknown[]).length;
    const before = await accountsInCmk();
    await open(page, '#/accounts');
    await page.getByRole('button', { name: 'Create Account' }).first().click();
    const wizard = page.locator('ui5-dialog[open]');
    // FR-201 offers Azure Key Vault, which has no keystore plugin yet: it is shown, and goes no further.
    await chooseOption(page, page.getByRole('combobox', { name: 'Cloud provider' }), 'Azure Key Vault');
    await page.getByTestId('provider-planned').waitFor(LONG);
    await expect(wizard.getByRole('button', { name: 'Next' }).isDisabled()).resolves.toBe(true);
    await chooseOption(
      page,
      page.getByRole('combobox', { name: 'Cloud provider' }),
      'Local keystore (development only)',
    );
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    const reference = page.getByRole('textbox', {
      name: /^Label of a key in the local development keystore/,
    });
    await reference.fill('no-such-key');
    await page.getByRole('button', { name: 'Test the key' }).click();
    await page.getByText(/CMK cannot use this key: .*no-such-key/).waitFor(LONG);
    await reference.fill('acme-root');
    await page.getByRole('button', { name: 'Test the key' }).click();
    await page.getByText('CMK reached the key and can wrap with it.').waitFor(LONG);
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    await expect(accountsInCmk()).resolves.toBe(before);
  });

  it('explains L1, L2 and L3 where they are used', async () => {
    await open(page, '#/overview');
    await page.getByRole('button', { name: 'What are L1, L2 and L3?' }).click();
    const help = page.getByRole('dialog', { name: 'The key hierarchy' });
    await help.waitFor(LONG);
    await page.getByText('L1: your root key', { exact: true }).waitFor(LONG);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden', ...LONG });
  });

  for (const theme of ['light', 'dark'] as const)
    for (const size of SIZES)
      it(`every screen is usable and passes axe: ${theme}, ${size.name} ${size.width}×${size.height}`, async () => {
        const context = await browser.newContext({
          viewport: { width: size.width, height: size.height },
          colorScheme: theme,
          locale: 'en-US',
        });
        const viewer = await context.newPage();
        await signIn(viewer, stack.endpoints.shell ?? '', 'alice');
        for (const [screen, hash] of [
          ['overview', '#/overview'],
          ['accounts', '#/accounts'],
          ['keys', '#/keys'],
          ['key-page', '#/keys/orders'],
          ['account-page', '#/accounts/acme-root'],
          ['activity', '#/activity'],
          ['deletion', '#/deletion'],
          ['notifications', '#/notifications'],
        ] as const) {
          await open(viewer, hash);
          await viewer.getByRole('tab', { selected: true }).first().waitFor(LONG);
          await viewer.getByLabel(/^Loading/).waitFor({ state: 'detached', timeout: TIMEOUTS.page });
          // Nothing is cut off sideways: the page itself never scrolls horizontally.
          const overflow = await viewer.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, `horizontal overflow of ${screen}`).toBeLessThanOrEqual(1);
          if (size.name !== 'laptop' || screen.endsWith('page'))
            await viewer.screenshot({ path: join(SHOTS, `console-${screen}-${size.name}-${theme}.png`) });
          expect(await seriousViolations(viewer), `axe on ${screen}`).toEqual([]);
        }
        await context.close();
      });

  it('raised no page errors', () => {
    expect(problems).toEqual([]);
  });
});
