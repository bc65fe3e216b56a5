import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiExport, apiExportEndpointSlice, EXPORT_WORKSPACE } from '@openkcm/api';
import { requestJson } from '@openkcm/pki';
import { parse } from 'yaml';
import { SEED_WORKSPACES } from './demo-users.js';

export interface ApiClient {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/** A client of the control plane that trusts its CA, with a bearer token. */
export function controlPlaneClient(baseUrl: string, token: string, ca: string): ApiClient {
  return {
    async request(method, path, body) {
      const response = await requestJson(`${baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        ca,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: response.body };
    },
  };
}

function describe(result: { status: number; body: unknown }): string {
  const message =
    typeof result.body === 'object' && result.body !== null ? Reflect.get(result.body, 'message') : undefined;
  return `${result.status}${typeof message === 'string' ? `: ${message}` : ''}`;
}

/** Creates the object unless it exists; an existing object is left as it is. */
export async function ensure(
  client: ApiClient,
  collection: string,
  object: { metadata: { name: string } },
): Promise<void> {
  const existing = await client.request('GET', `${collection}/${object.metadata.name}`);
  if (existing.status === 200) return;
  const created = await client.request('POST', collection, object);
  if (created.status !== 201 && created.status !== 409) {
    throw new Error(`could not create ${collection}/${object.metadata.name}: ${describe(created)}`);
  }
}

/** Installs or updates the CRDs from deploy/crds, as `kubectl apply -f deploy/crds` would. */
export async function applyCrds(client: ApiClient, crdDir: string): Promise<void> {
  const collection = '/clusters/root/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (const file of (await readdir(crdDir)).filter((name) => name.endsWith('.yaml')).sort()) {
    const crd = parse(await readFile(join(crdDir, file), 'utf8')) as {
      metadata: { name: string; resourceVersion?: string };
      spec: unknown;
    };
    const existing = await client.request('GET', `${collection}/${crd.metadata.name}`);
    if (existing.status === 404) {
      const created = await client.request('POST', collection, crd);
      if (created.status !== 201) throw new Error(`could not install ${file}: ${describe(created)}`);
      continue;
    }
    const current = existing.body as { metadata: { resourceVersion: string } };
    const updated = await client.request('PUT', `${collection}/${crd.metadata.name}`, {
      ...crd,
      metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion },
    });
    if (updated.status !== 200) throw new Error(`could not update ${file}: ${describe(updated)}`);
  }
}

/**
 * The provider's side of Platform Mesh: the workspace holding the APIExport and its endpoint
 * slice, whose status carries the virtual-workspace URL the controller watches through.
 */
export async function seedProvider(client: ApiClient): Promise<void> {
  await seedWorkspaces(client, [EXPORT_WORKSPACE]);
  const apis = `/clusters/${EXPORT_WORKSPACE}/apis/apis.kcp.io/v1alpha1`;
  await ensure(client, `${apis}/apiexports`, apiExport());
  await ensure(client, `${apis}/apiexportendpointslices`, apiExportEndpointSlice());
}

export async function seedWorkspaces(
  client: ApiClient,
  paths: readonly string[] = SEED_WORKSPACES,
): Promise<void> {
  for (const path of paths) {
    const separator = path.lastIndexOf(':');
    const parent = path.slice(0, separator);
    const name = path.slice(separator + 1);
    await ensure(client, `/clusters/${parent}/apis/tenancy.kcp.io/v1alpha1/workspaces`, {
      apiVersion: 'tenancy.kcp.io/v1alpha1',
      kind: 'Workspace',
      metadata: { name },
    } as { metadata: { name: string } });
  }
}
