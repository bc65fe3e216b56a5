import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type EdgeEvent, type KeyMaterialResponse, UsageReport } from '@openkcm/edge-protocol';
import type { CertificateIssuerService } from '@openkcm/plugin-sdk';
import { parse, SchemaValidationError } from '@openkcm/schema';
import { errorBody, readJsonBody, sendJson } from '../api/http.js';
import type { KeyChainContext } from '../keychain/context.js';
import { changesSince, currentRevision } from '../keychain/edge-feed.js';
import { edgeKeyState, findEdge, issueEdgeCertificate, recordUsage, touchEdge } from '../keychain/edges.js';
import { CmkError } from '../keychain/errors.js';
import { unwrapVersion } from '../keychain/service-keys.js';
import { getTenant } from '../keychain/tenants.js';

export interface EdgeListenerOptions {
  host: string;
  port: number;
  /** The listener's own serving certificate (PEM), and the CA edges trust it by. */
  serving: { certPem: string; keyPem: string; caPem: string };
  issuer: CertificateIssuerService;
  /** How often a stream says it is alive; the edge counts silence against its partition bound. */
  heartbeatMs?: number;
  log: (entry: Record<string, unknown>) => void;
}

interface EdgeIdentity {
  id: string;
  name: string;
  tenantId: string;
  workspace: string;
  validityHours: number;
  certificateNotAfter: number;
}

type Registration = Omit<EdgeIdentity, 'certificateNotAfter'>;

/** Tenant and edge IDs are UUIDs. */
const EDGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_PATH = /^\/edge\/v1\/keys\/([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/;
/** A registration is looked up again after this long, so a deregistration on another replica is seen within seconds. */
const REGISTRATION_TTL_MS = 2000;

/**
 * The edge's tenant and registration, from the SPIFFE URI SAN of its client certificate
 * (`spiffe://<trust domain>/tenant/<tenant ID>/<edge ID>`), checked on every request.
 */
function certificateIdentity(request: IncomingMessage): {
  tenantId: string;
  edgeId: string;
  notAfter: number;
} {
  const socket = request.socket as TLSSocket;
  const certificate = socket.getPeerCertificate();
  if (!socket.authorized || !certificate?.subjectaltname)
    throw new CmkError('UNAUTHENTICATED', 'a client certificate issued to a Crypto Edge is required');
  const uris = certificate.subjectaltname
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice(4));
  const match = uris.length === 1 ? /^spiffe:\/\/[^/]+\/tenant\/([^/]+)\/([^/]+)$/.exec(uris[0] ?? '') : null;
  if (!match?.[1] || !match[2] || !EDGE_ID.test(match[1]) || !EDGE_ID.test(match[2]))
    throw new CmkError(
      'UNAUTHENTICATED',
      'the client certificate does not name a tenant and an edge in its SAN',
    );
  const notAfter = Date.parse(certificate.valid_to);
  if (!(notAfter > Date.now()))
    throw new CmkError('UNAUTHENTICATED', 'the client certificate has expired; renew it before it expires');
  return { tenantId: match[1], edgeId: match[2], notAfter };
}

export interface RunningEdgeListener {
  url: string;
  /** Forgets an edge at once: its open streams end and its next request is refused. */
  revoked(edgeId: string): void;
  close(): Promise<void>;
}

/** CMK's dedicated mTLS listener for Crypto Edges (FR-2.2, FR-2.3): each edge reaches its own tenant only. */
export async function startEdgeListener(
  keychain: KeyChainContext,
  options: EdgeListenerOptions,
): Promise<RunningEdgeListener> {
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const registrations = new Map<string, { edge: Registration | undefined; checkedAt: number }>();
  const streams = new Map<string, Set<() => void>>();

  async function identify(request: IncomingMessage): Promise<EdgeIdentity> {
    const fromCertificate = certificateIdentity(request);
    let cached = registrations.get(fromCertificate.edgeId);
    if (!cached || Date.now() - cached.checkedAt >= REGISTRATION_TTL_MS) {
      cached = {
        edge: await findEdge(keychain.db, fromCertificate.tenantId, fromCertificate.edgeId),
        checkedAt: Date.now(),
      };
      registrations.set(fromCertificate.edgeId, cached);
    }
    if (!cached.edge || cached.edge.tenantId !== fromCertificate.tenantId)
      throw new CmkError(
        'PERMISSION_DENIED',
        'this Crypto Edge is not registered (it was deleted or never enrolled); create its CryptoEdge resource and use the certificate the controller provides',
      );
    return { ...cached.edge, certificateNotAfter: fromCertificate.notAfter };
  }

  async function keyMaterial(edge: EdgeIdentity, name: string, query: URLSearchParams) {
    const state = await edgeKeyState(keychain.db, edge.tenantId, name);
    if (!state)
      throw new CmkError('NOT_FOUND', `ServiceEncryptionKey "${name}" does not exist in ${edge.workspace}`);
    const raw = query.get('version');
    const version = raw === null ? state.currentVersion : /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : 0;
    if (version === 0)
      throw new CmkError('INVALID_ARGUMENT', 'version must be a whole number from 1 to 999999999');
    const material = await unwrapVersion(keychain, edge.workspace, name, version);
    try {
      return {
        key: state,
        tenantId: edge.tenantId,
        version,
        material: material.toString('base64'),
      } satisfies KeyMaterialResponse;
    } finally {
      material.fill(0);
    }
  }

  async function streamChanges(
    edge: EdgeIdentity,
    request: IncomingMessage,
    response: ServerResponse,
    query: URLSearchParams,
  ): Promise<void> {
    const raw = query.get('since') ?? '0';
    if (!/^\d{1,15}$/.test(raw)) throw new CmkError('INVALID_ARGUMENT', 'since must be a revision number');
    let sent = Number(raw);
    const latest = await currentRevision(keychain.db, edge.tenantId);
    const tenant = await getTenant(keychain.db, edge.workspace);
    response.writeHead(200, {
      'Content-Type': 'application/x-ndjson',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    const write = (event: EdgeEvent) => response.write(`${JSON.stringify(event)}\n`);
    // An edge that remembers a revision CMK never reached (restored from an older backup) starts over.
    const reset = sent > latest;
    // A fresh edge holds nothing, so the history is of no use to it: it starts at the present.
    if (reset || sent === 0) sent = latest;
    write({
      type: 'hello',
      revision: sent,
      reset,
      edge: { name: edge.name },
      tenant: { state: tenant.state },
    });
    await touchEdge(keychain.db, edge.id);

    let closed = false;
    let pumping: Promise<void> | undefined;
    let again = false;
    const pump = async (): Promise<void> => {
      do {
        again = false;
        for (const change of await changesSince(keychain.db, edge.tenantId, sent)) {
          if (closed) return;
          if (change.kind === 'tenant') {
            const current = await getTenant(keychain.db, edge.workspace);
            write({ type: 'tenant', revision: change.revision, state: current.state });
          } else {
            write({
              type: 'key',
              revision: change.revision,
              name: change.name,
              key: await edgeKeyState(keychain.db, edge.tenantId, change.name),
            });
          }
          sent = change.revision;
        }
      } while (again && !closed);
    };
    const wake = () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = pump()
        .catch((error: unknown) => {
          options.log({
            level: 'warn',
            msg: 'edge stream failed',
            edge: edge.name,
            error: (error as Error).message,
          });
          end();
        })
        .finally(() => {
          pumping = undefined;
        });
    };
    const unsubscribe = keychain.edgeFeed.subscribe(edge.tenantId, wake);
    const heartbeat = setInterval(() => {
      write({ type: 'heartbeat', revision: sent, at: new Date().toISOString() });
      void touchEdge(keychain.db, edge.id).catch(() => undefined);
    }, heartbeatMs);
    // The stream lives no longer than the certificate it was opened with: the edge reconnects with its renewed one.
    const expiry = setTimeout(() => end(), Math.max(0, edge.certificateNotAfter - Date.now()));
    const live = streams.get(edge.id) ?? new Set<() => void>();
    streams.set(edge.id, live);
    function end() {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(expiry);
      live.delete(end);
      response.end();
    }
    live.add(end);
    request.on('close', end);
    wake();
    await pumping;
    if (!closed) write({ type: 'synced', revision: sent });
  }

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://cmk-edge');
    if (url.pathname === '/healthz') return sendJson(response, 200, { status: 'ok' }, requestId);
    const edge = await identify(request);
    if (request.method === 'GET' && url.pathname === '/edge/v1/changes')
      return streamChanges(edge, request, response, url.searchParams);
    const key = KEY_PATH.exec(url.pathname);
    if (request.method === 'GET' && key?.[1])
      return sendJson(response, 200, await keyMaterial(edge, key[1], url.searchParams), requestId);
    if (request.method === 'POST' && url.pathname === '/edge/v1/usage') {
      let body: UsageReport;
      try {
        body = parse(UsageReport, (await readJsonBody(request)) ?? {});
      } catch (error) {
        if (error instanceof SchemaValidationError)
          throw new CmkError('INVALID_ARGUMENT', `the usage report is invalid: ${error.message}`);
        throw error;
      }
      await recordUsage(keychain, edge, body.items);
      return sendJson(response, 202, { accepted: body.items.length }, requestId);
    }
    if (request.method === 'POST' && url.pathname === '/edge/v1/certificate') {
      const issued = await issueEdgeCertificate(keychain, options.issuer, edge);
      return sendJson(response, 200, issued, requestId);
    }
    throw new CmkError('NOT_FOUND', `no edge API at ${request.method} ${url.pathname}`);
  }

  const clientCa = await options.issuer.trustBundle();
  const server: Server = createServer(
    {
      cert: options.serving.certPem,
      key: options.serving.keyPem,
      ca: clientCa,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    },
    (request, response) => {
      const requestId = randomUUID();
      handle(request, response, requestId).catch((error: unknown) => {
        const failure =
          error instanceof CmkError
            ? error
            : new CmkError('INTERNAL', `internal error; quote request ID ${requestId} when reporting it`);
        if (!(error instanceof CmkError))
          options.log({
            level: 'error',
            msg: 'edge request failed',
            requestId,
            error: (error as Error).message,
          });
        if (!response.headersSent)
          sendJson(response, failure.status, errorBody(failure, requestId), requestId);
        else response.end();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `https://${host}:${address.port}`,
    revoked(edgeId) {
      registrations.set(edgeId, { edge: undefined, checkedAt: Date.now() });
      for (const end of streams.get(edgeId) ?? []) end();
      streams.delete(edgeId);
    },
    async close() {
      for (const live of streams.values()) for (const end of live) end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
