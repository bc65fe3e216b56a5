import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@openkcm/testkit';
import { type ControlPlaneOptions, type RunningControlPlane, startControlPlane } from '../src/index.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface InProcessControlPlane {
  url: string;
  token: string;
  /** A product service that is not a shard admin: it reaches many workspaces only through a view. */
  providerToken: string;
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A control plane in this process with only the service-account token: for the generic API machinery. */
export async function startInProcess(
  extra: Partial<ControlPlaneOptions> = {},
): Promise<InProcessControlPlane> {
  const dir = await tempDir('openkcm-cp-');
  const tokenFile = join(dir.path, 'secrets', 'admin.token');
  const options: ControlPlaneOptions = {
    storageDir: join(dir.path, 'control-plane'),
    serviceAccounts: [
      { name: 'admin', file: tokenFile },
      { name: 'provider', file: join(dir.path, 'secrets', 'provider.token') },
    ],
    shardAdmins: ['admin'],
    log: () => {},
    ...extra,
  };
  let running: RunningControlPlane = await startControlPlane(options);
  const token = (await readFile(tokenFile, 'utf8')).trim();
  const providerToken = (await readFile(join(dir.path, 'secrets', 'provider.token'), 'utf8')).trim();
  const handle: InProcessControlPlane = {
    url: running.url,
    token,
    providerToken,
    async request(method, path, body, headers = {}) {
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
    },
    async restart() {
      const port = new URL(running.url).port;
      await running.close();
      running = await startControlPlane({ ...options, port: Number(port) });
    },
    async close() {
      await running.close();
      await dir.remove();
    },
  };
  return handle;
}

/** A small CRD for exercising generic behaviour apart from the product's kinds. */
export const WIDGET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.openkcm.io' },
  spec: {
    group: 'example.openkcm.io',
    scope: 'Namespaced',
    names: {
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      listKind: 'WidgetList',
      shortNames: ['wd'],
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1, maximum: 10 },
                  color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
                },
              },
              status: {
                type: 'object',
                properties: {
                  conditions: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['type', 'status'],
                      properties: { type: { type: 'string' }, status: { type: 'string' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

export const WIDGETS = '/clusters/root/apis/example.openkcm.io/v1/namespaces/default/widgets';

export async function installWidgets(plane: InProcessControlPlane): Promise<void> {
  const created = await plane.request(
    'POST',
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    WIDGET_CRD,
  );
  if (created.status !== 201) throw new Error(`CRD not created: ${JSON.stringify(created.body)}`);
}
