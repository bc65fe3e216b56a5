import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { EdgeEvent } from '@openkcm/edge-protocol';
import { loadOrCreateServingCertificate } from '@openkcm/pki';
import { Gauge, Registry } from 'prom-client';
import { CmkLink, type CredentialStore } from './cmk-link.js';
import { DataPlane } from './data-plane.js';
import { EdgeError } from './edge-error.js';
import { httpApi } from './http-api.js';
import { KeyCache } from './key-cache.js';
import { startKmsServer } from './kms-v2.js';
import { UsageMeter } from './usage.js';
import { TrustBundle, workloadAuthenticator } from './workload-identity.js';

export interface EdgeOptions {
  /** Where the enrolled certificate comes from (a mounted Secret, or the Kubernetes API). */
  store: CredentialStore;
  /** The SPIFFE trust bundle (JWKS) of the workloads' trust domain. */
  trustBundleFile: string;
  trustDomain: string;
  /** What workloads' JWT-SVIDs must name in `aud`. */
  audience: string;
  host?: string;
  port?: number;
  /** An HTTPS listener that takes X.509-SVIDs (its serving certificate is kept in tlsDir). */
  mtls?: { port: number; tlsDir: string };
  /** The Kubernetes KMS v2 socket, the key it encrypts with and the SPIFFE ID its callers act as. */
  kms?: { socketPath: string; keyName: string; workload: string };
  /** How long keys are served while CMK is unreachable (default 5 minutes); then the edge fails closed. */
  partitionBoundMs?: number;
  usageFlushMs?: number;
  maxPayloadBytes?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningEdge {
  url: string;
  mtlsUrl: string | undefined;
  kmsSocket: string | undefined;
  /** Settles once the edge holds its credentials and has begun connecting to CMK. */
  enrolled: Promise<void>;
  /** Renews the client certificate now instead of at two thirds of its life (operators, tests). */
  renewCertificate(): Promise<void>;
  /** When the current client certificate expires (ms since the epoch), once enrolled. */
  certificateNotAfter(): number | undefined;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve(
        address.family === 'IPv6'
          ? `[${address.address}]:${address.port}`
          : `${address.address}:${address.port}`,
      );
    });
  });
}

/** Starts a Crypto Edge: it serves nothing until it has reached CMK once, then serves from memory. */
export async function startEdge(options: EdgeOptions): Promise<RunningEdge> {
  const log =
    options.log ??
    ((entry) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`));
  const partitionBoundMs = options.partitionBoundMs ?? 300_000;
  const bundle = await TrustBundle.load(options.trustBundleFile);
  const usage = new UsageMeter();

  let cache: KeyCache | undefined;
  const onEvent = (event: EdgeEvent) => {
    if (!cache) return;
    if (event.type === 'hello') {
      if (event.reset) cache.clear();
      cache.applyTenant(event.tenant.state);
    } else if (event.type === 'key') cache.applyKey(event.name, event.key);
    else if (event.type === 'tenant') cache.applyTenant(event.state);
  };
  // Enrollment may wait (for OpenKCM to be enabled, for the controller): the edge listens meanwhile and says so.
  let link: CmkLink | undefined;
  let stopped = false;
  const enrolled = options.store.load().then(
    (credentials) => {
      if (stopped) return;
      link = new CmkLink(credentials, {
        store: options.store,
        onEvent,
        onRevoked: () => cache?.clear(),
        log,
      });
      link.start();
      log({ level: 'info', msg: 'enrolled: connecting to CMK', cmk: credentials.cmkUrl });
    },
    (error: unknown) => log({ level: 'error', msg: 'enrollment failed', error: (error as Error).message }),
  );
  const guard = () => {
    if (!link)
      throw new EdgeError(
        'UNAVAILABLE',
        'this edge is waiting for its enrollment (its CryptoEdge credentials); it serves no keys yet',
      );
    if (link.revokedReason)
      throw new EdgeError(
        'UNAVAILABLE',
        `this edge was deregistered and serves no keys: ${link.revokedReason}`,
      );
    if (link.lastContact === undefined)
      throw new EdgeError(
        'UNAVAILABLE',
        'this edge has not reached CMK yet: a starting edge needs CMK before it serves keys',
      );
    const silence = Date.now() - link.lastContact;
    if (silence > partitionBoundMs)
      throw new EdgeError(
        'UNAVAILABLE',
        `CMK has been unreachable since ${new Date(link.lastContact).toISOString()}, longer than the partition bound of ${Math.round(partitionBoundMs / 1000)} s: this edge refuses every key until CMK is back`,
        { partitionBoundSeconds: Math.round(partitionBoundMs / 1000) },
      );
  };
  cache = new KeyCache(
    {
      keyMaterial: (name, version) => {
        if (!link) throw new EdgeError('UNAVAILABLE', 'this edge is not enrolled yet');
        return link.keyMaterial(name, version);
      },
    },
    guard,
  );
  const heldKeys = cache;
  const dataPlane = new DataPlane(heldKeys, usage);

  // Past the bound, the material itself goes: failing closed must not depend on every caller checking.
  let failedClosed = false;
  const partitionWatch = setInterval(
    () => {
      const silent = link?.lastContact !== undefined && Date.now() - link.lastContact > partitionBoundMs;
      if (silent && !failedClosed) {
        failedClosed = true;
        heldKeys.clear();
        log({
          level: 'error',
          msg: 'CMK unreachable beyond the partition bound: all keys dropped, serving nothing',
          partitionBoundMs,
        });
      } else if (!silent && failedClosed) {
        failedClosed = false;
        log({ level: 'info', msg: 'CMK reachable again: serving keys' });
      }
    },
    Math.min(1000, partitionBoundMs / 4),
  );
  partitionWatch.unref();

  const flushUsage = async () => {
    const items = usage.take();
    if (items.length === 0) return;
    if (!link) return usage.giveBack(items);
    await link.reportUsage(items).catch((error: unknown) => {
      usage.giveBack(items);
      log({
        level: 'warn',
        msg: 'usage report to CMK failed; kept for the next one',
        error: (error as Error).message,
      });
    });
  };
  const usageTimer = setInterval(() => void flushUsage(), options.usageFlushMs ?? 10_000);
  usageTimer.unref();

  const registry = new Registry();
  new Gauge({
    name: 'openkcm_edge_keys_held',
    help: 'Keys whose material this edge holds in memory',
    registers: [registry],
    collect() {
      this.set(heldKeys.size);
    },
  });
  new Gauge({
    name: 'openkcm_edge_cmk_connected',
    help: '1 while the change stream from CMK is open',
    registers: [registry],
    collect() {
      this.set(link?.streaming ? 1 : 0);
    },
  });
  const readiness = () => {
    try {
      guard();
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: (error as Error).message };
    }
  };
  const handler = httpApi({
    dataPlane,
    authenticate: workloadAuthenticator({
      bundle,
      trustDomain: options.trustDomain,
      audience: options.audience,
    }),
    readiness,
    registry,
    maxPayloadBytes: options.maxPayloadBytes ?? 64 * 1024,
    log,
  });

  const host = options.host ?? '127.0.0.1';
  const server = createHttpServer({ keepAliveTimeout: 65_000 }, handler);
  const servers: Server[] = [server];
  const address = await listen(server, options.port ?? 0, host);
  let mtlsUrl: string | undefined;
  if (options.mtls && bundle.x509Authorities.length > 0) {
    const serving = await loadOrCreateServingCertificate(options.mtls.tlsDir, 'crypto-edge');
    const secure = createHttpsServer(
      {
        cert: serving.certPem,
        key: serving.keyPem,
        ca: bundle.x509Authorities,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      handler,
    );
    servers.push(secure);
    mtlsUrl = `https://${await listen(secure, options.mtls.port, host)}`;
  }
  const kms = options.kms
    ? await startKmsServer({
        ...options.kms,
        dataPlane,
        status: async () => {
          try {
            const resolved = await heldKeys.resolve(options.kms?.keyName ?? '');
            return { version: resolved.version };
          } catch (error) {
            return { problem: (error as Error).message };
          }
        },
      })
    : undefined;

  return {
    url: `http://${address}`,
    mtlsUrl,
    kmsSocket: options.kms?.socketPath,
    enrolled,
    async renewCertificate() {
      if (!link) throw new Error('the edge is not enrolled yet');
      await link.renew();
    },
    certificateNotAfter: () => link?.certificateNotAfter,
    async close() {
      stopped = true;
      clearInterval(partitionWatch);
      clearInterval(usageTimer);
      await Promise.race([flushUsage(), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await kms?.close();
      await Promise.all(
        servers.map(
          (each) =>
            new Promise<void>((resolve) => {
              each.close(() => resolve());
              each.closeAllConnections();
            }),
        ),
      );
      link?.close();
      heldKeys.clear();
    },
  };
}
