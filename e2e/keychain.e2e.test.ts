import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '@openkcm/local-stack';
import { edgeAudience } from '@openkcm/spiffe';
import { LocalSpiffeIssuer } from '@openkcm/spiffe/local-issuer';
import { eventually, startTestStack, type TestStack, TIMEOUTS } from '@openkcm/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/axe.js';
import { browserTestsRunnable, launchChromium, newContext, signIn } from './support/browser.js';
import {
  accountRow,
  chooseOption,
  confirm,
  createAccount,
  createKey,
  dialog,
  keyRow,
  openAccountWizardAtKey,
  openTab,
  type,
  waitForVersion,
} from './support/keychain-ui.js';
import { startLuigiHost } from './support/luigi-host.js';

const ACME = 'root:orgs:acme';
const SHOTS = join(REPO_ROOT, 'e2e/artifacts/screenshots');
const LONG = { timeout: TIMEOUTS.page };

describe.runIf(browserTestsRunnable())('the Key Chain in a real browser, against the whole product', () => {
  let stack: TestStack;
  let luigiHost: Awaited<ReturnType<typeof startLuigiHost>>;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requested: string[] = [];
  const servedScripts: Array<{ url: string; encoding: string; cache: string }> = [];

  /** A screenshot for people, and an accessibility scan that fails the test on serious findings. */
  const inspect = async (screen: string, on: Page = page) => {
    const theme = (await on.evaluate(() => document.documentElement.dataset.openkcmTheme)) ?? 'light';
    await on.waitForTimeout(300);
    await on.screenshot({ path: join(SHOTS, `${screen}-${theme}.png`), fullPage: true });
    const violations = await seriousViolations(on);
    expect(violations, `accessibility of ${screen} (${theme})`).toEqual([]);
  };

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    // The Luigi-style host is a Console origin the microfrontend lets frame luigi.html.
    luigiHost = await startLuigiHost();
    process.env.MFE_CONSOLE_ORIGINS = new URL(luigiHost.url).origin;
    stack = await startTestStack();
    browser = await launchChromium();
    page = await (await newContext(browser, 'light')).newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => requested.push(request.url()));
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (response.url().startsWith(stack.endpoints.mfe ?? '-') && /javascript|css/.test(type))
        servedScripts.push({
          url: response.url(),
          encoding: response.headers()['content-encoding'] ?? 'identity',
          cache: response.headers()['cache-control'] ?? '',
        });
    });
  }, TIMEOUTS.processStart * 2);

  afterAll(async () => {
    await luigiHost?.close();
    await browser?.close();
    await stack?.dispose();
  });

  it('alice signs in and enables OpenKCM; the tenant goes Active', async () => {
    await signIn(page, stack.endpoints.shell ?? '', 'alice');
    await expect.poll(() => page.url(), LONG).toContain(`/workspaces/${ACME}/keychain`);
    await page.getByText('OpenKCM is not enabled in this workspace').waitFor(LONG);
    await page.getByRole('treeitem', { name: 'Workspace Settings' }).click();
    const toggle = page.getByRole('switch', { name: 'Enable OpenKCM (Key Chain Manager)' });
    await toggle.click();
    await page.getByTestId('settings-tenant-phase').filter({ hasText: 'Active' }).waitFor(LONG);
    await inspect('workspace-settings');
    await page.getByRole('treeitem', { name: 'Key Chain' }).click();
    await page.getByTestId('provider-status').locator('[data-phase="Active"]').waitFor(LONG);
    await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor(LONG);
    await inspect('overview-empty');
  });

  it('creates an Account through the wizard, validating the key reference as it is typed', async () => {
    await openTab(page, 'Accounts');
    await page.getByText('No Accounts yet').waitFor(LONG);
    const wizard = await openAccountWizardAtKey(page);
    await type(page, 'account-key-reference', 'Not A Label!');
    await type(page, 'account-name', 'Not A Name');
    await page.getByText('Use lower-case letters').first().waitFor(LONG);
    await inspect('account-wizard');
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    await createAccount(page, 'acme-root', 'acme-root');
    await expect(
      accountRow(page, 'acme-root').getByTestId('dependent-keys').textContent(),
    ).resolves.toContain('0 L3 keys');
    await inspect('accounts');
  });

  it('creates a service key, rotates it v1 → v2, changes its schedule, disables and re-enables it', async () => {
    await openTab(page, 'Service keys');
    await page.getByRole('button', { name: 'Create service key' }).first().click();
    await dialog(page, 'Create service key').getByRole('button', { name: 'Next' }).click();
    await inspect('key-wizard');
    await dialog(page, 'Create service key').getByRole('button', { name: 'Cancel' }).click();
    await createKey(page, 'payments');
    await waitForVersion(page, 'payments', 'v1');
    await inspect('service-keys');
    await keyRow(page, 'payments').getByRole('button', { name: 'Rotate now: payments' }).click();
    await waitForVersion(page, 'payments', 'v2');

    const schedule = keyRow(page, 'payments').getByRole('combobox', {
      name: 'Rotation schedule of payments',
    });
    await schedule.click();
    await page.getByRole('option', { name: 'Daily' }).click();
    await page.getByText('payments now rotates every day').waitFor(LONG);
    const stored = await fetch(`${stack.endpoints.bff}/api/v1/workspaces/${ACME}/keys/payments`, {
      headers: { Authorization: `Bearer ${await stack.tokenFor('alice')}` },
    }).then((response) => response.json() as Promise<{ spec: { rotationSchedule: string } }>);
    expect(stored.spec.rotationSchedule).toBe('Daily');

    await keyRow(page, 'payments').getByRole('button', { name: 'Disable payments' }).click();
    await confirm(page, 'Disable payments', 'Disable');
    await keyRow(page, 'payments').locator('[data-phase="Disabled"]').waitFor(LONG);
    await keyRow(page, 'payments').getByRole('button', { name: 'Enable payments' }).click();
    await confirm(page, 'Enable payments', 'Enable');
    await keyRow(page, 'payments').locator('[data-phase="Active"]').waitFor(LONG);
  });

  it('shows the dashboard figures and the topology; clicking an Account filters the keys', async () => {
    await openTab(page, 'Overview');
    await page.getByTestId('active-accounts').filter({ hasText: '1 active Account' }).waitFor(LONG);
    await inspect('overview');
    await openTab(page, 'Topology');
    const account = page.getByTestId('topology').getByText('L2 Account: acme-root');
    await account.waitFor(LONG);
    await inspect('topology');
    await account.click();
    await page.getByTestId('account-filter').waitFor(LONG);
    await keyRow(page, 'payments').waitFor(LONG);
  });

  it('a workload uses a key at the Crypto Edge: the key counts its active client, the topology shows it', async () => {
    const orders = 'spiffe://openkcm.local/ns/default/sa/orders';
    await createKey(page, 'orders', [orders]);
    const edge = stack.endpoints.edge ?? '';
    // The stack's edge enrolled itself when OpenKCM was enabled in acme.
    await eventually(
      async () => (await fetch(`${edge}/readyz`)).status === 200,
      TIMEOUTS.converge,
      'the Crypto Edge of acme is enrolled and connected',
      250,
    );
    const token = await (await LocalSpiffeIssuer.open(join(stack.dataDir, 'spiffe'))).jwtSvid(
      orders,
      edgeAudience(ACME, 'edge'),
    );
    const sealed = await fetch(`${edge}/v1/keys/orders/encrypt`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ plaintext: Buffer.from('order 42').toString('base64') }),
    });
    expect(sealed.status).toBe(200);
    await openTab(page, 'Service keys');
    // Usage reaches CMK in batches and the controller every few seconds: a converge-sized wait.
    await keyRow(page, 'orders')
      .getByTestId('active-clients')
      .filter({ hasText: '1' })
      .waitFor({ timeout: TIMEOUTS.converge });
    await openTab(page, 'Topology');
    await page.getByTestId('topology').getByText(`Workload: ${orders}`).waitFor(LONG);
    await inspect('topology-workloads');
    const removed = await fetch(
      `${stack.endpoints.bff}/api/v1/workspaces/${ACME}/keys/orders?confirm=orders`,
      {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${await stack.tokenFor('alice')}` },
      },
    );
    expect(removed.ok).toBe(true);
    await openTab(page, 'Service keys');
    await keyRow(page, 'orders').waitFor({ state: 'detached', ...LONG });
  });

  it('re-keys the Account only after its name is typed, and shows it Ready on the new root key', async () => {
    await openTab(page, 'Accounts');
    await accountRow(page, 'acme-root').getByRole('button', { name: 'Re-key acme-root' }).click();
    const box = dialog(page, 'Re-key Account acme-root');
    await type(page, 'rekey-reference', 'acme-backup');
    const rekey = box.getByRole('button', { name: 'Re-key', exact: true });
    await expect(rekey.isDisabled()).resolves.toBe(true);
    await type(page, 'rekey-confirm', 'acme-root');
    await inspect('rekey-dialog');
    await rekey.click();
    await box.waitFor({ state: 'hidden' });
    await accountRow(page, 'acme-root').getByText('acme-backup', { exact: true }).waitFor(LONG);
    await accountRow(page, 'acme-root').locator('[data-phase="Ready"]').waitFor(LONG);
  });

  it('is refused deleting the Account while a key depends on it, then deletes the key and the Account', async () => {
    await accountRow(page, 'acme-root').getByRole('button', { name: 'Delete acme-root' }).click();
    const box = dialog(page, 'Delete Account acme-root');
    await box.getByRole('button', { name: 'Delete', exact: true }).click();
    await box.getByTestId('dialog-error').filter({ hasText: 'still protects 1 service key' }).waitFor(LONG);
    await expect(box.getByTestId('dependents').textContent()).resolves.toContain('payments');
    await box.getByRole('button', { name: 'Cancel' }).click();

    await openTab(page, 'Service keys');
    await page.getByTestId('account-filter').click();
    await keyRow(page, 'payments').getByRole('button', { name: 'Delete payments' }).click();
    await type(page, 'delete-key-confirm', 'payments');
    await confirm(page, 'Delete payments', 'Delete');
    await keyRow(page, 'payments').waitFor({ state: 'detached', ...LONG });

    await openTab(page, 'Accounts');
    await accountRow(page, 'acme-root').getByRole('button', { name: 'Delete acme-root' }).click();
    await confirm(page, 'Delete Account acme-root', 'Delete');
    await accountRow(page, 'acme-root').waitFor({ state: 'detached', ...LONG });
  });

  it('shows changes made elsewhere (kubectl, another tab) live, without a reload', async () => {
    await createAccount(page, 'acme-dark', 'acme-root');
    await openTab(page, 'Service keys');
    const created = await fetch(`${stack.endpoints.bff}/api/v1/workspaces/${ACME}/keys`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await stack.tokenFor('alice')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ name: 'reports', accountRef: { name: 'acme-dark' } }),
    });
    expect(created.status).toBe(201);
    await keyRow(page, 'reports').locator('[data-phase="Active"]').waitFor(LONG);
    await waitForVersion(page, 'reports', 'v1');
  });

  it('switches to the dark theme live, without a reload; every screen and dialog stays accessible and works from the keyboard', async () => {
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await page.getByTestId('theme-toggle').click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset.openkcmTheme), LONG)
      .toBe('dark');
    expect(navigations).toEqual([]);
    for (const tab of ['Overview', 'Accounts', 'Service keys', 'Topology'] as const) {
      await openTab(page, tab);
      await inspect(tab.toLowerCase().replace(' ', '-'));
    }
    // The dialogs too, opened from the keyboard alone.
    await openTab(page, 'Accounts');
    await page.getByRole('button', { name: 'Create Account' }).first().focus();
    await page.keyboard.press('Enter');
    await dialog(page, 'Create Account').waitFor(LONG);
    await inspect('account-wizard');
    await page.keyboard.press('Escape');
    await dialog(page, 'Create Account').waitFor({ state: 'detached', ...LONG });
    await accountRow(page, 'acme-dark').getByRole('button', { name: 'Re-key acme-dark' }).focus();
    await page.keyboard.press('Enter');
    await inspect('rekey-dialog');
    await page.keyboard.press('Escape');
    await openTab(page, 'Service keys');
    await page.getByRole('button', { name: 'Create service key' }).first().focus();
    await page.keyboard.press('Enter');
    await dialog(page, 'Create service key').getByRole('button', { name: 'Next' }).press('Enter');
    await inspect('key-wizard');
    await page.keyboard.press('Escape');
    await page.getByRole('treeitem', { name: 'Workspace Settings' }).click();
    await inspect('workspace-settings');
    expect(problems).toEqual([]);
  });

  it('fetches nothing from outside the deployment (no font CDN), and the remote comes compressed and cached', async () => {
    // The IdP's own pages too: sign-in, the sign-out question and the signed-out page.
    const leaving = await (await newContext(browser)).newPage();
    leaving.on('request', (request) => requested.push(request.url()));
    await signIn(leaving, stack.endpoints.shell ?? '', 'victor');
    await leaving.goto(`${stack.endpoints.idp}/session/end`);
    await leaving.getByRole('button', { name: 'Sign out' }).click();
    await leaving.getByRole('heading', { name: 'Signed out' }).waitFor(LONG);
    expect(requested.some((url) => url.includes('/session/end'))).toBe(true);
    await leaving.context().close();
    const outside = requested.filter(
      (url) => !url.startsWith('data:') && new URL(url).hostname !== '127.0.0.1',
    );
    expect(outside).toEqual([]);
    expect(requested.some((url) => url.endsWith('.woff2'))).toBe(true);
    expect(servedScripts.length).toBeGreaterThan(10);
    for (const script of servedScripts) {
      expect(script.encoding, script.url).toMatch(/^(br|gzip)$/);
      expect(script.cache, script.url).toMatch(
        script.url.endsWith('/remoteEntry.js') ? /no-cache/ : /max-age=31536000, immutable/,
      );
    }
  });

  it('victor sees the same Key Chain read-only, every action disabled with the reason', async () => {
    const viewer = await (await newContext(browser)).newPage();
    await signIn(viewer, stack.endpoints.shell ?? '', 'victor');
    await viewer
      .getByTestId('read-only')
      .filter({ hasText: 'you are a Viewer of root:orgs:acme' })
      .waitFor(LONG);
    await openTab(viewer, 'Accounts');
    await accountRow(viewer, 'acme-dark').waitFor(LONG);
    await expect(viewer.getByRole('button', { name: 'Create Account' }).isDisabled()).resolves.toBe(true);
    await expect(
      accountRow(viewer, 'acme-dark').getByRole('button', { name: 'Re-key acme-dark' }).isDisabled(),
    ).resolves.toBe(true);
    await openTab(viewer, 'Service keys');
    await keyRow(viewer, 'reports').waitFor(LONG);
    await expect(
      keyRow(viewer, 'reports').getByRole('button', { name: 'Rotate now: reports' }).isDisabled(),
    ).resolves.toBe(true);
    await expect(
      keyRow(viewer, 'reports').getByRole('button', { name: 'Delete reports' }).isDisabled(),
    ).resolves.toBe(true);
    await viewer.getByRole('treeitem', { name: 'Workspace Settings' }).click();
    await viewer.getByText('You are a Viewer here').waitFor(LONG);
    await expect(
      viewer.getByRole('switch', { name: 'Enable OpenKCM (Key Chain Manager)' }).isDisabled(),
    ).resolves.toBe(true);
    await viewer.context().close();
  });

  it('mallory cannot see acme: not in her workspaces, and its Key Chain refuses her', async () => {
    const outsider = await (await newContext(browser)).newPage();
    await signIn(outsider, stack.endpoints.shell ?? '', 'mallory');
    await expect.poll(() => outsider.url(), LONG).toContain('/workspaces/root:orgs:globex/keychain');
    await expect(
      outsider.locator('[data-testid="workspace-picker"] ui5-option').allTextContents(),
    ).resolves.toEqual(['root:orgs:globex']);
    await outsider.goto(`${stack.endpoints.shell}/workspaces/${ACME}/keychain`);
    await outsider.getByText('You cannot see this workspace').waitFor(LONG);
    await expect(outsider.getByText('acme-dark').count()).resolves.toBe(0);
    await outsider.context().close();
  });

  it('mallory offboards her tenant only after typing the workspace path; the settings show the purge date', async () => {
    const owner = await (await newContext(browser)).newPage();
    await signIn(owner, stack.endpoints.shell ?? '', 'mallory');
    await expect.poll(() => owner.url(), LONG).toContain('/workspaces/root:orgs:globex/keychain');
    await owner.getByRole('treeitem', { name: 'Workspace Settings' }).click();
    await owner.getByRole('switch', { name: 'Enable OpenKCM (Key Chain Manager)' }).click();
    await owner.getByTestId('settings-tenant-phase').filter({ hasText: 'Active' }).waitFor(LONG);
    await owner.getByRole('button', { name: 'Offboard tenant…' }).click();
    const confirm = dialog(owner, 'Offboard the tenant?');
    const offboardButton = confirm.getByRole('button', { name: 'Offboard' });
    await expect(offboardButton.isDisabled()).resolves.toBe(true);
    await confirm.locator('#offboard-confirm input').fill('root:orgs:globe');
    await expect(offboardButton.isDisabled()).resolves.toBe(true);
    await confirm.locator('#offboard-confirm input').fill('root:orgs:globex');
    await inspect('offboard-dialog', owner);
    await offboardButton.click();
    await owner.getByTestId('settings-tenant-phase').filter({ hasText: 'Offboarding' }).waitFor(LONG);
    await expect(owner.getByTestId('settings-offboarding').textContent()).resolves.toMatch(
      /purges the tenant on \d{4}-\d{2}-\d{2}T/,
    );
    await expect(owner.getByRole('button', { name: 'Offboard tenant…' }).count()).resolves.toBe(0);
    await inspect('workspace-settings-offboarding', owner);
    await owner.context().close();
  });

  it('runs the same flow inside a Luigi-style host: token, workspace and theme from Luigi Client, updated live', async () => {
    const host = luigiHost;
    {
      const framePage = await (await newContext(browser)).newPage();
      framePage.on('pageerror', (error) => problems.push(`luigi: ${error.message}`));
      const query = new URLSearchParams({
        frame: `${stack.endpoints.mfe}/luigi.html`,
        context: JSON.stringify({ kcpPath: ACME }),
        theme: 'sap_horizon_dark',
        token: await stack.tokenFor('alice'),
      });
      await framePage.goto(`${host.url}?${query}`);
      const frame = framePage.frameLocator('#frame');
      await frame.getByTestId('provider-status').locator('[data-phase="Active"]').waitFor(LONG);
      const inner = framePage.frames().find((candidate) => candidate.url().includes('/luigi.html'));
      if (!inner) throw new Error('the Key Chain frame did not load');
      await expect
        .poll(() => inner.evaluate(() => document.documentElement.dataset.openkcmTheme), LONG)
        .toBe('dark');

      await createKey(frame, 'luigi-key');
      await keyRow(frame, 'luigi-key').getByRole('button', { name: 'Rotate now: luigi-key' }).click();
      await waitForVersion(frame, 'luigi-key', 'v2');
      await keyRow(frame, 'luigi-key').getByRole('button', { name: 'Disable luigi-key' }).click();
      await confirm(frame, 'Disable luigi-key', 'Disable');
      await keyRow(frame, 'luigi-key').locator('[data-phase="Disabled"]').waitFor(LONG);
      await framePage.screenshot({ path: join(SHOTS, 'luigi-service-keys-dark.png') });
      expect(await seriousViolations(inner)).toEqual([]);

      // Luigi renews the token and the user switches the Console to light: both apply without a reload.
      const renewed = await stack.tokenFor('alice');
      await framePage.evaluate(
        (token) => (window as unknown as { luigiIssueToken(token: string): void }).luigiIssueToken(token),
        renewed,
      );
      await framePage.evaluate(() =>
        (window as unknown as { luigiNavigate(changes: unknown): void }).luigiNavigate({
          internal: { currentTheme: 'sap_horizon' },
        }),
      );
      await expect
        .poll(() => inner.evaluate(() => document.documentElement.dataset.openkcmTheme), LONG)
        .toBe('light');
      // A Luigi navigation loads the view URL again, which opens the Key Chain on its overview (the
      // Console would keep deeper places with a virtual tree, not wired yet): go back to the keys.
      await openTab(frame, 'Service keys');
      await keyRow(frame, 'luigi-key').getByRole('button', { name: 'Enable luigi-key' }).click();
      await confirm(frame, 'Enable luigi-key', 'Enable');
      await keyRow(frame, 'luigi-key').locator('[data-phase="Active"]').waitFor(LONG);
      await keyRow(frame, 'luigi-key').getByRole('button', { name: 'Delete luigi-key' }).click();
      await type(frame, 'delete-key-confirm', 'luigi-key');
      await confirm(frame, 'Delete luigi-key', 'Delete');
      await keyRow(frame, 'luigi-key').waitFor({ state: 'detached', ...LONG });
      // CMK holds the name through the deletion waiting period: the wizard says so as the name is typed.
      await frame.getByRole('button', { name: 'Create service key' }).first().click();
      const again = dialog(frame, 'Create service key');
      await again.getByRole('button', { name: 'Next' }).click();
      await type(frame, 'key-name', 'luigi-key');
      await frame
        .getByText(/"luigi-key" was deleted and is in its waiting period/)
        .first()
        .waitFor(LONG);
      await expect(again.getByRole('button', { name: 'Next' }).isDisabled()).resolves.toBe(true);
      await again.getByRole('button', { name: 'Cancel' }).click();
      await again.waitFor({ state: 'hidden' });
      await framePage.screenshot({ path: join(SHOTS, 'luigi-service-keys-light.png') });
      expect(problems).toEqual([]);
    }
  });

  it('lets only the Console origins frame luigi.html', async () => {
    const response = await fetch(`${stack.endpoints.mfe}/luigi.html`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain(`frame-ancestors 'self' ${stack.endpoints.shell}`);
    expect(policy).toContain(new URL(luigiHost.url).origin);
    // Another site's page cannot frame it: the browser refuses.
    const stranger = await startLuigiHost();
    try {
      const page = await (await newContext(browser)).newPage();
      await page.goto(
        `${stranger.url}?${new URLSearchParams({ frame: `${stack.endpoints.mfe}/luigi.html`, context: '{}', theme: 'sap_horizon', token: '' })}`,
      );
      // Chromium replaces a frame its CSP refuses with its own error page.
      await expect
        .poll(() => page.frames().some((candidate) => candidate.url().startsWith('chrome-error://')), LONG)
        .toBe(true);
      await page.context().close();
    } finally {
      await stranger.close();
    }
  });

  it('offers OpenBao with its own connection fields, checked with the CRD schema, and records them on the Account', async () => {
    await page.goto(`${stack.endpoints.shell}/workspaces/${ACME}/keychain`);
    await openTab(page, 'Accounts');
    await page.getByRole('button', { name: 'Create Account' }).first().click();
    const wizard = dialog(page, 'Create Account');
    const toKeyStep = async (provider: string) => {
      await chooseOption(page, page.locator('#account-provider'), provider);
      await wizard.getByRole('button', { name: 'Next' }).click();
      await page.locator('#account-region input, #account-region-none').first().waitFor();
      await wizard.getByRole('button', { name: 'Next' }).click();
      await page.locator('#account-key-reference input').waitFor();
    };
    const backToProvider = async () => {
      await wizard.getByRole('button', { name: 'Back' }).click();
      await wizard.getByRole('button', { name: 'Back' }).click();
      await page.locator('#account-provider').waitFor();
    };
    // Each provider brings its own fields: AWS a role (never static keys), Thales its token; no PIN or
    // login of a tenant's (CMK uses the operator's).
    await toKeyStep('AWS KMS');
    await page.locator('#account-settings-roleArn input').waitFor();
    await expect(wizard.getByText(/access key|secret access/i).count()).resolves.toBe(0);
    await inspect('account-wizard-aws');
    await backToProvider();
    await toKeyStep('Thales HSM (PKCS#11)');
    await page.locator('#account-settings-tokenLabel input').waitFor();
    await expect(wizard.getByText(/PIN/).count()).resolves.toBe(0);
    await inspect('account-wizard-thales');
    await backToProvider();
    await toKeyStep('OpenBao Transit');
    await type(page, 'account-key-reference', 'transit/keys/acme-root');
    await type(page, 'account-name', 'openbao-root');
    await type(page, 'account-settings-address', 'http://openbao.example.com');
    await page.getByText('Expected: HTTPS address of the OpenBao server').first().waitFor(LONG);
    // Pressing Next with the address refused marks it instead of going on.
    await wizard.getByRole('button', { name: 'Next' }).click();
    await expect(page.locator('#account-settings-address[value-state="Negative"]').count()).resolves.toBe(1);
    await inspect('account-wizard-openbao');
    await type(page, 'account-settings-address', 'https://openbao.example.com:8200');
    await type(page, 'account-settings-namespace', 'tenants/acme');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Create Account' }).click();
    await wizard.waitFor({ state: 'hidden', ...LONG });
    // The local profile has no OpenBao keystore: the Account exists but cannot become Ready.
    await accountRow(page, 'openbao-root').locator('[data-phase="NotReady"]').waitFor(LONG);
    const url = `${stack.endpoints.bff}/api/v1/workspaces/${ACME}/accounts/openbao-root`;
    const headers = { Authorization: `Bearer ${await stack.tokenFor('alice')}` };
    const stored = await fetch(url, { headers }).then(
      (response) => response.json() as Promise<{ spec: { openBao: unknown } }>,
    );
    expect(stored.spec.openBao).toEqual({
      address: 'https://openbao.example.com:8200',
      namespace: 'tenants/acme',
    });
    expect((await fetch(url, { method: 'DELETE', headers })).status).toBeLessThan(300);
  });
});
