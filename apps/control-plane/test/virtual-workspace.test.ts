import { eventually, TIMEOUTS } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessControlPlane, installWidgets, startInProcess } from './support.js';

const APIS = 'apis.kcp.io/v1alpha1';
const EXPORT = { path: 'root:provider', name: 'widgets.example.openkcm.io' };
const widgetsIn = (cluster: string) =>
  `/clusters/${cluster}/apis/example.openkcm.io/v1/namespaces/default/widgets`;
const secretsIn = (cluster: string) => `/clusters/${cluster}/api/v1/namespaces/default/secrets`;

interface Listed {
  items: Array<{ metadata: { name: string; annotations?: Record<string, string> } }>;
}

/**
 * kcp's APIExport virtual workspace: a provider sees only the workspaces that bound its export,
 * only the exported resources and the claims each binding accepted, and workspaces come and go
 * in its watches as bindings do.
 */
describe('the APIExport virtual workspace', () => {
  let plane: InProcessControlPlane;
  let view = '';
  const asProvider = (method: string, path: string, body?: unknown) =>
    plane.request(method, path, body, {
      Authorization: `Bearer ${plane.providerToken}`,
      ...(method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {}),
    });
  const bind = (cluster: string, claims: string[], name = 'widgets') =>
    plane.request('POST', `/clusters/${cluster}/apis/${APIS}/apibindings`, {
      apiVersion: APIS,
      kind: 'APIBinding',
      metadata: { name },
      spec: {
        reference: { export: EXPORT },
        permissionClaims: claims.map((resource) => ({ group: '', resource, all: true, state: 'Accepted' })),
      },
    });
  const namesIn = (listed: Listed) =>
    listed.items
      .map((item) => `${item.metadata.annotations?.['kcp.io/cluster']}/${item.metadata.name}`)
      .sort();

  beforeAll(async () => {
    plane = await startInProcess();
    await installWidgets(plane);
    for (const [parent, name] of [
      ['root', 'provider'],
      ['root', 'orgs'],
      ['root:orgs', 'acme'],
      ['root:orgs', 'globex'],
      ['root:orgs', 'idle'],
    ]) {
      const created = await plane.request(
        'POST',
        `/clusters/${parent}/apis/tenancy.kcp.io/v1alpha1/workspaces`,
        {
          apiVersion: 'tenancy.kcp.io/v1alpha1',
          kind: 'Workspace',
          metadata: { name },
        },
      );
      expect(created.status).toBe(201);
    }
    const exported = await plane.request('POST', `/clusters/${EXPORT.path}/apis/${APIS}/apiexports`, {
      apiVersion: APIS,
      kind: 'APIExport',
      metadata: { name: EXPORT.name },
      spec: {
        latestResourceSchemas: [`v1.widgets.example.openkcm.io`],
        permissionClaims: [{ group: '', resource: 'secrets', all: true }],
      },
    });
    expect(exported.status).toBe(201);
    const slice = await plane.request(
      'POST',
      `/clusters/${EXPORT.path}/apis/${APIS}/apiexportendpointslices`,
      {
        apiVersion: APIS,
        kind: 'APIExportEndpointSlice',
        metadata: { name: EXPORT.name },
        spec: { export: EXPORT },
      },
    );
    const endpoints = (slice.body.status as { endpoints: Array<{ url: string }> }).endpoints;
    expect(endpoints[0]?.url).toBe(`${plane.url}/services/apiexport/${EXPORT.path}/${EXPORT.name}`);
    view = `/services/apiexport/${EXPORT.path}/${EXPORT.name}`;

    expect((await bind('root:orgs:acme', ['secrets'])).body.status).toMatchObject({ phase: 'Bound' });
    expect((await bind('root:orgs:globex', [])).body.status).toMatchObject({ phase: 'Bound' });
    // The same names everywhere: only the bindings tell the workspaces apart.
    for (const cluster of ['root:orgs:acme', 'root:orgs:globex', 'root:orgs:idle']) {
      await plane.request('POST', widgetsIn(cluster), {
        apiVersion: 'example.openkcm.io/v1',
        kind: 'Widget',
        metadata: { name: 'same' },
        spec: { size: 1 },
      });
      await plane.request('POST', secretsIn(cluster), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'same' },
        stringData: { value: cluster },
      });
    }
  });
  afterAll(async () => {
    await plane?.close();
  });

  it('reports a binding to an export that does not exist as not bound, saying why', async () => {
    const binding = await plane.request('POST', `/clusters/root:orgs:idle/apis/${APIS}/apibindings`, {
      apiVersion: APIS,
      kind: 'APIBinding',
      metadata: { name: 'typo' },
      spec: { reference: { export: { path: EXPORT.path, name: 'no-such-export' } } },
    });
    expect(binding.body.status).toMatchObject({ phase: 'Binding' });
    expect(JSON.stringify(binding.body.status)).toContain('no-such-export does not exist');
  });

  it('refuses a provider that lists across all workspaces directly, pointing at the view', async () => {
    const direct = await asProvider('GET', widgetsIn('*').replace('/namespaces/default', ''));
    expect(direct.status).toBe(403);
    expect(String(direct.body.message)).toContain('virtual workspace of the APIExport');
  });

  it('lists only the workspaces that bound the export, and claimed resources only where accepted', async () => {
    const widgets = await asProvider('GET', `${view}${widgetsIn('*').replace('/namespaces/default', '')}`);
    expect(widgets.status).toBe(200);
    expect(namesIn(widgets.body as unknown as Listed)).toEqual([
      'root:orgs:acme/same',
      'root:orgs:globex/same',
    ]);
    const secrets = await asProvider('GET', `${view}/clusters/*/api/v1/secrets`);
    expect(namesIn(secrets.body as unknown as Listed)).toEqual(['root:orgs:acme/same']);
    expect((await asProvider('GET', `${view}${secretsIn('root:orgs:globex')}/same`)).status).toBe(404);
    expect((await asProvider('GET', `${view}${widgetsIn('root:orgs:idle')}/same`)).status).toBe(404);
    // What the export does not offer is not there at all.
    expect((await asProvider('GET', `${view}/clusters/*/api/v1/configmaps`)).status).toBe(404);
    const bindings = await asProvider('GET', `${view}/clusters/*/apis/${APIS}/apibindings`);
    expect(namesIn(bindings.body as unknown as Listed)).toEqual([
      'root:orgs:acme/widgets',
      'root:orgs:globex/widgets',
    ]);
    expect(
      (await asProvider('DELETE', `${view}/clusters/root:orgs:acme/apis/${APIS}/apibindings/widgets`)).status,
    ).toBe(405);
  });

  it('writes through the view in a bound workspace', async () => {
    const patched = await asProvider('PATCH', `${view}${widgetsIn('root:orgs:acme')}/same/status`, {
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(patched.status).toBe(200);
    expect(
      (await asProvider('PATCH', `${view}${widgetsIn('root:orgs:idle')}/same/status`, { status: {} })).status,
    ).toBe(404);
  });

  it('adds a workspace to a running watch when it binds, and removes it when it unbinds', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const response = await fetch(
      `${plane.url}${view}/clusters/*/apis/example.openkcm.io/v1/widgets?watch=true`,
      {
        headers: { Authorization: `Bearer ${plane.providerToken}` },
        signal: controller.signal,
      },
    );
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const event = JSON.parse(buffered.slice(0, newline)) as {
            type: string;
            object: { metadata: { name: string; annotations?: Record<string, string> } };
          };
          events.push(`${event.type} ${event.object.metadata.annotations?.['kcp.io/cluster']}`);
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
      }
    })().catch(() => undefined);
    try {
      await eventually(() => events.length === 2, TIMEOUTS.converge, 'the initial ADDED events');
      expect(events.sort()).toEqual(['ADDED root:orgs:acme', 'ADDED root:orgs:globex']);
      await bind('root:orgs:idle', []);
      await eventually(
        () => events.includes('ADDED root:orgs:idle'),
        TIMEOUTS.converge,
        'idle to join the view',
      );
      await plane.request('DELETE', `/clusters/root:orgs:globex/apis/${APIS}/apibindings/widgets`);
      await eventually(
        () => events.includes('DELETED root:orgs:globex'),
        TIMEOUTS.converge,
        'globex to leave',
      );
      // Changes in a workspace that left are no longer seen.
      await plane.request(
        'PATCH',
        `${widgetsIn('root:orgs:globex')}/same`,
        { spec: { size: 2 } },
        {
          'Content-Type': 'application/merge-patch+json',
        },
      );
      await plane.request(
        'PATCH',
        `${widgetsIn('root:orgs:idle')}/same`,
        { spec: { size: 2 } },
        {
          'Content-Type': 'application/merge-patch+json',
        },
      );
      await eventually(
        () => events.includes('MODIFIED root:orgs:idle'),
        TIMEOUTS.converge,
        'idle to be watched',
      );
      expect(events.filter((event) => event.endsWith('root:orgs:globex'))).toEqual([
        'ADDED root:orgs:globex',
        'DELETED root:orgs:globex',
      ]);
    } finally {
      controller.abort();
      await reading;
    }
  });
});
