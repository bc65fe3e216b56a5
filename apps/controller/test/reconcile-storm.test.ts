import {
  ready,
  startTestStack,
  type TestStack,
  TIMEOUTS,
  threeWorkspaces,
  type Workspace,
} from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const WINDOW_MS = 60_000;

/** Reconciles per kind, from the controller's own metrics. */
async function reconciles(stack: TestStack, kind: string): Promise<number> {
  const controller = stack.processes.find((running) => running.name === 'controller');
  const text = await (await fetch(`${controller?.url}/metrics`)).text();
  return [
    ...text.matchAll(
      new RegExp(`openkcm_controller_reconcile_total\\{kind="${kind}",result="\\w+"\\} (\\d+)`, 'g'),
    ),
  ]
    .map((match) => Number(match[1]))
    .reduce((sum, value) => sum + value, 0);
}

/**
 * An Account whose L1 key does not exist is a tenant's mistake, not an emergency: it is checked
 * again with backoff, and its status writes do not feed the next reconcile (issue: 19 writes a
 * second, forever, for each such Account).
 */
describe('broken Accounts in several workspaces', () => {
  let stack: TestStack;
  let workspaces: Workspace[];

  beforeAll(async () => {
    stack = await startTestStack();
    workspaces = threeWorkspaces(stack);
    for (const workspace of workspaces) await workspace.enableOpenKcm();
  }, TIMEOUTS.processStart);
  afterAll(async () => {
    await stack?.dispose();
  });

  it(
    'keeps status writes and CMK calls bounded for 60 s, while another tenant still gets its Account Ready',
    async () => {
      const writes = new Map<string, number>();
      const stops = await Promise.all(
        workspaces.map((workspace) =>
          workspace.watch('accounts', (type, account) => {
            if (type === 'MODIFIED' && account.metadata.name === 'broken')
              writes.set(workspace.path, (writes.get(workspace.path) ?? 0) + 1);
          }),
        ),
      );
      try {
        for (const workspace of workspaces)
          await workspace.create('accounts', 'Account', 'broken', {
            providerType: 'Local',
            keyReference: 'missing',
          });
        await Promise.all(
          workspaces.map((workspace) =>
            workspace.waitFor(
              'accounts',
              'broken',
              (resource) => ready(resource)?.reason === 'L1KeyNotUsable',
              'the broken Account to say why',
            ),
          ),
        );
        const before = await reconciles(stack, 'Account');
        const started = Date.now();

        // Meanwhile another organisation's Account goes Ready as usual.
        const globex = workspaces[2] as Workspace;
        await globex.create('accounts', 'Account', 'healthy', {
          providerType: 'Local',
          keyReference: 'globex-root',
        });
        await globex.waitFor(
          'accounts',
          'healthy',
          (resource) => ready(resource)?.status === 'True',
          'the healthy Account to be Ready',
        );

        await new Promise((resolve) => setTimeout(resolve, Math.max(0, WINDOW_MS - (Date.now() - started))));
        const during = (await reconciles(stack, 'Account')) - before;
        // Backoff doubling from 200 ms reaches the one-minute check in about ten steps.
        expect(during).toBeLessThanOrEqual(3 * 15 + 10);
        for (const workspace of workspaces) expect(writes.get(workspace.path) ?? 0).toBeLessThanOrEqual(20);
        for (const workspace of workspaces)
          expect(ready(await workspace.get('accounts', 'broken'))?.message).toContain('not found');
      } finally {
        for (const stop of stops) stop();
      }
    },
    TIMEOUTS.longTest,
  );
});
