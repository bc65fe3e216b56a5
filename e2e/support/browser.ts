import { existsSync } from 'node:fs';
import { TIMEOUTS } from '@openkcm/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: Playwright cannot download browsers here, and CI installs the same package. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Locally, without Chromium the browser tests skip and say why; in CI (CI=true) they run and fail,
 * so a missing install step cannot pass unnoticed.
 */
export function browserTestsRunnable(): boolean {
  if (existsSync(CHROMIUM) || process.env.CI) return true;
  process.stderr.write(
    `[e2e] skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)\n`,
  );
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Signs in through the dev IdP's login page, as a person would, and waits for the shell. */
export async function signIn(page: Page, shellUrl: string, user: string, path = '/'): Promise<void> {
  await page.goto(`${shellUrl}${path}`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === shellUrl && !url.pathname.startsWith('/callback'), {
    timeout: TIMEOUTS.page,
  });
}

export async function newContext(
  browser: Browser,
  theme: 'light' | 'dark' = 'light',
): Promise<BrowserContext> {
  return browser.newContext({ colorScheme: theme, viewport: { width: 1440, height: 900 }, locale: 'en-US' });
}
