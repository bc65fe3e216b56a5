import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import {
  bearerToken,
  type Principal,
  roleInWorkspace,
  TokenRejectedError,
  type TokenVerifier,
} from '@openkcm/auth';
import { KubeClient, type KubeObject, keychainPath } from '@openkcm/kube-client';
import { requestJson } from '@openkcm/pki';
import { assertSafeJson, parse, UntrustedJsonError } from '@openkcm/schema';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { ApiError, toApiError } from './errors.js';
import { RequestMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import type { RouteContext } from './route-kit.js';
import { ROUTES } from './routes.js';

export interface BffOptions {
  controlPlaneUrl: string;
  cmkUrl: string;
  controlPlaneCa?: string;
  verifier: TokenVerifier;
  allowedOrigins: string[];
  /** Requests per minute before 429, per signed-in user, or per client address without a valid token (defaults to 1200). */
  rateLimitPerMinute?: number;
  /**
   * Express's `trust proxy`: which proxies may say who the client is in X-Forwarded-For (for
   * example `loopback` or `10.0.0.0/8`). Unset, the socket's address counts, so a client cannot
   * choose its own rate-limit bucket.
   */
  trustProxy?: string;
  /** Event streams one user may hold open at once (defaults to 16); each costs four upstream watches. */
  maxStreamsPerUser?: number;
  logger: Logger;
}

const NAMESPACE = 'default';
const WORKSPACE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(:[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** Kubernetes object names (RFC 1123 subdomains): a parameter can only name an object, never a path. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

interface Locals {
  requestId: string;
  token: string;
  kube: KubeClient;
  workspace: string;
  principal: Principal;
}

function locals(response: Response): Locals {
  return response.locals as Locals;
}

/** Express's own refusals (a path that does not decode, a body it cannot read) are the caller's mistake. */
function clientError(error: unknown): ApiError | undefined {
  if (error instanceof URIError)
    return new ApiError(400, 'INVALID_ARGUMENT', 'the request path is not valid percent-encoding');
  // http-errors marks what Express and body-parser refuse as safe to expose.
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  if (expose !== true || typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return new ApiError(status, 'INVALID_ARGUMENT', 'the request cannot be read; check its body and headers');
}

/**
 * Authorization before anything else a route would tell (a 409, a 404, a dependents list): a
 * role in the workspace to read, Admin to change.
 */
function refusal(principal: Principal, workspace: string, write: boolean): ApiError | undefined {
  const role = principal.system ? 'Admin' : roleInWorkspace(principal.grants, workspace);
  if (!role) return new ApiError(403, 'PERMISSION_DENIED', `you have no role in workspace ${workspace}`);
  if (write && role !== 'Admin')
    return new ApiError(
      403,
      'PERMISSION_DENIED',
      `a Viewer of ${workspace} can read but not change anything; ask an Admin of the workspace`,
    );
  return undefined;
}

/** The BFF as an Express app: checks the token, then acts with the user's own token upstream. */
export function createApp(options: BffOptions): express.Express {
  const app = express();
  const document = openApiDocument(ROUTES);
  const metrics = new RequestMetrics();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(helmet());
  app.use(
    cors({
      origin: options.allowedOrigins,
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-ID', 'Last-Event-ID'],
      exposedHeaders: ['X-Request-ID'],
    }),
  );
  app.use((request, response, next) => {
    const incoming = request.header('x-request-id');
    const requestId = incoming && /^[A-Za-z0-9._-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    response.locals.requestId = requestId;
    response.setHeader('X-Request-ID', requestId);
    const started = performance.now();
    response.on('finish', () => {
      metrics.observe(
        request.route?.path ?? 'unmatched',
        request.method,
        response.statusCode,
        (performance.now() - started) / 1000,
      );
      options.logger.info(
        {
          requestId,
          method: request.method,
          path: request.path,
          status: response.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    });
    next();
  });
  app.get('/healthz', (_request, response) => void response.json({ status: 'ok' }));
  app.get('/readyz', (_request, response) => {
    // Ready when the APIs it forwards to answer; it holds no state of its own.
    const probe = (url: string, ca?: string) =>
      requestJson(url, { timeoutMs: 2000, ...(ca ? { ca } : {}) }).then(
        (result) => result.status === 200,
        () => false,
      );
    void Promise.all([
      probe(`${options.controlPlaneUrl}/readyz`, options.controlPlaneCa),
      probe(`${options.cmkUrl}/healthz`),
    ]).then(([controlPlane, cmk]) => {
      response
        .status(controlPlane && cmk ? 200 : 503)
        .json({ status: controlPlane && cmk ? 'ready' : 'waiting for upstream', controlPlane, cmk });
    });
  });
  app.get(
    '/metrics',
    (_request, response) => void response.type('text/plain; version=0.0.4').send(metrics.render()),
  );
  app.use('/api', express.json({ limit: '64kb' }), (request, _response, next) => {
    try {
      assertSafeJson(request.body);
      next();
    } catch (error) {
      next(
        error instanceof UntrustedJsonError ? new ApiError(400, 'INVALID_ARGUMENT', error.message) : error,
      );
    }
  });
  // One bucket per signed-in user, whatever address or X-Forwarded-For they send; requests
  // without a valid token share their client address's bucket.
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: options.rateLimitPerMinute ?? 1200,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (request, response) => {
      const principal = (response.locals as Partial<Locals>).principal;
      // An IPv6 client owns a whole /56: one bucket for it, not one per address.
      return principal ? `user:${principal.subject}` : `address:${ipKeyGenerator(request.ip ?? 'unknown')}`;
    },
    handler: (_request, _response, next) =>
      next(new ApiError(429, 'RATE_LIMITED', 'too many requests; slow down and try again in a minute')),
  });

  const api = express.Router();
  api.get('/openapi.json', (_request, response) => void response.json(document));
  api.use(async (request, response, next) => {
    try {
      response.locals.principal = await options.verifier.verify(bearerToken(request.header('authorization')));
      response.locals.token = bearerToken(request.header('authorization'));
      response.locals.kube = new KubeClient(
        options.controlPlaneUrl,
        String(response.locals.token),
        options.controlPlaneCa,
        { 'X-Request-ID': response.locals.requestId },
      );
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) return next(error);
      response.locals.authError = new ApiError(
        error.problem === 'unverifiable' ? 503 : 401,
        'UNAUTHENTICATED',
        error.message,
      );
    }
    next();
  });
  api.use(limiter);
  api.use((_request, response, next) => next(response.locals.authError));
  api.param('workspace', (_request, response, next, value: string) => {
    if (!WORKSPACE.test(value))
      return next(
        new ApiError(400, 'INVALID_ARGUMENT', `"${value}" is not a workspace path such as root:orgs:acme`),
      );
    response.locals.workspace = value;
    next();
  });
  api.param('name', (_request, _response, next, value: string) => {
    if (!OBJECT_NAME.test(value))
      return next(
        new ApiError(
          400,
          'INVALID_ARGUMENT',
          'the name in the path is not a Kubernetes object name (lowercase letters, digits, "-" and ".")',
        ),
      );
    next();
  });
  for (const route of ROUTES) {
    api[route.method](route.path, (request: Request, response: Response, next: NextFunction) => {
      const { token, workspace, requestId, principal } = locals(response);
      const refused =
        workspace === undefined ? undefined : refusal(principal, workspace, route.method !== 'get');
      if (refused) return next(refused);
      const context: RouteContext = {
        workspace,
        principal: locals(response).principal,
        params: Object.fromEntries(
          Object.entries(request.params).map(([key, value]) => [key, String(value)]),
        ),
        query: request.query as Record<string, unknown>,
        kube: locals(response).kube,
        async cmk(method, apiPath, body) {
          const result = await requestJson(`${options.cmkUrl}/api/v1${apiPath}`, {
            method,
            headers: {
              Authorization: `Bearer ${token}`,
              'X-Request-ID': requestId,
              ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            timeoutMs: 10_000,
          });
          return { status: result.status, body: (result.body ?? {}) as Record<string, unknown> };
        },
      };
      const run = async () =>
        route.handle(context, route.body ? parse(route.body, request.body ?? {}) : undefined);
      run().then((body) => {
        if (!response.headersSent) response.status(route.status ?? 200).json(body);
      }, next);
    });
  }
  const openStreams = new Map<string, number>();
  api.get('/workspaces/:workspace/events', (request, response, next) => {
    const { principal, workspace } = locals(response);
    const refused = refusal(principal, workspace, false);
    if (refused) return next(refused);
    const subject = principal.subject;
    const open = openStreams.get(subject) ?? 0;
    if (open >= (options.maxStreamsPerUser ?? 16))
      return next(
        new ApiError(
          429,
          'TOO_MANY_STREAMS',
          `you have ${open} live event streams open already; close other tabs of the console and try again`,
        ),
      );
    openStreams.set(subject, open + 1);
    response.once('close', () => {
      const left = (openStreams.get(subject) ?? 1) - 1;
      if (left > 0) openStreams.set(subject, left);
      else openStreams.delete(subject);
    });
    streamEvents(options, request, response).catch(next);
  });

  app.use('/api/v1', api);
  app.use((_request, _response, next) =>
    next(new ApiError(404, 'NOT_FOUND', 'no such API; see the README for the routes')),
  );
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const parsed =
      (error as { type?: string; status?: number }).type === 'entity.too.large'
        ? new ApiError(413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than 64 KiB')
        : (error as { type?: string }).type === 'entity.parse.failed'
          ? new ApiError(400, 'INVALID_ARGUMENT', 'the request body is not valid JSON')
          : (clientError(error) ?? toApiError(error));
    if (parsed.status >= 500)
      options.logger.error(
        { requestId: response.locals.requestId, error: (error as Error).message },
        'request failed',
      );
    if (response.headersSent) return void response.end();
    response.status(parsed.status).json({
      code: parsed.code,
      message: parsed.message,
      status: parsed.status,
      requestID: response.locals.requestId,
      details: parsed.details,
    });
  });
  return app;
}

/**
 * Server-Sent Events of the workspace's key chain, fed by Kubernetes watches made with the user's
 * own token; the event id is the resourceVersion, so a reconnect resumes with Last-Event-ID.
 */
async function streamEvents(options: BffOptions, request: Request, response: Response): Promise<void> {
  const { token, workspace } = locals(response);
  const lastEventId =
    request.header('last-event-id') ??
    (typeof request.query.since === 'string' ? request.query.since : undefined);
  const resume = lastEventId && /^\d+$/.test(lastEventId) ? lastEventId : undefined;
  const kube = locals(response).kube;
  let from = resume;
  if (!from) {
    const list = await kube.request<{ metadata: { resourceVersion: string } }>(
      'GET',
      keychainPath(workspace, NAMESPACE, 'accounts'),
    );
    from = list.metadata.resourceVersion;
  }
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  response.write(`retry: 2000\n: watching ${workspace} from ${from}\n\n`);
  const streams = ['tenants', 'accounts', 'serviceencryptionkeys', 'webhooknotifications'].map((plural) => {
    const url = new URL(
      `${options.controlPlaneUrl}${keychainPath(workspace, NAMESPACE, plural)}?watch=true&allowWatchBookmarks=false&resourceVersion=${from}`,
    );
    const upstream = httpsRequest(
      url,
      {
        headers: { Authorization: `Bearer ${token}` },
        ...(options.controlPlaneCa ? { ca: options.controlPlaneCa } : {}),
      },
      (watch) => {
        let buffer = '';
        watch.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            newline = buffer.indexOf('\n');
            const event = JSON.parse(line) as { type: string; object: KubeObject };
            if (event.type === 'ERROR') {
              response.write(
                `event: resync\ndata: ${JSON.stringify({ reason: 'the position is too old; reload the views' })}\n\n`,
              );
              continue;
            }
            response.write(
              `id: ${event.object.metadata.resourceVersion}\nevent: change\ndata: ${JSON.stringify({ type: event.type, kind: event.object.kind, name: event.object.metadata.name, object: event.object })}\n\n`,
            );
          }
        });
      },
    );
    upstream.on('error', () => response.end());
    upstream.end();
    return upstream;
  });
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
  request.on('close', () => {
    clearInterval(heartbeat);
    for (const stream of streams) stream.destroy();
    // Node keeps a client's half-closed socket open while the response is unfinished, and an
    // event stream never finishes by itself: without this every closed stream kept its socket.
    response.destroy();
  });
}
