// `npm run demo`: a narrated walk through the main flow in Chromium, against the real product on
// random ports. Writes a video (walkthrough.avi) and a screenshot per step to a folder it prints.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '@openkcm/local-stack';
import { startTestStack } from '@openkcm/testkit';
import type { Page } from 'playwright-core';
import { launchChromium, signIn } from '../support/browser.js';
import {
  accountRow,
  confirm,
  createAccount,
  createKey,
  dialog,
  keyRow,
  openAccountWizardAtKey,
  openTab,
  type,
  waitForVersion,
} from '../support/keychain-ui.js';
import { mjpegAvi } from './mjpeg-avi.js';

const SIZE = { width: 1280, height: 800 };
const FPS = 8;
const folder = join(REPO_ROOT, 'demo-output', new Date().toISOString().replace(/[:.]/g, '-'));
await mkdir(folder, { recursive: true });

const stack = await startTestStack();
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: SIZE, locale: 'en-US' });
  const page = await context.newPage();

  // Chromium's screencast, sampled at a steady frame rate (it only sends frames when pixels change).
  const cdp = await context.newCDPSession(page);
  const frames: Buffer[] = [];
  let latest: Buffer | undefined;
  cdp.on('Page.screencastFrame', (frame) => {
    latest = Buffer.from(frame.data, 'base64');
    void cdp.send('Page.screencastFrameAck', { sessionId: frame.sessionId }).catch(() => undefined);
  });
  await cdp.send('Page.startScreencast', {
    format: 'jpeg',
    quality: 70,
    maxWidth: SIZE.width,
    maxHeight: SIZE.height,
  });
  const sampler = setInterval(() => latest && frames.push(latest), 1000 / FPS);

  let step = 0;
  const shot = async (title: string, page: Page) => {
    step += 1;
    const file = `${String(step).padStart(2, '0')}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png`;
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(folder, file) });
    process.stdout.write(`  ${step}. ${title}\n`);
  };

  await signIn(page, stack.endpoints.shell ?? '', 'alice');
  await shot('alice signs in to the dev shell', page);
  await page.getByRole('treeitem', { name: 'Workspace Settings' }).click();
  await page.getByRole('switch', { name: 'Enable OpenKCM (Key Chain Manager)' }).click();
  await page.getByTestId('settings-tenant-phase').filter({ hasText: 'Active' }).waitFor({ timeout: 30_000 });
  await shot('OpenKCM enabled, the tenant is Active', page);
  await page.getByRole('treeitem', { name: 'Key Chain' }).click();
  await openAccountWizardAtKey(page);
  await type(page, 'account-key-reference', 'acme-root');
  await type(page, 'account-name', 'acme-root');
  await shot('the Account wizard checks the key reference as it is typed', page);
  await dialog(page, 'Create Account').getByRole('button', { name: 'Cancel' }).click();
  await createAccount(page, 'acme-root', 'acme-root');
  await shot('the Account is Ready: L1 wraps L2', page);
  await createKey(page, 'payments');
  await createKey(page, 'billing');
  await shot('two service keys, version 1 each', page);
  await keyRow(page, 'payments').getByRole('button', { name: 'Rotate now: payments' }).click();
  await waitForVersion(page, 'payments', 'v2');
  await shot('Rotate now: payments moves to v2', page);
  await keyRow(page, 'billing').getByRole('button', { name: 'Disable billing' }).click();
  await confirm(page, 'Disable billing', 'Disable');
  await shot('billing disabled: every decrypt with it now fails', page);
  await openTab(page, 'Topology');
  await page.getByTestId('topology').getByText('L2 Account: acme-root').waitFor();
  await shot('the topology: L1 → L2 → L3', page);
  await openTab(page, 'Accounts');
  await accountRow(page, 'acme-root').getByRole('button', { name: 'Re-key acme-root' }).click();
  await type(page, 'rekey-reference', 'acme-backup');
  await type(page, 'rekey-confirm', 'acme-root');
  await shot('re-keying asks for the Account name', page);
  await dialog(page, 'Re-key Account acme-root').getByRole('button', { name: 'Re-key', exact: true }).click();
  await accountRow(page, 'acme-root').getByText('acme-backup', { exact: true }).waitFor({ timeout: 30_000 });
  await shot('the chain now hangs from the new root key', page);
  await openTab(page, 'Overview');
  await page.getByTestId('theme-toggle').click();
  await shot('the same dashboard in the dark theme', page);

  clearInterval(sampler);
  await cdp.send('Page.stopScreencast');
  await writeFile(join(folder, 'walkthrough.avi'), mjpegAvi(frames, { ...SIZE, fps: FPS }));
  process.stdout.write(
    `\nDemo written to ${folder}\n  walkthrough.avi (${frames.length} frames, ${(frames.length / FPS).toFixed(0)} s) and ${step} screenshots\n`,
  );
} finally {
  await browser.close();
  await stack.dispose();
}
