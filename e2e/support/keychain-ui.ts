import { TIMEOUTS } from '@openkcm/testkit';
import type { FrameLocator, Locator, Page } from 'playwright-core';

/** The Key Chain inside the dev shell (a Page) or inside a Luigi iframe (a FrameLocator). */
export type Root = Page | FrameLocator;

const LONG = { timeout: TIMEOUTS.page };

/** UI5 inputs render their <input> in a shadow root; Playwright's CSS pierces it. */
export async function type(root: Root, id: string, text: string): Promise<void> {
  const input = root.locator(`#${id} input`);
  await input.fill('');
  await input.pressSequentially(text);
}

export async function chooseOption(root: Root, select: Locator, option: string): Promise<void> {
  await select.click();
  await root.getByRole('option', { name: option }).first().click();
}

/**
 * An open UI5 dialog by its accessible name. Its buttons are slotted into the element's light DOM,
 * outside the inner element that carries role="dialog", so the host element is the scope.
 */
export function dialog(root: Root, name: string): Locator {
  return root.locator(`ui5-dialog[open][accessible-name="${name}"]`);
}

export async function openTab(root: Root, name: 'Overview' | 'Accounts' | 'Service keys' | 'Topology') {
  await root.getByRole('tab', { name }).click();
}

export function accountRow(root: Root, name: string): Locator {
  return root.locator(`[data-account="${name}"]`);
}

export function keyRow(root: Root, name: string): Locator {
  return root.locator(`[data-key="${name}"]`);
}

/** Opens the Account wizard and steps to its key reference page, as a person would, step by step. */
export async function openAccountWizardAtKey(root: Root): Promise<Locator> {
  await openTab(root, 'Accounts');
  await root.getByRole('button', { name: 'Create Account' }).first().click();
  const wizard = dialog(root, 'Create Account');
  await wizard.getByRole('button', { name: 'Next' }).click();
  await root.locator('#account-region input, #account-region-none').first().waitFor();
  await wizard.getByRole('button', { name: 'Next' }).click();
  await root.locator('#account-key-reference input').waitFor();
  return wizard;
}

export async function createAccount(root: Root, name: string, keyReference: string): Promise<void> {
  const wizard = await openAccountWizardAtKey(root);
  await type(root, 'account-key-reference', keyReference);
  await type(root, 'account-name', name);
  await wizard.getByRole('button', { name: 'Next' }).click();
  await wizard.getByRole('button', { name: 'Create Account' }).click();
  await wizard.waitFor({ state: 'hidden' });
  await accountRow(root, name).locator('[data-phase="Ready"]').waitFor(LONG);
}

/** Fills the key wizard with a name, reviews it and presses Create key; the wizard stays open if the BFF refuses. */
async function submitKeyWizard(root: Root, name: string, allowedWorkloads: string[] = []): Promise<Locator> {
  await openTab(root, 'Service keys');
  await root.getByRole('button', { name: 'Create service key' }).first().click();
  const wizard = dialog(root, 'Create service key');
  await wizard.getByRole('button', { name: 'Next' }).click();
  await root.locator('#key-name input').waitFor();
  await type(root, 'key-name', name);
  if (allowedWorkloads.length > 0) await type(root, 'key-allowed-workloads', allowedWorkloads.join(', '));
  // The review step shows what will be created before Create key is offered.
  await wizard.getByRole('button', { name: 'Next' }).click();
  await wizard.getByRole('button', { name: 'Create key' }).click();
  return wizard;
}

export async function createKey(root: Root, name: string, allowedWorkloads: string[] = []): Promise<void> {
  const wizard = await submitKeyWizard(root, name, allowedWorkloads);
  await wizard.waitFor({ state: 'hidden' });
  await keyRow(root, name).locator('[data-phase="Active"]').waitFor(LONG);
}

export async function currentVersion(root: Root, key: string): Promise<string> {
  return (await keyRow(root, key).getByTestId('current-version').textContent())?.trim() ?? '';
}

export async function waitForVersion(root: Root, key: string, version: string): Promise<void> {
  await keyRow(root, key).getByTestId('current-version').filter({ hasText: version }).waitFor(LONG);
}

export async function confirm(root: Root, title: string, button: string): Promise<void> {
  const box = dialog(root, title);
  await box.getByRole('button', { name: button, exact: true }).click();
  await box.waitFor({ state: 'hidden' });
}
