import { Watch } from '@kubernetes/client-node';
import { type KubeClient, KubeError, type KubeObject } from './index.js';

/** The logical cluster (kcp workspace) an object lives in, from the annotation kcp puts on every object. */
export function clusterOf(object: KubeObject): string {
  return object.metadata.annotations?.['kcp.io/cluster'] ?? '';
}

/** Where an object lives: the same name in two workspaces is two objects. */
function objectKey(cluster: string, namespace: string | undefined, name: string | undefined): string {
  return `${cluster}|${namespace ?? ''}|${name ?? ''}`;
}

export type InformerHandler = (object: KubeObject, previous?: KubeObject) => void;

interface Handlers {
  add: InformerHandler[];
  update: InformerHandler[];
  delete: InformerHandler[];
  /** After every complete list, the first one and each relist: the cache is whole again. */
  synced: Array<() => void>;
}

interface ListResponse {
  metadata?: { resourceVersion?: string };
  items?: KubeObject[];
}

interface WatchEvent {
  type: string;
  object: KubeObject & { code?: number; message?: string };
}

export interface InformerOptions {
  log?: (entry: Record<string, unknown>) => void;
  /** Pause before listing again after a failure; doubles up to 30 s. */
  retryMs?: number;
}

/**
 * A list-and-watch cache over every workspace, as kcp's cluster-aware client-go keeps it: objects
 * are keyed by logical cluster, namespace and name (client-node's ObjectCache keys by namespace and
 * name only, so same-named objects of two workspaces overwrite each other). A relist replaces the
 * cache and reports what disappeared meanwhile; handlers see only a cache that was whole once.
 */
export class ClusterInformer {
  private readonly byKey = new Map<string, KubeObject>();
  private readonly byCluster = new Map<string, Map<string, KubeObject>>();
  private readonly handlers: Handlers = { add: [], update: [], delete: [], synced: [] };
  private readonly watch: Watch;
  private running: Promise<void> | undefined;
  private stopped = false;
  private abortWatch: (() => void) | undefined;
  private wakeRetry: (() => void) | undefined;
  private firstSync: { promise: Promise<void>; resolve: () => void };
  private hasSyncedOnce = false;

  constructor(
    private readonly kube: KubeClient,
    /** A collection path, e.g. /clusters/*\/apis/keychain.openkcm.io/v1alpha1/accounts. */
    readonly path: string,
    private readonly options: InformerOptions = {},
  ) {
    this.watch = new Watch(kube.kubeConfig());
    let resolve = () => {};
    const promise = new Promise<void>((done) => {
      resolve = done;
    });
    this.firstSync = { promise, resolve };
  }

  on(event: 'add' | 'update' | 'delete', handler: InformerHandler): void;
  on(event: 'synced', handler: () => void): void;
  on(event: keyof Handlers, handler: InformerHandler | (() => void)): void {
    (this.handlers[event] as Array<typeof handler>).push(handler);
  }

  /** True once a complete list has been cached; it stays true while later watches catch up. */
  get synced(): boolean {
    return this.hasSyncedOnce;
  }

  /** Every cached object, or those of one workspace. */
  list(cluster?: string): KubeObject[] {
    if (cluster === undefined) return [...this.byKey.values()];
    return [...(this.byCluster.get(cluster)?.values() ?? [])];
  }

  get(cluster: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byKey.get(objectKey(cluster, namespace, name));
  }

  clusters(): string[] {
    return [...this.byCluster.keys()];
  }

  /** Starts listing and watching in the background; resolves after the first complete list. */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.firstSync.promise;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortWatch?.();
    this.wakeRetry?.();
    this.firstSync.resolve();
    await this.running;
  }

  private async run(): Promise<void> {
    let retryMs = this.options.retryMs ?? 1000;
    while (!this.stopped) {
      try {
        let resourceVersion = await this.relist();
        retryMs = this.options.retryMs ?? 1000;
        // Watch from the list's version until the history is gone (410), then list again.
        while (!this.stopped) {
          const next = await this.watchFrom(resourceVersion);
          if (next === undefined) break;
          resourceVersion = next;
        }
      } catch (error) {
        if (this.stopped) return;
        this.options.log?.({
          level: 'warn',
          msg: 'listing failed; trying again',
          path: this.path,
          retryInMs: retryMs,
          error: (error as Error).message,
        });
        await new Promise<void>((resolve) => {
          this.wakeRetry = resolve;
          setTimeout(resolve, retryMs).unref();
        });
        retryMs = Math.min(30_000, retryMs * 2);
      }
    }
  }

  /** Lists everything and makes the cache exactly that, telling handlers what changed. */
  private async relist(): Promise<string> {
    const list = await this.kube.request<ListResponse>('GET', this.path);
    const items = Array.isArray(list.items) ? list.items : [];
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(this.keyOf(item));
      this.upsert(item);
    }
    for (const [key, object] of [...this.byKey]) if (!seen.has(key)) this.remove(object);
    this.hasSyncedOnce = true;
    this.firstSync.resolve();
    for (const handler of this.handlers.synced) handler();
    return list.metadata?.resourceVersion ?? '';
  }

  /**
   * One watch connection. Resolves with the version to continue from when the server closes it,
   * or undefined when the version is too old and the caller must list again.
   */
  private watchFrom(resourceVersion: string): Promise<string | undefined> {
    let latest = resourceVersion;
    let expired = false;
    return new Promise<string | undefined>((resolve, reject) => {
      const done = (error: unknown) => {
        this.abortWatch = undefined;
        const status = (error as { statusCode?: number } | null)?.statusCode;
        if (expired || status === 410) resolve(undefined);
        else if (error && !this.stopped) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(latest);
      };
      this.watch
        .watch(
          this.path,
          {
            resourceVersion,
            allowWatchBookmarks: true,
            // Like client-go: reconnect every five to ten minutes so no connection lives forever.
            timeoutSeconds: 300 + Math.floor(Math.random() * 300),
          },
          (type: string, object: WatchEvent['object']) => {
            if (type === 'ERROR') {
              if (object.code === 410) expired = true;
              else reject(new KubeError(object.code ?? 500, object.message ?? 'watch error'));
              this.abortWatch?.();
              return;
            }
            if (object?.metadata?.resourceVersion) latest = object.metadata.resourceVersion;
            if (type === 'ADDED' || type === 'MODIFIED') this.upsert(object);
            else if (type === 'DELETED') this.remove(object);
          },
          done,
        )
        .then((controller) => {
          if (this.stopped) controller.abort();
          else this.abortWatch = () => controller.abort();
        }, reject);
    });
  }

  private keyOf(object: KubeObject): string {
    return objectKey(clusterOf(object), object.metadata.namespace, object.metadata.name);
  }

  private upsert(object: KubeObject): void {
    const key = this.keyOf(object);
    const previous = this.byKey.get(key);
    if (previous && previous.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.byKey.set(key, object);
    const cluster = clusterOf(object);
    const inCluster = this.byCluster.get(cluster) ?? new Map<string, KubeObject>();
    this.byCluster.set(cluster, inCluster);
    inCluster.set(key, object);
    if (previous) for (const handler of this.handlers.update) handler(object, previous);
    else for (const handler of this.handlers.add) handler(object);
  }

  private remove(object: KubeObject): void {
    const key = this.keyOf(object);
    const previous = this.byKey.get(key);
    this.byKey.delete(key);
    const cluster = clusterOf(object);
    const inCluster = this.byCluster.get(cluster);
    inCluster?.delete(key);
    if (inCluster?.size === 0) this.byCluster.delete(cluster);
    for (const handler of this.handlers.delete) handler(previous ?? object);
  }
}
