import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { openKcmBinding, tenantName } from '@openkcm/api';
import { eventually } from './kubectl.js';
import type { TestStack } from './test-stack.js';
import { TIMEOUTS } from './timeouts.js';

export const GROUP = 'keychain.openkcm.io';
export const VERSION = 'v1alpha1';
export const NS = 'default';

export interface Resource {
  metadata: {
    name: string;
    uid: string;
    resourceVersion: string;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec: Record<string, unknown>;
  status?: {
    phase?: string;
    cmkTenantID?: string;
    currentVersion?: number;
    rotationPeriod?: string;
    lastRotation?: string;
    nextRotation?: string;
    observedRotateRequest?: string;
    rekey?: { state?: string };
    conditions?: Array<{
      type: string;
      status: string;
      reason: string;
      message: string;
      lastTransitionTime?: string;
    }>;
  };
}

export const ready = (resource: Resource | undefined) =>
  resource?.status?.conditions?.find((condition) => condition.type === 'Ready');

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A workspace as a demo user sees it through @kubernetes/client-node, plus CMK's view of it. */
export class Workspace {
  readonly api: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly tenant: string;
  private readonly config: KubeConfig;

  constructor(
    private readonly stack: TestStack,
    readonly user = 'alice',
    readonly path = 'root:orgs:acme',
  ) {
    const config = new KubeConfig();
    config.loadFromFile(stack.kubeconfig);
    config.setCurrentContext(user);
    // The user's context points at its home workspace; any other is the same server under another path.
    config.clusters = config.clusters.map((cluster) =>
      cluster.name === config.getContextObject(user)?.cluster
        ? { ...cluster, server: `${stack.endpoints.controlPlane}/clusters/${path}` }
        : cluster,
    );
    this.api = config.makeApiClient(CustomObjectsApi);
    this.core = config.makeApiClient(CoreV1Api);
    this.tenant = tenantName(path);
    this.config = config;
  }

  /** Every change of a kind in this workspace, as a watch delivers it, until stop() is called. */
  async watch(plural: string, onEvent: (type: string, resource: Resource) => void): Promise<() => void> {
    const controller = await new Watch(this.config).watch(
      `/apis/${GROUP}/${VERSION}/namespaces/${NS}/${plural}`,
      {},
      onEvent,
      () => undefined,
    );
    return () => controller.abort();
  }

  async get(plural: string, name: string): Promise<Resource | undefined> {
    return (await this.api
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural, name })
      .catch(() => undefined)) as Resource | undefined;
  }

  async list(plural: string): Promise<Resource[]> {
    return (
      (await this.api.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural,
      })) as { items: Resource[] }
    ).items;
  }

  create(plural: string, kind: string, name: string, spec: Record<string, unknown>) {
    return this.api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name }, spec },
    });
  }

  patch(plural: string, name: string, body: Record<string, unknown>) {
    return this.api.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: NS, plural, name, body },
      MERGE,
    );
  }

  remove(plural: string, name: string) {
    return this.api.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural,
      name,
    });
  }

  /** A Secret in the workspace's namespace, with these string values. */
  createSecret(name: string, values: Record<string, string>) {
    return this.core.createNamespacedSecret({
      namespace: NS,
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: values },
    });
  }

  rotateNow(name: string, value: string) {
    return this.patch('serviceencryptionkeys', name, {
      metadata: { annotations: { 'keychain.openkcm.io/rotate-now': value } },
    });
  }

  /** Enables OpenKCM in the workspace, as the shell's toggle does. */
  enableOpenKcm() {
    return this.api.createClusterCustomObject({
      group: 'apis.kcp.io',
      version: 'v1alpha1',
      plural: 'apibindings',
      body: openKcmBinding(),
    });
  }

  disableOpenKcm() {
    return this.api.deleteClusterCustomObject({
      group: 'apis.kcp.io',
      version: 'v1alpha1',
      plural: 'apibindings',
      name: 'openkcm',
    });
  }

  async waitFor(
    plural: string,
    name: string,
    check: (resource: Resource | undefined) => boolean,
    what: string,
    intervalMs = 100,
  ): Promise<Resource | undefined> {
    let last: Resource | undefined;
    const matches = async () => {
      last = await this.get(plural, name);
      return check(last);
    };
    await eventually(matches, TIMEOUTS.converge, what, intervalMs).catch((error: Error) => {
      throw new Error(`${error.message}; last status: ${JSON.stringify(last?.status)}`);
    });
    return last;
  }

  /** CMK's own record, read with the same user's token. */
  async cmk(path: string, init: { method?: string; body?: unknown } = {}): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.stack.endpoints.cmk}/api/v1/tenants/${this.path}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${await this.stack.tokenFor(this.user)}`,
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
    return (await response.json()) as Record<string, unknown>;
  }
}

/** Two organisations, three workspaces: acme and its child team-a as alice, globex as mallory. */
export function threeWorkspaces(stack: TestStack): [Workspace, Workspace, Workspace] {
  return [
    new Workspace(stack, 'alice', 'root:orgs:acme'),
    new Workspace(stack, 'alice', 'root:orgs:acme:team-a'),
    new Workspace(stack, 'mallory', 'root:orgs:globex'),
  ];
}
