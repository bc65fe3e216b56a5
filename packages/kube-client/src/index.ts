import { KubeConfig } from '@kubernetes/client-node';
import { requestJson } from '@openkcm/pki';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    /** RFC 3339, as the API server writes it. */
    creationTimestamp?: string;
    // A string on the wire; only its presence matters here.
    deletionTimestamp?: Date;
    finalizers?: string[];
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** A failed call, with the API server's own Status (reason, causes) kept for the caller to report. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly upstream: { reason?: string; message?: string; details?: unknown } = {},
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/** Access to the Kubernetes API with kcp-style workspace paths, as whoever's token it is given (the controller's, or a user's through the BFF). */
export class KubeClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly ca: string | undefined,
    /** Sent with every call, e.g. the caller's X-Request-ID so logs can be joined upstream. */
    private readonly headers: Record<string, string> = {},
  ) {}

  /** For informers over every workspace: paths start with /clusters/<path or *>. */
  kubeConfig(): KubeConfig {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [
        {
          name: 'control-plane',
          server: this.baseUrl,
          ...(this.ca ? { caData: Buffer.from(this.ca).toString('base64') } : {}),
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'openkcm-controller', token: this.token }],
      contexts: [{ name: 'controller', cluster: 'control-plane', user: 'openkcm-controller' }],
      currentContext: 'controller',
    });
    return config;
  }

  async request<T = KubeObject>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const response = await requestJson(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...this.headers,
        Authorization: `Bearer ${this.token}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': contentType }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(this.ca ? { ca: this.ca } : {}),
      timeoutMs: 15_000,
    });
    if (response.status >= 300) {
      const message =
        typeof response.body === 'object' && response.body !== null
          ? String(Reflect.get(response.body, 'message') ?? '')
          : String(response.body);
      const upstream =
        typeof response.body === 'object' && response.body !== null
          ? (response.body as { reason?: string; message?: string; details?: unknown })
          : {};
      throw new KubeError(response.status, `${method} ${path}: ${response.status} ${message}`, upstream);
    }
    return response.body as T;
  }

  get(path: string): Promise<KubeObject> {
    return this.request('GET', path);
  }

  mergePatch(path: string, patch: unknown): Promise<KubeObject> {
    return this.request('PATCH', path, patch, 'application/merge-patch+json');
  }
}

export function keychainPath(cluster: string, namespace: string, plural: string, name?: string): string {
  return `/clusters/${cluster}/apis/keychain.openkcm.io/v1alpha1/namespaces/${namespace}/${plural}${name ? `/${name}` : ''}`;
}

export { ClusterInformer, clusterOf, type InformerHandler } from './informer.js';
export {
  type EndpointSliceRef,
  parseEndpointSliceRef,
  resolveVirtualWorkspace,
} from './virtual-workspace.js';
