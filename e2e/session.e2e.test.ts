import { startTestStack, type TestStack, TIMEOUTS } from '@openkcm/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, launchChromium, newContext, signIn } from './support/browser.js';
import { openTab } from './support/keychain-ui.js';

// Short-lived tokens, so that the shell must renew within the test: 75 s, renewed 60 s before expiry.
process.env.IDP_ACCESS_TOKEN_TTL_SECONDS = '75';

/** The access token the shell holds now (oidc-client-ts keeps the user in sessionStorage). */
function currentToken(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((name) => name.startsWith('oidc.user:'));
    return key
      ? (JSON.parse(sessionStorage.getItem(key) ?? '{}') as { access_token?: string }).access_token
      : undefined;
  });
}

describe.runIf(browserTestsRunnable())('a long session in the dev shell', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack();
    browser = await launchChromium();
  }, TIMEOUTS.longTest);
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
  });

  it(
    'renews the access token silently before it expires, and the Key Chain goes on with the new one',
    async () => {
      const page = await (await newContext(browser)).newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await signIn(page, stack.endpoints.shell ?? '', 'alice');
      await page.getByText('OpenKCM is not enabled in this workspace').waitFor({ timeout: TIMEOUTS.page });
      const first = await currentToken(page);
      expect(first).toBeTruthy();
      await expect.poll(() => currentToken(page), { timeout: 45_000, interval: 1_000 }).not.toBe(first);
      expect(page.url()).not.toContain('/callback');

      // The remote asks the host for the token at each call: the renewed one works at once.
      await page.getByRole('treeitem', { name: 'Workspace Settings' }).click();
      await page.getByRole('switch', { name: 'Enable OpenKCM (Key Chain Manager)' }).click();
      await page
        .getByTestId('settings-tenant-phase')
        .filter({ hasText: 'Active' })
        .waitFor({ timeout: TIMEOUTS.page });
      await page.getByRole('treeitem', { name: 'Key Chain' }).click();
      await openTab(page, 'Accounts');
      await page.getByText('No Accounts yet').waitFor({ timeout: TIMEOUTS.page });
      expect(problems).toEqual([]);
    },
    TIMEOUTS.longTest,
  );
});
