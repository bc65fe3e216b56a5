import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: Playwright cannot download browsers here, and CI installs the same package. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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
    timeout: 30_000,
  });
}

export async function newContext(
  browser: Browser,
  theme: 'light' | 'dark' = 'light',
): Promise<BrowserContext> {
  return browser.newContext({ colorScheme: theme, viewport: { width: 1440, height: 900 }, locale: 'en-US' });
}
