import type { KubeObject } from '../kube-object.js';
import { type LogRecord, type Snapshot, WriteAheadLog } from './write-ahead-log.js';

/** Where an object lives: logical cluster (workspace), resource (`group/plural`), namespace, name. */
export interface ObjectKey {
  cluster: string;
  resource: string;
  namespace: string;
  name: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: WatchEventType;
  key: ObjectKey;
  object: KubeObject;
  /** The object before this change, so a filtered watch can tell when an object left its filter. */
  previous: KubeObject | undefined;
}

export type StoreListener = (event: StoreEvent) => void;

const SEPARATOR = '\u0000';

function encodeKey(key: ObjectKey): string {
  return [key.cluster, key.resource, key.namespace, key.name].join(SEPARATOR);
}

function decodeKey(text: string): ObjectKey {
  const [cluster = '', resource = '', namespace = '', name = ''] = text.split(SEPARATOR);
  return { cluster, resource, namespace, name };
}

function collectionOf(key: ObjectKey): string {
  return `${key.cluster}${SEPARATOR}${key.resource}`;
}

function itemOf(key: ObjectKey): string {
  return `${key.namespace}${SEPARATOR}${key.name}`;
}

/**
 * Objects in memory, made durable through the write-ahead log. Changes are applied to memory at
 * once (so the next request sees them and conflicts are detected in order) and announced to
 * watchers only once they are on disk.
 */
export class ObjectStore {
  private readonly collections = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0;
  private readonly listeners = new Set<StoreListener>();
  private rv = 0;
  private durableRv = 0;
  private compacting = false;

  private constructor(
    private readonly log: WriteAheadLog,
    private readonly historyLimit: number,
  ) {}

  static async open(dir: string, options: { historyLimit?: number; compactAfterRecords?: number } = {}) {
    const log = new WriteAheadLog(dir, options.compactAfterRecords);
    const store = new ObjectStore(log, options.historyLimit ?? 100_000);
    const { snapshot, records } = await log.open();
    for (const { key, object } of snapshot.objects) store.place(decodeKey(key), object);
    store.rv = snapshot.rv;
    store.historyStart = snapshot.rv;
    for (const record of records) store.replay(record);
    store.durableRv = store.rv;
    return store;
  }

  private replay(record: LogRecord): void {
    const key = decodeKey(record.key);
    const previous = this.get(key);
    if (record.op === 'delete') this.remove(key);
    else this.place(key, record.object);
    this.rv = Math.max(this.rv, record.rv);
    const type = record.op === 'delete' ? 'DELETED' : previous ? 'MODIFIED' : 'ADDED';
    this.remember({ rv: record.rv, type, key, object: record.object, previous });
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The newest resourceVersion that is on disk and has been announced to watchers. */
  get durableResourceVersion(): number {
    return this.durableRv;
  }

  get(key: ObjectKey): KubeObject | undefined {
    return this.collections.get(collectionOf(key))?.get(itemOf(key));
  }

  /** Objects of a resource in one cluster (or every cluster with `*`), ordered by namespace and name. */
  list(cluster: string, resource: string, namespace?: string): Array<{ key: ObjectKey; object: KubeObject }> {
    const found: Array<{ key: ObjectKey; object: KubeObject; sortKey: string }> = [];
    for (const [collection, items] of this.collections) {
      const [collectionCluster = '', collectionResource] = collection.split(SEPARATOR);
      if (collectionResource !== resource || (cluster !== '*' && collectionCluster !== cluster)) continue;
      for (const [item, object] of items) {
        const [itemNamespace = '', name = ''] = item.split(SEPARATOR);
        if (namespace !== undefined && itemNamespace !== namespace) continue;
        const key = { cluster: collectionCluster, resource, namespace: itemNamespace, name };
        found.push({ key, object, sortKey: `${collectionCluster}${SEPARATOR}${item}` });
      }
    }
    found.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    return found.map(({ key, object }) => ({ key, object }));
  }

  /** Every object of one cluster, whatever its resource (for deleting a workspace). */
  keysInCluster(cluster: string): ObjectKey[] {
    const keys: ObjectKey[] = [];
    for (const [collection, items] of this.collections) {
      const [collectionCluster = '', resource = ''] = collection.split(SEPARATOR);
      if (collectionCluster !== cluster) continue;
      for (const item of items.keys()) {
        const [namespace = '', name = ''] = item.split(SEPARATOR);
        keys.push({ cluster, resource, namespace, name });
      }
    }
    return keys;
  }

  /**
   * Stores `object` under `key` (or removes it), stamping the next resourceVersion. Synchronous up
   * to the returned promise, which resolves with the stored object once the change is durable.
   */
  commit(key: ObjectKey, object: KubeObject | undefined): Promise<KubeObject> {
    const previous = this.get(key);
    const rv = ++this.rv;
    const base = object ?? previous;
    if (!base) throw new Error('cannot delete an object that does not exist');
    const stored: KubeObject = { ...base, metadata: { ...base.metadata, resourceVersion: String(rv) } };
    if (object) this.place(key, stored);
    else this.remove(key);
    const type = !object ? 'DELETED' : previous ? 'MODIFIED' : 'ADDED';
    const event: StoreEvent = { rv, type, key, object: stored, previous };
    const record: LogRecord = { rv, op: object ? 'put' : 'delete', key: encodeKey(key), object: stored };
    return this.log.append(record).then(() => {
      this.durableRv = Math.max(this.durableRv, rv);
      this.remember(event);
      for (const listener of this.listeners) listener(event);
      if (this.log.shouldCompact) void this.compact();
      return stored;
    });
  }

  /** Events after `rv`, or `undefined` when they are no longer kept (the caller answers 410 Gone). */
  eventsAfter(rv: number): StoreEvent[] | undefined {
    if (rv < this.historyStart) return undefined;
    let low = 0;
    let high = this.history.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.history[middle]?.rv ?? 0) <= rv) low = middle + 1;
      else high = middle;
    }
    return this.history.slice(low);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.log.close();
  }

  private remember(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.historyStart = dropped[dropped.length - 1]?.rv ?? this.historyStart;
    }
  }

  private async compact(): Promise<void> {
    if (this.compacting) return;
    this.compacting = true;
    try {
      await this.log.compact(() => this.snapshot());
    } finally {
      this.compacting = false;
    }
  }

  private snapshot(): Snapshot {
    const objects: Snapshot['objects'] = [];
    for (const [collection, items] of this.collections) {
      const [cluster = '', resource = ''] = collection.split(SEPARATOR);
      for (const [item, object] of items) {
        const [namespace = '', name = ''] = item.split(SEPARATOR);
        objects.push({ key: encodeKey({ cluster, resource, namespace, name }), object });
      }
    }
    return { rv: this.rv, objects };
  }

  private place(key: ObjectKey, object: KubeObject): void {
    const collection = collectionOf(key);
    let items = this.collections.get(collection);
    if (!items) {
      items = new Map();
      this.collections.set(collection, items);
    }
    items.set(itemOf(key), object);
  }

  private remove(key: ObjectKey): void {
    const items = this.collections.get(collectionOf(key));
    items?.delete(itemOf(key));
    if (items?.size === 0) this.collections.delete(collectionOf(key));
  }
}
