import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTokenVerifier, type Principal } from '@openkcm/auth';
import { BuiltinLifecycle } from './api/builtin-lifecycle.js';
import { discoveryDocument } from './api/discovery.js';
import { parseFieldSelector } from './api/field-selector.js';
import { parseLabelSelector } from './api/label-selector.js';
import { openApiDocument } from './api/openapi.js';
import { patchKindOf } from './api/patch.js';
import type { RequesterAnnotations } from './api/requester-annotations.js';
import { type FieldValidation, ResourceService, type Scope } from './api/resource-service.js';
import { toTable, wantsTable } from './api/table.js';
import { ApiExportView, type ExportRef, parseVirtualWorkspacePath } from './api/virtual-workspace.js';
import { serveWatch } from './api/watch.js';
import { createAuthenticator, loadServiceAccountTokens } from './auth/authenticator.js';
import { authorize, authorizeDiscovery } from './auth/authorizer.js';
import { parseBody, readBody } from './http/body.js';
import { isWatchPath, parsePath, type RequestTarget, verbFor } from './http/request-info.js';
import { StatusError, statusErrors } from './http/status-error.js';
import { isRecord, type KubeObject } from './kube-object.js';
import { apiVersionOf } from './registry/resource-type.js';
import { TypeRegistry } from './registry/type-registry.js';
import { ObjectStore } from './storage/object-store.js';

export interface ControlPlaneOptions {
  /** Where objects are kept (a folder of its own inside the data folder). */
  storageDir: string;
  host?: string;
  port?: number;
  /** OIDC issuer whose tokens are accepted; users cannot authenticate without one. */
  oidc?: { issuer: string; audience: string; jwksUrl?: string };
  /** Product service accounts and the files holding their tokens. */
  serviceAccounts?: Array<{ name: string; file: string }>;
  /** Serve HTTPS (kubectl sends credentials only over TLS); plain HTTP is for in-process tests. */
  tls?: { certPem: string; keyPem: string };
  bookmarkIntervalMs?: number;
  historyLimit?: number;
  compactAfterRecords?: number;
  log?: (entry: Record<string, unknown>) => void;
  /** Annotations whose setter the server records in another annotation (see requester-annotations.ts). */
  requesterAnnotations?: RequesterAnnotations;
  /**
   * Service accounts that may list and watch `/clusters/*` directly (kcp's shard admins); every
   * other service reaches many workspaces only through an APIExport's virtual workspace.
   */
  shardAdmins?: string[];
}

export interface RunningControlPlane {
  url: string;
  close(): Promise<void>;
}

const MAX_WATCH_SECONDS = 1800;

function query(url: URL, name: string): string | undefined {
  return url.searchParams.get(name) ?? undefined;
}

function fieldValidationOf(url: URL): FieldValidation {
  const value = query(url, 'fieldValidation') ?? 'Warn';
  if (value !== 'Strict' && value !== 'Warn' && value !== 'Ignore') {
    throw statusErrors.badRequest(`fieldValidation must be Strict, Warn or Ignore (got ${value})`);
  }
  return value;
}

function sendJson(response: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'X-Content-Type-Options': 'nosniff',
  };
  if (warnings.length > 0) headers.Warning = warnings.map((warning) => `299 - ${JSON.stringify(warning)}`);
  response.writeHead(code, headers);
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<RunningControlPlane> {
  const log =
    options.log ??
    ((entry) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`));
  const store = await ObjectStore.open(options.storageDir, {
    ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
    ...(options.compactAfterRecords ? { compactAfterRecords: options.compactAfterRecords } : {}),
  });
  const registry = new TypeRegistry();
  let baseUrl = '';
  const lifecycle = new BuiltinLifecycle(store, registry, () => baseUrl);
  lifecycle.loadStoredCrds();
  await lifecycle.createDefaultNamespace('root');
  const service = new ResourceService(store, lifecycle, options.requesterAnnotations);
  lifecycle.attach(service);
  const authenticator = createAuthenticator(
    options.oidc ? createTokenVerifier(options.oidc) : undefined,
    await loadServiceAccountTokens(options.serviceAccounts ?? []),
  );
  const openWatches = new Set<() => void>();
  const shardAdmins = new Set(
    (options.shardAdmins ?? []).map((name) => `system:serviceaccount:openkcm-system:${name}`),
  );

  async function handleResource(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    cluster: string,
    target: Extract<RequestTarget, { type: 'resource' }>,
    principal: Principal,
    view: ApiExportView | undefined,
  ): Promise<void> {
    const type = registry.find(target.group, target.version, target.plural);
    if (!type || (view && !view.serves(type))) {
      throw statusErrors.pathNotFound(
        registry.hasResource(target.group, target.plural)
          ? `version ${target.version} of ${target.plural}.${target.group} is not served`
          : 'the server could not find the requested resource',
      );
    }
    const subresource = target.subresource;
    if (subresource !== undefined && !(subresource === 'status' && type.hasStatus)) {
      throw statusErrors.pathNotFound(`${type.plural} has no subresource "${subresource}"`);
    }
    const watch = ['true', '1'].includes(query(url, 'watch') ?? '') || isWatchPath(url.pathname);
    const verb = verbFor(request.method ?? 'GET', target.name !== undefined && !watch, watch);
    if (!type.namespaced && target.namespace !== undefined)
      throw statusErrors.pathNotFound(`${type.plural} are not namespaced`);
    authorize(principal, verb, type, cluster, target.namespace, target.name);
    if (cluster === '*' && !view && !shardAdmins.has(principal.username)) {
      throw statusErrors.forbidden(
        type,
        undefined,
        `User "${principal.username}" cannot ${verb} ${type.plural} across all workspaces: use the virtual workspace of the APIExport (its APIExportEndpointSlice's URL), which shows the workspaces that bound it`,
      );
    }
    if (cluster !== '*' && !lifecycle.workspaceExists(cluster)) {
      throw statusErrors.pathNotFound(`workspace ${cluster} does not exist`);
    }
    const visibleClusters = view?.visibleClusters(type);
    if (view && visibleClusters && cluster !== '*' && !visibleClusters.has(cluster)) {
      throw statusErrors.pathNotFound(
        `workspace ${cluster} has not bound APIExport ${view.ref.cluster}:${view.ref.name}${view.isBindings(type) ? '' : ` or not accepted its claim on ${type.plural}`}`,
      );
    }
    if (view?.isBindings(type) && !['get', 'list', 'watch'].includes(verb)) {
      throw statusErrors.methodNotAllowed('APIBindings are read-only in an APIExport virtual workspace');
    }
    const visible = view
      ? (objectCluster: string, object: KubeObject) =>
          (view.isBindings(type) ? view.bindingVisible(object, objectCluster) : true) &&
          (visibleClusters?.has(objectCluster) ?? false)
      : undefined;
    if (cluster === '*' && verb !== 'list' && verb !== 'watch') {
      throw statusErrors.methodNotAllowed(
        'only list and watch are allowed across all workspaces (/clusters/*)',
      );
    }
    const scope: Scope = { cluster, type, namespace: target.namespace };
    const status = subresource === 'status' ? 'status' : undefined;
    const writeOptions = () => ({
      dryRun: query(url, 'dryRun') === 'All',
      fieldValidation: fieldValidationOf(url),
      requester: principal.username,
    });
    const body = async () => parseBody(await readBody(request), request.headers['content-type']);

    switch (verb) {
      case 'get': {
        const object = service.get(scope, target.name ?? '');
        if (visible && !visible(cluster, object)) throw statusErrors.notFound(type, target.name ?? '');
        if (wantsTable(request.headers.accept))
          return sendJson(response, 200, toTable(type, [object], {}, query(url, 'includeObject') ?? null));
        return sendJson(response, 200, object);
      }
      case 'list':
      case 'watch': {
        const labelSelector = parseLabelSelector(query(url, 'labelSelector') ?? null);
        const namedField = target.name ? `metadata.name=${target.name}` : undefined;
        const fieldText = [query(url, 'fieldSelector'), namedField].filter(Boolean).join(',');
        const fieldSelector = parseFieldSelector(fieldText || null, type.kind);
        const table = wantsTable(request.headers.accept);
        const includeObject = query(url, 'includeObject') ?? null;
        if (verb === 'watch') {
          const requestedTimeout = Number(query(url, 'timeoutSeconds') ?? MAX_WATCH_SECONDS);
          serveWatch(
            response,
            store,
            service,
            {
              scope,
              labelSelector,
              fieldSelector,
              resourceVersion: query(url, 'resourceVersion'),
              allowBookmarks: query(url, 'allowWatchBookmarks') === 'true',
              sendInitialEvents: query(url, 'sendInitialEvents') === 'true',
              timeoutSeconds:
                Number.isFinite(requestedTimeout) && requestedTimeout > 0
                  ? Math.min(requestedTimeout, MAX_WATCH_SECONDS)
                  : MAX_WATCH_SECONDS,
              bookmarkIntervalMs: options.bookmarkIntervalMs ?? 15_000,
              render: (object) => (table ? toTable(type, [object], {}, includeObject) : object),
              ...(view && visible
                ? {
                    view: {
                      visible: (objectCluster: string, object: KubeObject) =>
                        view.isBindings(type) ? view.bindingVisible(object, objectCluster) : true,
                      clusters: () => view.visibleClusters(type),
                      changesView: (event) => view.affectsBindings(event),
                    },
                  }
                : {}),
            },
            (stop) => {
              openWatches.add(stop);
              response.on('close', () => openWatches.delete(stop));
            },
          );
          return;
        }
        const limit = Number(query(url, 'limit') ?? 0);
        const result = service.list(scope, {
          labelSelector,
          fieldSelector,
          limit: Number.isInteger(limit) && limit > 0 ? limit : undefined,
          continueToken: query(url, 'continue'),
          ...(visible ? { visible } : {}),
        });
        const listMeta = {
          resourceVersion: result.resourceVersion,
          ...(result.continueToken ? { continue: result.continueToken } : {}),
        };
        if (table) return sendJson(response, 200, toTable(type, result.items, listMeta, includeObject));
        return sendJson(response, 200, {
          apiVersion: apiVersionOf(type),
          kind: type.listKind,
          metadata: listMeta,
          items: result.items,
        });
      }
      case 'create': {
        if (subresource) throw statusErrors.methodNotAllowed('create is not allowed on a subresource');
        const result = await service.create(scope, await body(), writeOptions());
        return sendJson(response, 201, result.object, result.warnings);
      }
      case 'update': {
        const result = await service.update(scope, target.name ?? '', await body(), status, writeOptions());
        return sendJson(response, 200, result.object, result.warnings);
      }
      case 'patch': {
        const kind = patchKindOf(request.headers['content-type']);
        const result = await service.patch(scope, target.name ?? '', kind, await body(), status, {
          ...writeOptions(),
          fieldManager: query(url, 'fieldManager'),
        });
        return sendJson(response, result.created ? 201 : 200, result.object, result.warnings);
      }
      case 'delete': {
        const options = await body();
        const preconditions =
          isRecord(options) && isRecord(options.preconditions) ? options.preconditions : {};
        const dryRun =
          query(url, 'dryRun') === 'All' ||
          (isRecord(options) && Array.isArray(options.dryRun) && options.dryRun.includes('All'));
        const deleted = await service.delete(
          scope,
          target.name ?? '',
          {
            ...(typeof preconditions.uid === 'string' ? { uid: preconditions.uid } : {}),
            ...(typeof preconditions.resourceVersion === 'string'
              ? { resourceVersion: preconditions.resourceVersion }
              : {}),
          },
          dryRun,
        );
        return sendJson(response, 200, deleted);
      }
      case 'deletecollection': {
        const labelSelector = parseLabelSelector(query(url, 'labelSelector') ?? null);
        const fieldSelector = parseFieldSelector(query(url, 'fieldSelector') ?? null, type.kind);
        const { items } = service.list(scope, {
          labelSelector,
          fieldSelector,
          limit: undefined,
          continueToken: undefined,
        });
        const deleted: KubeObject[] = [];
        for (const item of items)
          deleted.push(await service.delete(scope, item.metadata.name ?? '', {}, false));
        return sendJson(response, 200, {
          apiVersion: apiVersionOf(type),
          kind: type.listKind,
          metadata: {},
          items: deleted,
        });
      }
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://control-plane');
    const virtual = parseVirtualWorkspacePath(url.pathname);
    const { cluster, target } = parsePath(virtual ? virtual.rest : url.pathname);
    if (target.type === 'health') {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('ok');
      return;
    }
    if (target.type === 'version') {
      return sendJson(response, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.0+openkcm-local',
        gitCommit: 'openkcm',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'node',
        compiler: 'node',
        platform: `${process.platform}/${process.arch}`,
      });
    }
    const principal = await authenticator.authenticate(request.headers.authorization);
    const view = virtual ? exportView(virtual.ref, principal) : undefined;
    if (target.type === 'discovery' || target.type === 'openapi') {
      authorizeDiscovery(principal, cluster);
      if (cluster !== '*' && !lifecycle.workspaceExists(cluster))
        throw statusErrors.pathNotFound(`workspace ${cluster} does not exist`);
      if (target.type === 'openapi')
        return sendJson(response, 200, openApiDocument(registry.all(), target.path));
      const host = request.headers.host ?? '';
      return sendJson(
        response,
        200,
        discoveryDocument(registry.all(), target.prefix, target.group, target.version, host),
      );
    }
    await handleResource(request, response, url, cluster, target, principal, view);
  }

  /** The provider's view of an APIExport; only the product's services are its providers here. */
  function exportView(ref: ExportRef, principal: Principal): ApiExportView {
    if (!principal.system)
      throw statusErrors.forbidden(
        undefined,
        undefined,
        `User "${principal.username}" is not a provider of APIExport ${ref.cluster}:${ref.name}`,
      );
    try {
      return new ApiExportView(store, ref);
    } catch {
      throw statusErrors.pathNotFound(`APIExport ${ref.cluster}:${ref.name} does not exist`);
    }
  }

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    handle(request, response)
      .catch((error: unknown) => {
        const failure =
          error instanceof StatusError ? error : statusErrors.internal('the request could not be completed');
        if (!(error instanceof StatusError))
          log({
            level: 'error',
            msg: 'request failed',
            method: request.method,
            path: request.url,
            error: String(error),
          });
        if (response.headersSent) {
          response.end();
          return;
        }
        sendJson(response, failure.code, failure.toStatus());
      })
      .finally(() => {
        if (request.method !== 'GET' || response.statusCode >= 400) {
          log({
            level: response.statusCode >= 500 ? 'error' : 'info',
            msg: 'request',
            method: request.method,
            path: request.url?.split('?')[0],
            status: response.statusCode,
            ms: Math.round(performance.now() - started),
          });
        }
      });
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener)
    : createServer(listener);
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `${options.tls ? 'https' : 'http'}://${address.address}:${address.port}`;

  return {
    url: baseUrl,
    async close() {
      for (const stop of openWatches) stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
    },
  };
}
