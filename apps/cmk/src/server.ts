import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { bearerToken, isWorkspacePath, TokenRejectedError } from '@openkcm/auth';
import { loadOrCreateServingCertificate } from '@openkcm/pki';
import { parse, SchemaValidationError, type TSchema } from '@openkcm/schema';
import { Alerts } from './alerts/alerts.js';
import { type SweepPolicy, sweepAlerts } from './alerts/sweep.js';
import { type EdgeEndpoint, edgeRoutes } from './api/edge-routes.js';
import { errorBody, readJsonBody, sendJson } from './api/http.js';
import { keychainRoutes } from './api/keychain-routes.js';
import { openApiDocument } from './api/openapi.js';
import { authorize, type Route } from './api/routes.js';
import { webhookRoutes } from './api/webhook-routes.js';
import { type RunningEdgeListener, startEdgeListener } from './edge-api/edge-listener.js';
import type { KeyChainContext } from './keychain/context.js';
import { EdgeFeed } from './keychain/edge-feed.js';
import { CmkError } from './keychain/errors.js';
import { destroyExpiredMaterial, nextDueTime, rotateDueKeys } from './keychain/lifecycle-jobs.js';
import { continueRekey, resumeRekeys } from './keychain/rekey.js';
import { RootCache } from './keychain/root-cache.js';
import { checkTokenAudience, purgeOffboardedTenants } from './keychain/tenants.js';
import { PluginHost } from './plugins/plugin-host.js';
import { openDatabase } from './storage/database.js';
import { migrate } from './storage/migrate.js';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy, WebhookDispatcher } from './webhooks/dispatcher.js';

export interface CmkOptions {
  dataDir: string;
  configFile: string;
  profile: string;
  /** PostgreSQL URL; embedded PGlite in the data folder when absent. */
  databaseUrl?: string;
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  destructionWindowSeconds?: number;
  /** The scheduler never sleeps longer than this, so new keys' rotations are picked up. */
  schedulerMaxSleepMs?: number;
  now?: () => Date;
  log?: (entry: Record<string, unknown>) => void;
  /**
   * The mTLS listener for Crypto Edges (started when the profile has a certificate issuer): its
   * address, the URL edges are told to use, the folder of its serving certificate (tls.crt,
   * tls.key, ca.crt; created for loopback when empty) and the stream heartbeat.
   */
  edge?: { host?: string; port?: number; advertiseUrl?: string; tlsDir?: string; heartbeatMs?: number };
  /** How tenant webhooks are delivered: the operator's egress exceptions, timeouts and retries. */
  webhooks?: Partial<DeliveryPolicy>;
  /** When a re-key counts as stuck and an edge as lost, and how often CMK looks (FR-5.1). */
  alerts?: Partial<SweepPolicy> & { sweepMs?: number };
}

export interface RunningCmk {
  url: string;
  /** Where Crypto Edges connect (mTLS), when the profile can enroll them. */
  edgeUrl: string | undefined;
  keychain: KeyChainContext;
  plugins: PluginHost;
  webhooks: WebhookDispatcher;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Decoded path parameters, each checked: a tenant is a workspace path, anything else an object name. */
function pathParameters(groups: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(groups).map(([key, raw]) => {
      let value: string;
      try {
        value = decodeURIComponent(raw);
      } catch {
        throw new CmkError('INVALID_ARGUMENT', `the ${key} in the path is not valid percent-encoding`);
      }
      if (key === 'tenant' ? !isWorkspacePath(value) : !OBJECT_NAME.test(value))
        throw new CmkError(
          'INVALID_ARGUMENT',
          key === 'tenant'
            ? 'the tenant in the path is not a workspace path such as root:orgs:acme'
            : `the ${key} in the path is not an object name (lowercase letters, digits, "-" and ".")`,
        );
      return [key, value];
    }),
  );
}

function compile(routes: Route[]) {
  return routes.map((route) => ({
    route,
    pattern: new RegExp(`^${route.path.replace(/:([a-z]+)/g, '(?<$1>[^/]+)')}$`),
  }));
}

export async function startCmk(options: CmkOptions): Promise<RunningCmk> {
  const log =
    options.log ??
    ((entry) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`));
  const env = options.env ?? process.env;
  const plugins = await PluginHost.load(options.configFile, options.profile, {
    ...env,
    OPENKCM_DATA_DIR: options.dataDir,
  });
  const db = await openDatabase({
    ...(options.databaseUrl ? { url: options.databaseUrl } : {}),
    pgliteDirectory: join(options.dataDir, 'cmk', 'pglite'),
  });
  const applied = await migrate(db);
  if (applied.length > 0) log({ level: 'info', msg: 'database migrated', applied });
  const keychain: KeyChainContext = {
    db,
    keystores: plugins.keystores,
    systemInformation: plugins.systemInformation,
    alerts: new Alerts(plugins.notification, options.now),
    roots: new RootCache(),
    edgeFeed: new EdgeFeed(),
    now: options.now ?? (() => new Date()),
    destructionWindowSeconds: options.destructionWindowSeconds ?? 7 * 86_400,
  };

  const rekeys = new Map<string, Promise<void>>();
  const startRekeyWork = (accountId: string) => {
    if (rekeys.has(accountId)) return;
    const work = continueRekey(keychain, accountId)
      .catch((error: unknown) =>
        log({
          level: 'warn',
          msg: 're-key paused; it resumes on the next cycle',
          accountId,
          error: (error as Error).message,
        }),
      )
      .finally(() => rekeys.delete(accountId));
    rekeys.set(accountId, work);
  };
  let edgeListener: RunningEdgeListener | undefined;
  let edgeEndpoint: EdgeEndpoint | undefined;
  if (plugins.certificateIssuer) {
    const serving = await loadOrCreateServingCertificate(
      options.edge?.tlsDir ?? join(options.dataDir, 'cmk', 'edge-tls'),
      'cmk-edge',
    );
    edgeListener = await startEdgeListener(keychain, {
      host: options.edge?.host ?? options.host ?? '127.0.0.1',
      port: options.edge?.port ?? 0,
      serving,
      issuer: plugins.certificateIssuer,
      ...(options.edge?.heartbeatMs ? { heartbeatMs: options.edge.heartbeatMs } : {}),
      log,
    });
    const listener = edgeListener;
    edgeEndpoint = {
      url: options.edge?.advertiseUrl ?? listener.url,
      caPem: serving.caPem,
      issuer: plugins.certificateIssuer,
      revoked: (edgeId) => listener.revoked(edgeId),
    };
  }
  const webhooks = new WebhookDispatcher(db, { ...DEFAULT_DELIVERY_POLICY, ...options.webhooks }, log);
  await webhooks.start();
  const routes = compile([
    ...keychainRoutes(startRekeyWork),
    ...edgeRoutes(edgeEndpoint),
    ...webhookRoutes(webhooks),
  ]);
  const document = openApiDocument(routes.map((entry) => entry.route));

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://cmk');
    if (url.pathname === '/healthz') return sendJson(response, 200, { status: 'ok' }, requestId);
    if (url.pathname === '/readyz')
      // Unauthenticated: ready or not, nothing more; plugin details are at /api/v1/plugins with a token.
      return sendJson(response, plugins.ready ? 200 : 503, { ready: plugins.ready }, requestId);
    if (url.pathname === '/api/v1/openapi.json') return sendJson(response, 200, document, requestId);
    const principal = await plugins.identity
      ?.authenticate(bearerToken(request.headers.authorization))
      .catch((error: unknown) => {
        if (error instanceof TokenRejectedError)
          throw new CmkError(
            error.problem === 'unverifiable' ? 'KEYSTORE_UNAVAILABLE' : 'UNAUTHENTICATED',
            error.message,
          );
        throw error;
      });
    if (!principal)
      throw new CmkError(
        'UNAUTHENTICATED',
        'this CMK profile has no identity plugin, so no request can be authenticated',
      );
    if (url.pathname === '/api/v1/plugins')
      return sendJson(response, 200, { items: plugins.status }, requestId);
    const matches = routes.filter((entry) => entry.pattern.test(url.pathname));
    const match = matches.find((entry) => entry.route.method === request.method);
    if (!match) {
      if (matches.length > 0)
        throw new CmkError(
          'INVALID_ARGUMENT',
          `${request.method} is not allowed here; use ${matches.map((entry) => entry.route.method).join(', ')}`,
        );
      throw new CmkError('NOT_FOUND', `no API at ${url.pathname}; see /api/v1/openapi.json`);
    }
    const params = pathParameters(match.pattern.exec(url.pathname)?.groups ?? {});
    authorize(principal, match.route.access, params.tenant);
    if (params.tenant) await checkTokenAudience(keychain.db, params.tenant, principal);
    const raw = await readJsonBody(request);
    let body: unknown;
    if (match.route.body) {
      try {
        body = parse(match.route.body as TSchema, raw ?? {});
      } catch (error) {
        if (error instanceof SchemaValidationError)
          throw new CmkError('INVALID_ARGUMENT', `the request body is invalid: ${error.message}`, {
            causes: error.causes,
          });
        throw error;
      }
    }
    const result = await match.route.handle(
      { keychain, principal, params, query: url.searchParams },
      body as never,
    );
    sendJson(response, result.status, result.body, requestId);
  }

  const server = createServer((request, response) => {
    const incoming = request.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const started = performance.now();
    handle(request, response, requestId)
      .catch((error: unknown) => {
        const failure =
          error instanceof CmkError
            ? error
            : new CmkError('INTERNAL', `internal error; quote request ID ${requestId} when reporting it`);
        if (!(error instanceof CmkError))
          log({
            level: 'error',
            msg: 'request failed',
            requestId,
            error: (error as Error).message,
            stack: (error as Error).stack,
          });
        if (!response.headersSent)
          sendJson(response, failure.status, errorBody(failure, requestId), requestId);
        else response.end();
      })
      .finally(() => {
        if (request.method !== 'GET' || response.statusCode >= 400) {
          log({
            level: response.statusCode >= 500 ? 'error' : 'info',
            msg: 'request',
            requestId,
            method: request.method,
            path: request.url?.split('?')[0],
            status: response.statusCode,
            ms: Math.round(performance.now() - started),
          });
        }
      });
  });

  let stopping = false;
  let wake: (() => void) | undefined;
  const background = (async () => {
    await resumeRekeys(keychain).catch((error: unknown) =>
      log({ level: 'warn', msg: 're-key resume failed', error: (error as Error).message }),
    );
    while (!stopping) {
      try {
        const rotations = await rotateDueKeys(keychain);
        if (rotations.rotated > 0 || rotations.failed > 0)
          log({ level: rotations.failed ? 'warn' : 'info', msg: 'scheduled rotations', ...rotations });
        await destroyExpiredMaterial(keychain);
        const purged = await purgeOffboardedTenants(keychain);
        if (purged > 0) log({ level: 'info', msg: 'purged offboarded tenants', purged });
      } catch (error) {
        log({ level: 'warn', msg: 'background work failed; retrying', error: (error as Error).message });
      }
      const next = await nextDueTime(keychain).catch(() => undefined);
      const sleep = Math.max(
        250,
        Math.min(
          options.schedulerMaxSleepMs ?? 30_000,
          next ? next.getTime() - keychain.now().getTime() : Number.POSITIVE_INFINITY,
        ),
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleep);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  plugins.watch(15_000);
  const sweepPolicy: SweepPolicy = {
    rekeyStuckAfterSeconds: options.alerts?.rekeyStuckAfterSeconds ?? 1800,
    edgePartitionBoundSeconds: options.alerts?.edgePartitionBoundSeconds ?? 300,
  };
  const sweep = () =>
    sweepAlerts(db, keychain.alerts, plugins.status, sweepPolicy).catch((error: unknown) =>
      log({ level: 'warn', msg: 'alert sweep failed; trying again', error: (error as Error).message }),
    );
  let sweeping = sweep();
  const sweepTimer = setInterval(() => {
    sweeping = sweeping.then(sweep);
  }, options.alerts?.sweepMs ?? 15_000);
  sweepTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    edgeUrl: edgeEndpoint?.url,
    keychain,
    plugins,
    webhooks,
    async close() {
      stopping = true;
      wake?.();
      clearInterval(sweepTimer);
      await sweeping;
      await webhooks.close();
      await edgeListener?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await background;
      await Promise.all(rekeys.values());
      await plugins.close();
      await db.close();
    },
  };
}
