// What the browser pays for the Key Chain, against the real product in headless Chromium. Prints
// its figures and one BENCH_JSON line, each beside a baseline measured in the same run.
//   pnpm run bench:web              5 cold loads; topology with 100 Accounts / 2,000 keys; a key
//                                   with 1,000 versions; an audit trail of 10,000 entries
//   pnpm run bench:web -- --quick   1 cold load; 10 Accounts / 100 keys; 20 versions; 200 entries
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@openkcm/local-stack';
import { eventually, seedKeychain, startTestStack } from '@openkcm/testkit';
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium, newContext, signIn } from '../support/browser.js';
import { openTab } from '../support/keychain-ui.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { quick: { type: 'boolean', default: false } },
});
const quick = values.quick;
const sizes = {
  loads: quick ? 1 : 5,
  accounts: quick ? 10 : 100,
  keys: quick ? 100 : 2_000,
  versions: quick ? 20 : 1_000,
  auditEntries: quick ? 200 : 10_000,
};
const WORKSPACE = 'root:orgs:acme';
/** The existing OpenKCM Platform Mesh page (React + UI5, one bundle), as the issue measured it. */
const REFERENCE = { javascriptKiB: 319, dataVisibleMs: 500 };

const results: Record<string, unknown> = { quick, ...sizes };
function report(line: string, key: string, value: unknown): void {
  process.stdout.write(`${line}\n`);
  results[key] = value;
}
const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;
const kib = (bytes: number) => Math.round(bytes / 102.4) / 10;

/** Chunks named after the shared packages they hold (React, the UI kit and the UI5 inside it). */
const SHARED_CHUNK = /react|ui5|ui-kit|sap-theming/;

/** Which chunks hold shared singletons: the apps' Module Federation manifests list them. */
async function sharedChunks(): Promise<Set<string>> {
  const files = new Set<string>();
  for (const app of ['mfe', 'shell']) {
    const manifest = JSON.parse(
      await readFile(join(REPO_ROOT, 'apps', app, 'dist', 'mf-manifest.json'), 'utf8'),
    ) as {
      shared: Array<{ assets: { js: { sync: string[]; async: string[] } } }>;
    };
    for (const shared of manifest.shared)
      for (const file of [...shared.assets.js.sync, ...shared.assets.js.async]) files.add(file);
  }
  return files;
}

/** Bytes on the wire (compressed) per category, for JS and CSS, until `stop()` is called. */
function countBytes(cdp: CDPSession, origins: { shell: string; mfe: string }, shared: Set<string>) {
  const urls = new Map<string, string>();
  const totals = { host: 0, remote: 0, shared: 0, requests: 0 };
  let counting = true;
  cdp.on('Network.responseReceived', (event) => {
    if (/javascript|css/.test(event.response.mimeType)) urls.set(event.requestId, event.response.url);
  });
  cdp.on('Network.loadingFinished', (event) => {
    const url = urls.get(event.requestId);
    if (!counting || !url) return;
    totals.requests += 1;
    const file = new URL(url).pathname.slice(1);
    if (shared.has(file) || SHARED_CHUNK.test(file)) totals.shared += event.encodedDataLength;
    else if (url.startsWith(origins.mfe)) totals.remote += event.encodedDataLength;
    else if (url.startsWith(origins.shell)) totals.host += event.encodedDataLength;
  });
  return {
    stop() {
      counting = false;
      return { ...totals };
    },
  };
}

/** Milliseconds from moving to a Key Chain link (in the page) until `selector` shows. */
async function timeToShow(page: Page, hash: string, selector: string): Promise<number> {
  const started = await page.evaluate((target) => {
    location.hash = target;
    return performance.now();
  }, hash);
  const shown = await page.waitForFunction(
    (wanted) => (document.querySelector(wanted) ? performance.now() : false),
    selector,
    { polling: 'raf', timeout: 120_000 },
  );
  return Number(await shown.jsonValue()) - started;
}

/** Milliseconds from navigation start until the dashboard shows its figures. */
async function dataVisible(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => (document.querySelector('[data-testid="active-accounts"]') ? performance.now() : false),
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  return Number(await handle.jsonValue());
}

const stack = await startTestStack();
const browser = await launchChromium();
try {
  const token = await stack.tokenFor('alice');
  const bff = (method: string, path: string) =>
    fetch(`${stack.endpoints.bff}/api/v1/workspaces/${WORKSPACE}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
    });
  await bff('PUT', '/openkcm');
  await eventually(
    async () =>
      ((await (await bff('GET', '/openkcm')).json()) as { tenant?: { status?: { phase?: string } } }).tenant
        ?.status?.phase === 'Active',
    30_000,
    'the tenant to be Active',
  );
  // The workspace is loaded straight into the control plane; the controller is stopped so that
  // reconciling 2,000 keys does not compete with the browser for the two CPUs.
  await stack.processes.find((running) => running.name === 'controller')?.stop();
  await seedKeychain(stack, WORKSPACE, sizes);

  // 1. Cold loads of the dashboard: a signed-in user, browser cache emptied before each load.
  const shared = await sharedChunks();
  const origins = { shell: stack.endpoints.shell ?? '', mfe: stack.endpoints.mfe ?? '' };
  const timings: number[] = [];
  const bytes: Array<ReturnType<ReturnType<typeof countBytes>['stop']>> = [];
  for (let load = 0; load < sizes.loads; load++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, origins.shell, 'alice');
    await dataVisible(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache');
    const counter = countBytes(cdp, origins, shared);
    await page.reload({ waitUntil: 'commit' });
    timings.push(await dataVisible(page));
    bytes.push(counter.stop());
    await context.close();
  }
  const apiStarted = performance.now();
  await (await bff('GET', '/overview')).json();
  const overviewApiMs = performance.now() - apiStarted;
  const first = bytes[0] ?? { host: 0, remote: 0, shared: 0, requests: 0 };
  const total = first.host + first.remote + first.shared;
  report(
    `before the dashboard shows data the browser fetches ${kib(total)} KiB of JS+CSS (compressed) in ${first.requests} files: host ${kib(first.host)} KiB, remote ${kib(first.remote)} KiB, shared singletons ${kib(first.shared)} KiB (reference page: ${REFERENCE.javascriptKiB} KiB of JS)`,
    'bytes',
    {
      totalKiB: kib(total),
      hostKiB: kib(first.host),
      remoteKiB: kib(first.remote),
      sharedKiB: kib(first.shared),
      files: first.requests,
      referenceKiB: REFERENCE.javascriptKiB,
    },
  );
  report(
    `dashboard, navigation to data visible: median ${median(timings).toFixed(0)} ms of ${timings.length} cold loads (${timings.map((time) => time.toFixed(0)).join(', ')} ms); the overview API call alone ${overviewApiMs.toFixed(0)} ms; reference page ~${REFERENCE.dataVisibleMs} ms`,
    'dashboard',
    {
      medianMs: Math.round(median(timings)),
      loadsMs: timings.map(Math.round),
      overviewApiMs: Math.round(overviewApiMs),
      referenceMs: REFERENCE.dataVisibleMs,
    },
  );

  // 2. The topology with every Account and key, against fetching its data alone.
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, origins.shell, 'alice');
  await dataVisible(page);
  const topologyApiStarted = performance.now();
  await (await bff('GET', '/topology')).json();
  const topologyApiMs = performance.now() - topologyApiStarted;
  const clickedAt = await page.evaluate(() => performance.now());
  await openTab(page, 'Topology');
  const rendered = await page.waitForFunction(
    (accounts) =>
      document.querySelectorAll('.react-flow__node').length >= accounts ? performance.now() : false,
    sizes.accounts,
    { polling: 'raf', timeout: 120_000 },
  );
  const renderMs = Number(await rendered.jsonValue()) - clickedAt;
  const nodes = await page.locator('.react-flow__node').count();
  const expandAt = await page.evaluate(() => performance.now());
  await page.locator('.react-flow__node.topology-group').first().click();
  const expanded = await page.waitForFunction(
    () => (document.querySelector('.react-flow__node[data-id^="l3:"]') ? performance.now() : false),
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const expandMs = Number(await expanded.jsonValue()) - expandAt;
  await context.close();
  report(
    `topology of ${sizes.accounts} Accounts / ${sizes.keys} keys: drawn ${renderMs.toFixed(0)} ms after the tab is clicked (${nodes} nodes: keys grouped per Account), one group expanded in ${expandMs.toFixed(0)} ms; the topology API call alone ${topologyApiMs.toFixed(0)} ms`,
    'topology',
    {
      renderMs: Math.round(renderMs),
      nodes,
      expandMs: Math.round(expandMs),
      topologyApiMs: Math.round(topologyApiMs),
    },
  );

  // 3. A key with many versions and a long audit trail, made through CMK's API as alice.
  const cmk = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.endpoints.cmk}/api/v1/tenants/${WORKSPACE}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`CMK ${method} ${path}: ${response.status} ${await response.text()}`);
  };
  await cmk('POST', '/accounts', { name: 'history-root', providerType: 'Local', keyReference: 'acme-root' });
  const keysForAudit = ['history', ...Array.from({ length: 9 }, (_, index) => `audit-${index}`)];
  for (const name of keysForAudit) await cmk('POST', '/keys', { name, accountRef: { name: 'history-root' } });
  for (let version = 2; version <= sizes.versions; version++)
    await cmk('POST', '/keys/history/rotate', { requestId: `bench-${version}` });
  // Each policy change is one audit entry; one writer per key, as CMK locks a key while it changes.
  const changes = Math.max(0, sizes.auditEntries - sizes.versions - keysForAudit.length);
  await Promise.all(
    keysForAudit.map(async (name, writer) => {
      for (let change = writer; change < changes; change += keysForAudit.length)
        await cmk('PATCH', `/keys/${name}`, { rotationSchedule: change % 2 ? '30d' : '31d' });
    }),
  );
  await fetch(`${stack.endpoints.bff}/api/v1/workspaces/${WORKSPACE}/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'history', accountRef: { name: 'history-root' } }),
  });
  const pageOf = await (await newContext(browser)).newPage();
  await signIn(pageOf, origins.shell, 'alice');
  await dataVisible(pageOf);
  const keyApiStarted = performance.now();
  await (await bff('GET', '/keys/history')).json();
  const keyApiMs = performance.now() - keyApiStarted;
  const keyPageMs = await timeToShow(pageOf, '#/keys/history', `[data-version="${sizes.versions}"]`);
  const auditApiStarted = performance.now();
  await (await bff('GET', '/audit?limit=50')).json();
  const auditApiMs = performance.now() - auditApiStarted;
  const activityMs = await timeToShow(pageOf, '#/activity', '[data-audit-action]');
  await pageOf.context().close();
  report(
    `object page of a key with ${sizes.versions} versions: data shown ${keyPageMs.toFixed(0)} ms after the link is followed; the key API call alone ${keyApiMs.toFixed(0)} ms`,
    'keyPage',
    { versions: sizes.versions, dataMs: Math.round(keyPageMs), keyApiMs: Math.round(keyApiMs) },
  );
  report(
    `Activity over ${sizes.auditEntries}+ audit entries: first page shown ${activityMs.toFixed(0)} ms after the link is followed; the audit API call alone ${auditApiMs.toFixed(0)} ms`,
    'activity',
    { entries: sizes.auditEntries, firstPageMs: Math.round(activityMs), auditApiMs: Math.round(auditApiMs) },
  );
} finally {
  await browser.close();
  await stack.dispose();
}
process.stdout.write(`BENCH_JSON ${JSON.stringify(results)}\n`);
