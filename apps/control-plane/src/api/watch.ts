import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../kube-object.js';
import { apiVersionOf, storageResource } from '../registry/resource-type.js';
import type { ObjectStore, StoreEvent, WatchEventType } from '../storage/object-store.js';
import type { FieldSelector } from './field-selector.js';
import type { LabelSelector } from './label-selector.js';
import type { ResourceService, Scope } from './resource-service.js';

export interface WatchRequest {
  scope: Scope;
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion: string | undefined;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds: number;
  bookmarkIntervalMs: number;
  /** Turns each object into what the client asked for (the object itself, or a one-row Table). */
  render: (object: KubeObject) => unknown;
  /**
   * A view whose workspaces come and go (an APIExport virtual workspace): objects of a workspace
   * that joins arrive as ADDED, those of one that leaves as DELETED, as a kcp provider sees them.
   */
  view?: {
    visible(cluster: string, object: KubeObject): boolean;
    /** The workspaces visible now, recomputed when `changesView(event)`. */
    clusters(): Set<string>;
    changesView(event: StoreEvent): boolean;
  };
}

/**
 * A Kubernetes watch: a chunked stream of `{type, object}` lines, started from a resourceVersion
 * (or from the current state), filtered like the list it continues, with bookmarks and a 410
 * when the requested version is older than the kept history.
 */
export function serveWatch(
  response: ServerResponse,
  store: ObjectStore,
  service: ResourceService,
  request: WatchRequest,
  onClose: (stop: () => void) => void,
): void {
  const { scope } = request;
  const cluster = service.storageCluster(scope);
  const resource = storageResource(scope.type);
  const namespace = scope.type.namespaced ? scope.namespace : undefined;
  const apiVersion = apiVersionOf(scope.type);

  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  response.flushHeaders();

  const send = (type: WatchEventType | 'BOOKMARK' | 'ERROR', object: unknown) => {
    response.write(`${JSON.stringify({ type, object })}\n`);
  };
  const matches = (object: KubeObject | undefined) =>
    object !== undefined && request.labelSelector(object.metadata.labels) && request.fieldSelector(object);
  const present = (object: KubeObject) => request.render({ ...object, apiVersion, kind: scope.type.kind });
  const inScope = (event: StoreEvent) =>
    event.key.resource === resource &&
    (cluster === '*' || event.key.cluster === cluster) &&
    (namespace === undefined || event.key.namespace === namespace);
  const view = request.view;
  let viewClusters = view?.clusters() ?? new Set<string>();
  const visibleIn = (clusters: Set<string>, eventCluster: string, object: KubeObject | undefined) =>
    object !== undefined && (!view || (clusters.has(eventCluster) && view.visible(eventCluster, object)));

  /** Objects of workspaces that entered or left the view (other than the event's own), as ADDED or DELETED. */
  const followView = (event: StoreEvent) => {
    if (!view?.changesView(event)) return;
    const before = viewClusters;
    viewClusters = view.clusters();
    const changed = [...new Set([...before, ...viewClusters])].filter(
      (item) => before.has(item) !== viewClusters.has(item) && (cluster === '*' || item === cluster),
    );
    for (const changedCluster of changed) {
      const joined = viewClusters.has(changedCluster);
      for (const { key, object } of store.list(changedCluster, resource, namespace)) {
        const own =
          key.resource === event.key.resource &&
          key.cluster === event.key.cluster &&
          key.name === event.key.name;
        if (own || !matches(object) || !view.visible(key.cluster, object)) continue;
        send(joined ? 'ADDED' : 'DELETED', present(object));
      }
    }
  };

  let lastSent = 0;
  const deliver = (event: StoreEvent) => {
    if (event.rv <= lastSent) return;
    const clustersBefore = viewClusters;
    followView(event);
    if (!inScope(event)) return;
    lastSent = event.rv;
    const now = matches(event.object) && visibleIn(viewClusters, event.key.cluster, event.object);
    const before = matches(event.previous) && visibleIn(clustersBefore, event.key.cluster, event.previous);
    if (event.type === 'DELETED') {
      if (now || before) send('DELETED', present(event.object));
    } else if (now) send(before || event.type === 'ADDED' ? event.type : 'ADDED', present(event.object));
    else if (before) send('DELETED', present(event.object));
  };

  const requested = request.resourceVersion;
  const fromCurrentState = requested === undefined || requested === '' || requested === '0';
  let backlog: StoreEvent[] = [];
  if (fromCurrentState || request.sendInitialEvents) {
    const { items } = service.list(scope, {
      labelSelector: request.labelSelector,
      fieldSelector: request.fieldSelector,
      limit: undefined,
      continueToken: undefined,
      ...(view ? { visible: (eventCluster, object) => visibleIn(viewClusters, eventCluster, object) } : {}),
    });
    for (const item of items) send('ADDED', request.render(item));
    lastSent = store.resourceVersion;
  } else {
    const from = Number(requested);
    const events = Number.isInteger(from) ? store.eventsAfter(from) : undefined;
    if (!events) {
      send('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${requested} (${store.durableResourceVersion})`,
        reason: 'Expired',
        code: 410,
      });
      response.end();
      return;
    }
    backlog = events;
    lastSent = from;
  }
  const bookmark = (initialEventsEnd: boolean) =>
    send('BOOKMARK', {
      apiVersion,
      kind: scope.type.kind,
      metadata: {
        resourceVersion: String(Math.max(lastSent, store.durableResourceVersion)),
        ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
      },
    });
  if (request.sendInitialEvents && request.allowBookmarks) bookmark(true);

  const unsubscribe = store.subscribe(deliver);
  for (const event of backlog) deliver(event);
  const bookmarks = request.allowBookmarks
    ? setInterval(() => bookmark(false), request.bookmarkIntervalMs)
    : undefined;
  const timeout = setTimeout(() => stop(), request.timeoutSeconds * 1000);
  const stop = () => {
    unsubscribe();
    clearInterval(bookmarks);
    clearTimeout(timeout);
    if (!response.writableEnded) response.end();
  };
  response.on('close', stop);
  onClose(stop);
}
