import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tenantName } from '@openkcm/api';
import {
  ClusterInformer,
  clusterOf,
  type EndpointSliceRef,
  KubeClient,
  type KubeObject,
  resolveVirtualWorkspace,
} from '@openkcm/kube-client';
import { accountOf, keysUsing } from './account-refs.js';
import { CmkClient, CmkUnavailableError, clientCredentials } from './cmk-client.js';
import { type Caches, type ControllerContext, cmkMessage, type ReconcileResult } from './context.js';
import { LeaderElector } from './leader-election.js';
import { Metrics } from './metrics.js';
import { keyOf, type ObjectRef, refOf } from './object-key.js';
import { reconcileAccount } from './reconcile/account.js';
import { reconcileCryptoEdge } from './reconcile/crypto-edge.js';
import { reconcileServiceKey } from './reconcile/service-key.js';
import { reconcileTenant } from './reconcile/tenant.js';
import { reconcileWebHookNotification } from './reconcile/webhook-notification.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions {
  controlPlaneUrl: string;
  controlPlaneCa?: string;
  serviceAccountToken: string;
  cmkUrl: string;
  /** The APIExportEndpointSlice whose status gives the export's virtual-workspace URL. */
  apiExportEndpointSlice: EndpointSliceRef;
  oidc: { issuer: string; clientId: string; clientSecret: string };
  host?: string;
  port?: number;
  workers?: number;
  revalidateMs?: number;
  /** How long a leader's lease lasts without renewal (client-go's default is 15 s). */
  leaseSeconds?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningController {
  url: string;
  isLeader(): boolean;
  close(): Promise<void>;
}

const KEYCHAIN = '/clusters/*/apis/keychain.openkcm.io/v1alpha1';
const RESOURCES = {
  bindings: '/clusters/*/apis/apis.kcp.io/v1alpha1/apibindings',
  tenants: `${KEYCHAIN}/tenants`,
  accounts: `${KEYCHAIN}/accounts`,
  keys: `${KEYCHAIN}/serviceencryptionkeys`,
  edges: `${KEYCHAIN}/cryptoedges`,
  webhooks: `${KEYCHAIN}/webhooknotifications`,
} as const;
type Resource = keyof typeof RESOURCES;

function ref(kind: ObjectRef['kind'], object: KubeObject): string {
  return keyOf({
    kind,
    cluster: clusterOf(object),
    namespace: object.metadata.namespace ?? 'default',
    name: object.metadata.name ?? '',
  });
}

/** What a reconciler acts on: everything but status (and the resourceVersion every write moves). */
function declaredChanged(before: KubeObject, after: KubeObject): boolean {
  const declared = ({ spec, metadata }: KubeObject) =>
    JSON.stringify([
      spec,
      metadata.uid,
      metadata.generation,
      metadata.labels,
      metadata.annotations,
      metadata.finalizers,
      metadata.deletionTimestamp,
    ]);
  return declared(before) !== declared(after);
}

/** Starts the controller: informers over every workspace, a leader-gated work queue, health and metrics. */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  const log =
    options.log ??
    ((entry) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`));
  const platform = new KubeClient(
    options.controlPlaneUrl,
    options.serviceAccountToken,
    options.controlPlaneCa,
  );
  const kube = new KubeClient(
    await resolveVirtualWorkspace(platform, options.apiExportEndpointSlice, log),
    options.serviceAccountToken,
    options.controlPlaneCa,
  );
  const cmk = new CmkClient(
    options.cmkUrl,
    clientCredentials(options.oidc.issuer, options.oidc.clientId, async () => options.oidc.clientSecret),
  );
  const queue = new WorkQueue();
  const metrics = new Metrics();

  const informers = Object.fromEntries(
    Object.entries(RESOURCES).map(([name, path]) => [name, new ClusterInformer(kube, path, { log })]),
  ) as Record<Resource, ClusterInformer>;
  const caches: Caches = {
    bindings: (cluster) => informers.bindings.list(cluster),
    tenants: (cluster) => informers.tenants.list(cluster),
    accounts: (cluster) => informers.accounts.list(cluster),
    keys: (cluster) => informers.keys.list(cluster),
    keyClusters: () => informers.keys.clusters(),
    edges: (cluster) => informers.edges.list(cluster),
    webhooks: (cluster) => informers.webhooks.list(cluster),
  };
  const ctx: ControllerContext = {
    kube,
    platform,
    cmk,
    caches,
    queue,
    now: () => new Date(),
    revalidateMs: options.revalidateMs ?? 60_000,
  };

  // Enabling or disabling OpenKCM concerns the Tenant and everything already declared in the workspace.
  const onBinding = (binding: KubeObject) => {
    const cluster = clusterOf(binding);
    queue.add(keyOf({ kind: 'Tenant', cluster, namespace: 'default', name: tenantName(cluster) }));
    for (const account of caches.accounts(cluster)) queue.add(ref('Account', account));
    for (const serviceKey of caches.keys(cluster)) queue.add(ref('ServiceEncryptionKey', serviceKey));
    for (const edge of caches.edges(cluster)) queue.add(ref('CryptoEdge', edge));
    for (const hook of caches.webhooks(cluster)) queue.add(ref('WebHookNotification', hook));
  };
  // Keys follow their Account only when its readiness changes, and an Account follows its keys
  // only when one comes, goes or moves: status writes alone must not fan out to every object.
  const accountSignatures = new Map<string, string>();
  const keyAccounts = new Map<string, string>();
  const accountSignature = (account: KubeObject) => {
    const ready = (account.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find(
      (condition) => condition.type === 'Ready',
    );
    return `${ready?.status ?? ''}|${account.metadata.deletionTimestamp ? 'deleting' : ''}`;
  };
  const followAccount = (account: KubeObject) => {
    const key = ref('Account', account);
    const signature = accountSignature(account);
    if (accountSignatures.get(key) === signature) return;
    accountSignatures.set(key, signature);
    const location = {
      cluster: clusterOf(account),
      namespace: account.metadata.namespace ?? 'default',
      name: account.metadata.name ?? '',
    };
    for (const serviceKey of keysUsing(caches, location)) queue.add(ref('ServiceEncryptionKey', serviceKey));
  };
  const onAccount = (account: KubeObject) => {
    queue.add(ref('Account', account));
    followAccount(account);
  };
  const onKey = (serviceKey: KubeObject) => {
    const key = ref('ServiceEncryptionKey', serviceKey);
    queue.add(key);
    const account = accountOf(serviceKey);
    const accountKey = keyOf({ kind: 'Account', ...account });
    const previous = keyAccounts.get(key);
    if (previous === accountKey && !serviceKey.metadata.deletionTimestamp) return;
    keyAccounts.set(key, accountKey);
    if (previous && previous !== accountKey) queue.add(previous);
    if (account.name) queue.add(accountKey);
  };
  const onAccountGone = (account: KubeObject) => {
    accountSignatures.delete(ref('Account', account));
    onAccount(account);
  };
  const onKeyGone = (serviceKey: KubeObject) => {
    const key = ref('ServiceEncryptionKey', serviceKey);
    const accountKey = keyAccounts.get(key);
    keyAccounts.delete(key);
    if (accountKey) queue.add(accountKey);
  };
  const handlers: Record<Resource, (object: KubeObject) => void> = {
    bindings: onBinding,
    tenants: (tenant) => queue.add(ref('Tenant', tenant)),
    accounts: onAccount,
    keys: onKey,
    edges: (edge) => queue.add(ref('CryptoEdge', edge)),
    webhooks: (hook) => queue.add(ref('WebHookNotification', hook)),
  };
  for (const [name, informer] of Object.entries(informers) as Array<[Resource, ClusterInformer]>) {
    informer.on('add', handlers[name]);
    // A write of status alone (most often the controller's own) asks for nothing new: requeueing on
    // it is what turned one broken Account into a reconcile storm. Only what a reconciler reads counts.
    informer.on('update', (object, previous) => {
      if (!previous || declaredChanged(previous, object)) handlers[name](object);
      else if (name === 'accounts') followAccount(object);
    });
    informer.on('delete', name === 'keys' ? onKeyGone : name === 'accounts' ? onAccountGone : handlers[name]);
  }
  // Every (re)list may have missed a binding's creation or deletion: derive every Tenant again.
  const rederiveTenants = () => {
    const clusters = new Set([...informers.bindings.clusters(), ...informers.tenants.clusters()]);
    for (const cluster of clusters)
      queue.add(keyOf({ kind: 'Tenant', cluster, namespace: 'default', name: tenantName(cluster) }));
  };
  informers.bindings.on('synced', rederiveTenants);
  informers.tenants.on('synced', rederiveTenants);
  const synced = () => Object.values(informers).every((informer) => informer.synced);
  for (const informer of Object.values(informers)) void informer.start();

  const reconcilers: Record<
    ObjectRef['kind'],
    (ctx: ControllerContext, ref: ObjectRef) => Promise<ReconcileResult>
  > = {
    Tenant: reconcileTenant,
    Account: reconcileAccount,
    ServiceEncryptionKey: reconcileServiceKey,
    CryptoEdge: reconcileCryptoEdge,
    WebHookNotification: reconcileWebHookNotification,
  };
  let stopping = false;
  let leading = false;
  let wakeLeader: (() => void) | undefined;
  const elector = new LeaderElector(
    platform,
    (isLeader) => {
      leading = isLeader;
      log({ level: 'info', msg: isLeader ? 'leading: reconciling' : 'standing by: another replica leads' });
      if (isLeader) {
        for (const resource of Object.keys(informers) as Resource[])
          for (const object of informers[resource].list()) handlers[resource](object);
        wakeLeader?.();
      }
    },
    options.leaseSeconds ?? 15,
    Math.max(500, ((options.leaseSeconds ?? 15) * 1000) / 5),
  );
  elector.start();

  const worker = async () => {
    while (!stopping) {
      if (!leading || !synced()) {
        await new Promise<void>((resolve) => {
          wakeLeader = resolve;
          setTimeout(resolve, 500).unref();
        });
        continue;
      }
      const key = await queue.next();
      if (key === undefined) return;
      const target = refOf(key);
      const started = performance.now();
      try {
        const result = await reconcilers[target.kind](ctx, target);
        metrics.observe(target.kind, (performance.now() - started) / 1000, 'success');
        if (result.backoff) queue.retry(key, result.requeueAfterMs);
        else {
          queue.forget(key);
          if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
        }
      } catch (error) {
        metrics.observe(target.kind, (performance.now() - started) / 1000, 'error');
        const delay = queue.retry(key);
        log({
          level: error instanceof CmkUnavailableError ? 'warn' : 'error',
          msg: 'reconcile failed; retrying',
          key,
          retryInMs: delay,
          error: (error as Error).message,
        });
      } finally {
        queue.done(key);
      }
    }
  };
  const workers = Array.from({ length: options.workers ?? 4 }, worker);

  // CMK delivers tenant webhooks; its feed says whose delivery state moved, to mirror into status.
  const followDeliveries = async () => {
    let after = 0;
    while (!stopping) {
      if (!leading) {
        await new Promise((resolve) => setTimeout(resolve, 500).unref());
        continue;
      }
      try {
        const changes = await cmk.call('GET', `/webhook-changes?after=${after}&waitSeconds=20`);
        if (changes.status !== 200) throw new Error(cmkMessage(changes.body));
        const body = changes.body as {
          items: Array<{ workspace: string; namespace: string; name: string }>;
          revision: number;
        };
        for (const item of body.items)
          queue.add(
            keyOf({
              kind: 'WebHookNotification',
              cluster: item.workspace,
              namespace: item.namespace,
              name: item.name,
            }),
          );
        after = body.revision;
      } catch (error) {
        if (stopping) return;
        log({
          level: 'warn',
          msg: 'webhook delivery feed interrupted; retrying',
          error: (error as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
      }
    }
  };
  void followDeliveries();

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz') return void response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    if (path === '/readyz')
      return void response
        .writeHead(synced() ? 200 : 503, { 'Content-Type': 'text/plain' })
        .end(synced() ? (leading ? 'leader' : 'standby') : 'informers not synced');
    if (path === '/metrics')
      return void response
        .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' })
        .end(metrics.render({ queueDepth: queue.depth, leader: leading }));
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve()),
  );
  const address = server.address() as AddressInfo;

  return {
    url: `http://${address.address}:${address.port}`,
    isLeader: () => leading,
    async close() {
      stopping = true;
      queue.stop();
      wakeLeader?.();
      await Promise.all(workers);
      await elector.stop();
      await Promise.all(Object.values(informers).map((informer) => informer.stop()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
