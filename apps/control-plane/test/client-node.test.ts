import {
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { eventually, startTestStack, type TestStack, TIMEOUTS } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GROUP = 'keychain.openkcm.io';
const VERSION = 'v1alpha1';
const PLURAL = 'serviceencryptionkeys';
const NAMESPACE = 'default';

interface KeyObject extends KubernetesObject {
  spec?: { rotationSchedule?: string; accountRef?: { name: string } };
}

const key = (name: string) => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'ServiceEncryptionKey',
  metadata: { name },
  spec: { accountRef: { name: 'local-root' }, rotationSchedule: '30d' },
});

describe('@kubernetes/client-node against the local control plane', () => {
  let stack: TestStack;
  let config: KubeConfig;
  let api: CustomObjectsApi;
  const scope = { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL };

  beforeAll(async () => {
    stack = await startTestStack();
    config = new KubeConfig();
    config.loadFromFile(stack.kubeconfig);
    config.setCurrentContext('alice');
    api = config.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('creates, reads, lists, patches and deletes with CustomObjectsApi', async () => {
    const created = (await api.createNamespacedCustomObject({ ...scope, body: key('orders') })) as KeyObject;
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.spec?.rotationSchedule).toBe('30d');
    const read = (await api.getNamespacedCustomObject({ ...scope, name: 'orders' })) as KeyObject;
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const list = (await api.listNamespacedCustomObject(scope)) as { items: KeyObject[] };
    expect(list.items.map((item) => item.metadata?.name)).toContain('orders');
    const patched = (await api.patchNamespacedCustomObject(
      { ...scope, name: 'orders', body: { spec: { rotationSchedule: '1h' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as KeyObject;
    expect(patched.spec?.rotationSchedule).toBe('1h');
    expect(patched.metadata?.generation).toBe(2);
    await api.deleteNamespacedCustomObject({ ...scope, name: 'orders' });
    await expect(api.getNamespacedCustomObject({ ...scope, name: 'orders' })).rejects.toMatchObject({
      code: 404,
    });
  });

  it('resumes a Watch from a resourceVersion', async () => {
    const first = (await api.createNamespacedCustomObject({ ...scope, body: key('first') })) as KeyObject;
    await api.createNamespacedCustomObject({ ...scope, body: key('second') });
    await api.createNamespacedCustomObject({ ...scope, body: key('third') });
    const seen: string[] = [];
    const watch = new Watch(config);
    const controller = await watch.watch(
      `/apis/${GROUP}/${VERSION}/namespaces/${NAMESPACE}/${PLURAL}`,
      { resourceVersion: first.metadata?.resourceVersion ?? '', allowWatchBookmarks: true },
      (phase, object: KeyObject) => seen.push(`${phase}:${object.metadata?.name}`),
      () => {},
    );
    await eventually(
      () => seen.filter((event) => event.startsWith('ADDED')).length >= 2,
      TIMEOUTS.converge,
      'the events after the resourceVersion',
    );
    controller.abort();
    // Only what happened after the resourceVersion: the two later objects, never the first one's creation.
    expect(seen.filter((event) => event.startsWith('ADDED'))).toEqual(['ADDED:second', 'ADDED:third']);
  });

  it('keeps an informer in step through add, update and delete', async () => {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${NAMESPACE}/${PLURAL}`;
    const informer = makeInformer<KeyObject>(config, path, () => api.listNamespacedCustomObject(scope));
    const events: string[] = [];
    informer.on('add', (object) => events.push(`add:${object.metadata?.name}`));
    informer.on('update', (object) =>
      events.push(`update:${object.metadata?.name}:${object.spec?.rotationSchedule}`),
    );
    informer.on('delete', (object) => events.push(`delete:${object.metadata?.name}`));
    await informer.start();
    await api.createNamespacedCustomObject({ ...scope, body: key('informed') });
    await eventually(() => events.includes('add:informed'), TIMEOUTS.converge, 'the add');
    await api.patchNamespacedCustomObject(
      { ...scope, name: 'informed', body: { spec: { rotationSchedule: '24h' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(() => events.includes('update:informed:24h'), TIMEOUTS.converge, 'the update');
    await api.deleteNamespacedCustomObject({ ...scope, name: 'informed' });
    await eventually(() => events.includes('delete:informed'), TIMEOUTS.converge, 'the delete');
    expect(informer.get('informed', NAMESPACE)).toBeUndefined();
    await informer.stop();
  });
});
