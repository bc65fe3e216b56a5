import { hostileBody, hostileSegment } from '@openkcm/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessControlPlane, startInProcess } from './support.js';

const ACME = '/clusters/root:orgs:acme/api/v1/namespaces/default/configmaps';
const GLOBEX = '/clusters/root:orgs:globex/api/v1/namespaces/default/configmaps';

const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/**
 * A tenant's own patch must never reach another tenant. The control plane runs in this process,
 * so a polluted Object.prototype would show here as it would to every other workspace.
 */
describe('hostile patches and bodies against the control plane', () => {
  let plane: InProcessControlPlane;

  beforeAll(async () => {
    plane = await startInProcess();
    for (const [parent, name] of [
      ['root', 'orgs'],
      ['root:orgs', 'acme'],
      ['root:orgs', 'globex'],
    ] as const)
      await plane.request('POST', `/clusters/${parent}/apis/tenancy.kcp.io/v1alpha1/workspaces`, {
        metadata: { name },
      });
    for (const path of [ACME, GLOBEX])
      await plane.request('POST', path, { metadata: { name: 'settings' }, data: { colour: 'blue' } });
  });
  afterAll(async () => {
    await plane.close();
  });

  const attacks: Array<[string, string, string]> = [
    [
      'JSON patch add through __proto__',
      'application/json-patch+json',
      JSON.stringify([{ op: 'add', path: '/metadata/__proto__/displayName', value: 'pwned' }]),
    ],
    [
      'JSON patch add through constructor/prototype',
      'application/json-patch+json',
      JSON.stringify([{ op: 'add', path: '/metadata/constructor/prototype/displayName', value: 'pwned' }]),
    ],
    [
      'JSON patch copy into __proto__',
      'application/json-patch+json',
      JSON.stringify([{ op: 'copy', from: '/data', path: '/data/__proto__' }]),
    ],
    ...Object.entries(PATCH_TYPES).map(
      ([kind, type]) =>
        [
          `${kind} patch with a __proto__ key`,
          type,
          '{"metadata":{"__proto__":{"displayName":"pwned"}},"data":{"__proto__":{"x":"y"}}}',
        ] as [string, string, string],
    ),
    [
      'merge patch with constructor.prototype',
      PATCH_TYPES.merge,
      '{"metadata":{"constructor":{"prototype":{"displayName":"pwned"}}}}',
    ],
  ];

  it.each(attacks)('refuses a %s and leaves every other workspace unchanged', async (_name, type, body) => {
    const response = await plane.request('PATCH', `${ACME}/settings`, body, { 'Content-Type': type });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body).toMatchObject({ kind: 'Status', status: 'Failure' });
    expect(Object.hasOwn(Object.prototype, 'displayName')).toBe(false);
    expect(({} as Record<string, unknown>).displayName).toBeUndefined();
    // Another tenant's test operation and new objects see nothing injected.
    const probe = await plane.request(
      'PATCH',
      `${GLOBEX}/settings`,
      JSON.stringify([{ op: 'test', path: '/metadata/displayName', value: 'pwned' }]),
      { 'Content-Type': 'application/json-patch+json' },
    );
    expect(probe.status).toBe(422);
    const created = await plane.request('POST', GLOBEX, { metadata: { generateName: 'later-' }, data: {} });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('pwned');
    expect((await plane.request('GET', `${ACME}/settings`)).body.data).toEqual({ colour: 'blue' });
  });

  it('answers broken or unexpected protobuf bodies with a 4xx', async () => {
    const send = (body: Buffer) =>
      fetch(`${plane.url}${GLOBEX}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${plane.token}`,
          'Content-Type': 'application/vnd.kubernetes.protobuf',
        },
        body: new Uint8Array(body),
      });
    const magic = Buffer.from('k8s\0', 'binary');
    // TypeMeta{apiVersion: v1, kind: Pod} in the envelope: not a kind kubectl sends this way.
    const pod = Buffer.concat([
      magic,
      Buffer.from([0x0a, 0x09, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x03, 0x50, 0x6f, 0x64]),
    ]);
    for (const [body, status] of [
      [Buffer.from('not protobuf'), 400],
      [Buffer.concat([magic, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])]), 400],
      [pod, 415],
    ] as const) {
      const response = await send(body);
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ kind: 'Status', code: status });
    }
  });

  it('refuses a body nested 10,000 levels deep with a 400 and keeps serving', async () => {
    const deep = `{"metadata":{"name":"deep"},"data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    for (const [method, path, type] of [
      ['POST', GLOBEX, 'application/json'],
      ['PATCH', `${GLOBEX}/settings`, PATCH_TYPES.merge],
      ['PATCH', `${GLOBEX}/settings`, PATCH_TYPES.apply],
    ] as const) {
      const response = await plane.request(method, path, deep, { 'Content-Type': type });
      expect(response.status).toBe(400);
      expect(String(response.body.message)).toMatch(/nested more than|not valid/);
    }
    expect((await plane.request('GET', `${GLOBEX}/settings`)).status).toBe(200);
  });

  it('never answers 5xx to generated hostile requests on every kind of path, and writes nothing', async () => {
    const everything = async () =>
      JSON.stringify((await plane.request('GET', '/clusters/*/api/v1/configmaps')).body.items);
    const before = await everything();
    const segment = hostileSegment({ minLength: 1, extra: ['settings', '*'] });
    const path = fc
      .record({
        workspace: fc.oneof(fc.constantFrom('root:orgs:acme', 'root:orgs:globex', '*'), segment),
        namespace: fc.oneof(fc.constant('default'), segment),
        resource: fc.oneof(
          fc.constantFrom('configmaps', 'secrets', 'events', 'namespaces', 'leases'),
          segment,
        ),
        name: segment,
      })
      .map(({ workspace, namespace, resource, name }) =>
        resource === 'namespaces'
          ? `/clusters/${workspace}/api/v1/namespaces/${name}`
          : `/clusters/${workspace}/api/v1/namespaces/${namespace}/${resource}/${name}`,
      );
    const body = hostileBody();
    const request = fc.record({
      method: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE'),
      path,
      body,
      type: fc.constantFrom(
        'application/json',
        ...Object.values(PATCH_TYPES),
        'application/json-patch+json',
        'text/plain',
      ),
      query: fc.constantFrom(
        '',
        '?limit=-1',
        '?continue=%%%',
        '?labelSelector=a%20in%20(',
        '?fieldSelector=x',
        '?resourceVersion=abc&watch=false',
        '?dryRun=All',
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path: target, body: text, type, query }) => {
        // Only objects that do not exist are named, so a well-formed request changes nothing either.
        if (target.endsWith('/settings')) return;
        const answer = await plane.request(method, `${target}${query}`, method === 'GET' ? undefined : text, {
          'Content-Type': type,
        });
        expect(answer.status, `${method} ${target}${query}`).toBeLessThan(500);
        if (method !== 'GET') expect(await everything(), `${method} ${target}${query}`).toEqual(before);
      }),
      { numRuns: 300 },
    );
    expect(await everything()).toEqual(before);
    expect(Object.hasOwn(Object.prototype, 'x')).toBe(false);
  });
});
