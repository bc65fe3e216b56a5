import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { API_VERSION, ROTATE_NOW_ANNOTATION } from '@openkcm/api';
import { bearerToken, TokenRejectedError, type TokenVerifier } from '@openkcm/auth';
import { KubeClient, KubeError, type KubeObject, keychainPath } from '@openkcm/kube-client';
import { parse, Type } from '@openkcm/schema';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { ApiError, toApiError } from './errors.js';
import { overview, topology } from './views.js';

export interface BffOptions {
  controlPlaneUrl: string;
  controlPlaneCa?: string;
  verifier: TokenVerifier;
  allowedOrigins: string[];
  logger: Logger;
}

const NAME = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 });
const AccountBody = Type.Object({
  name: NAME,
  providerType: Type.String({ maxLength: 32 }),
  keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
  region: Type.Optional(Type.String({ maxLength: 64 })),
  displayName: Type.Optional(Type.String({ maxLength: 256 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
});
const RekeyBody = Type.Object({
  keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
  confirm: Type.String({ maxLength: 63 }),
});
const KeyBody = Type.Object({
  name: NAME,
  accountRef: Type.Object({ name: NAME }),
  rotationSchedule: Type.Optional(Type.String({ maxLength: 16 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
});
const KeyPatch = Type.Object({
  rotationSchedule: Type.Optional(Type.String({ maxLength: 16 })),
  state: Type.Optional(
    Type.Unsafe<'Enabled' | 'Disabled'>({ type: 'string', enum: ['Enabled', 'Disabled'] }),
  ),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
});

const NAMESPACE = 'default';
const WORKSPACE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(:[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

interface Locals {
  requestId: string;
  token: string;
  kube: KubeClient;
  workspace: string;
}

function locals(response: Response): Locals {
  return response.locals as Locals;
}

/** The BFF as an Express app: checks the token, then acts with the user's own token upstream. */
export function createApp(options: BffOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
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
  app.get('/readyz', (_request, response) => void response.json({ status: 'ready' }));
  app.use(
    '/api',
    rateLimit({
      windowMs: 60_000,
      limit: 1200,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_request, _response, next) =>
        next(new ApiError(429, 'RATE_LIMITED', 'too many requests; slow down and try again in a minute')),
    }),
  );
  app.use('/api', express.json({ limit: '64kb' }));

  const api = express.Router();
  api.use(async (request, response, next) => {
    try {
      await options.verifier.verify(bearerToken(request.header('authorization')));
      response.locals.token = bearerToken(request.header('authorization'));
      response.locals.kube = new KubeClient(
        options.controlPlaneUrl,
        String(response.locals.token),
        options.controlPlaneCa,
      );
      next();
    } catch (error) {
      if (error instanceof TokenRejectedError)
        next(new ApiError(error.problem === 'unverifiable' ? 503 : 401, 'UNAUTHENTICATED', error.message));
      else next(error);
    }
  });
  api.param('workspace', (_request, response, next, value: string) => {
    if (!WORKSPACE.test(value))
      return next(
        new ApiError(400, 'INVALID_ARGUMENT', `"${value}" is not a workspace path such as root:orgs:acme`),
      );
    response.locals.workspace = value;
    next();
  });
  const handle =
    (work: (request: Request, response: Response) => Promise<unknown>) =>
    (request: Request, response: Response, next: NextFunction) => {
      work(request, response).then((body) => {
        if (!response.headersSent) response.status(response.statusCode || 200).json(body);
      }, next);
    };
  const path = (response: Response, plural: string, name?: string) =>
    keychainPath(locals(response).workspace, NAMESPACE, plural, name);
  const items = async (response: Response, plural: string) =>
    (await locals(response).kube.request<{ items: KubeObject[] }>('GET', path(response, plural))).items;
  const bindingPath = (response: Response) =>
    `/clusters/${locals(response).workspace}/apis/apis.kcp.io/v1alpha1/apibindings`;
  const tenantName = (workspace: string) => `tenant-${workspace.replaceAll(':', '-')}`;
  const optional = async (read: Promise<KubeObject>) =>
    read.catch((error: unknown) => {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    });

  const W = '/workspaces/:workspace';
  api.get(
    `${W}/openkcm`,
    handle(async (_request, response) => {
      const binding = await optional(locals(response).kube.get(`${bindingPath(response)}/openkcm`));
      const tenant = await optional(
        locals(response).kube.get(path(response, 'tenants', tenantName(locals(response).workspace))),
      );
      return { enabled: binding !== undefined, tenant: tenant ?? null };
    }),
  );
  api.put(
    `${W}/openkcm`,
    handle(async (_request, response) => {
      await locals(response)
        .kube.request('POST', bindingPath(response), {
          apiVersion: 'apis.kcp.io/v1alpha1',
          kind: 'APIBinding',
          metadata: { name: 'openkcm' },
          spec: { reference: { export: { path: 'root:openkcm', name: 'keychain.openkcm.io' } } },
        })
        .catch((error: unknown) => {
          if (!(error instanceof KubeError && error.status === 409)) throw error;
        });
      return { enabled: true };
    }),
  );
  api.delete(
    `${W}/openkcm`,
    handle(async (_request, response) => {
      await optional(locals(response).kube.request('DELETE', `${bindingPath(response)}/openkcm`));
      return { enabled: false };
    }),
  );

  api.get(
    `${W}/accounts`,
    handle(async (_request, response) => ({ items: await items(response, 'accounts') })),
  );
  api.get(
    `${W}/accounts/:name`,
    handle(async (request, response) =>
      locals(response).kube.get(path(response, 'accounts', String(request.params.name))),
    ),
  );
  api.post(
    `${W}/accounts`,
    handle(async (request, response) => {
      const body = parse(AccountBody, request.body);
      const { name, ...spec } = body;
      response.status(201);
      return locals(response).kube.request('POST', path(response, 'accounts'), {
        apiVersion: API_VERSION,
        kind: 'Account',
        metadata: { name },
        spec,
      });
    }),
  );
  api.post(
    `${W}/accounts/:name/rekey`,
    handle(async (request, response) => {
      const name = String(request.params.name);
      const body = parse(RekeyBody, request.body);
      if (body.confirm !== name)
        throw new ApiError(
          400,
          'CONFIRMATION_REQUIRED',
          `type the Account name "${name}" to confirm the re-key`,
          { field: 'confirm' },
        );
      return locals(response).kube.mergePatch(path(response, 'accounts', name), {
        spec: { keyReference: body.keyReference },
      });
    }),
  );
  api.delete(
    `${W}/accounts/:name`,
    handle(async (request, response) => {
      const name = String(request.params.name);
      const dependents = (await items(response, 'serviceencryptionkeys'))
        .filter((key) => (key.spec?.accountRef as { name?: string } | undefined)?.name === name)
        .map((key) => key.metadata.name);
      if (dependents.length > 0) {
        throw new ApiError(
          409,
          'ACCOUNT_IN_USE',
          `Account "${name}" still protects ${dependents.length} service key(s); delete or move them first: ${dependents.join(', ')}`,
          { dependents },
        );
      }
      return locals(response).kube.request('DELETE', path(response, 'accounts', name));
    }),
  );

  api.get(
    `${W}/keys`,
    handle(async (request, response) => {
      const account = typeof request.query.account === 'string' ? request.query.account : undefined;
      const all = await items(response, 'serviceencryptionkeys');
      return {
        items: account
          ? all.filter((key) => (key.spec?.accountRef as { name?: string } | undefined)?.name === account)
          : all,
      };
    }),
  );
  api.get(
    `${W}/keys/:name`,
    handle(async (request, response) =>
      locals(response).kube.get(path(response, 'serviceencryptionkeys', String(request.params.name))),
    ),
  );
  api.post(
    `${W}/keys`,
    handle(async (request, response) => {
      const { name, ...spec } = parse(KeyBody, request.body);
      response.status(201);
      return locals(response).kube.request('POST', path(response, 'serviceencryptionkeys'), {
        apiVersion: API_VERSION,
        kind: 'ServiceEncryptionKey',
        metadata: { name },
        spec,
      });
    }),
  );
  api.patch(
    `${W}/keys/:name`,
    handle(async (request, response) =>
      locals(response).kube.mergePatch(path(response, 'serviceencryptionkeys', String(request.params.name)), {
        spec: parse(KeyPatch, request.body),
      }),
    ),
  );
  api.post(
    `${W}/keys/:name/rotate`,
    handle(async (request, response) =>
      locals(response).kube.mergePatch(path(response, 'serviceencryptionkeys', String(request.params.name)), {
        metadata: { annotations: { [ROTATE_NOW_ANNOTATION]: new Date().toISOString() } },
      }),
    ),
  );
  api.delete(
    `${W}/keys/:name`,
    handle(async (request, response) =>
      locals(response).kube.request(
        'DELETE',
        path(response, 'serviceencryptionkeys', String(request.params.name)),
      ),
    ),
  );

  api.get(
    `${W}/overview`,
    handle(async (_request, response) => {
      const [tenant, accounts, keys] = await Promise.all([
        optional(
          locals(response).kube.get(path(response, 'tenants', tenantName(locals(response).workspace))),
        ),
        items(response, 'accounts'),
        items(response, 'serviceencryptionkeys'),
      ]);
      return overview(tenant, accounts, keys, new Date());
    }),
  );
  api.get(
    `${W}/topology`,
    handle(async (_request, response) => {
      const [accounts, keys] = await Promise.all([
        items(response, 'accounts'),
        items(response, 'serviceencryptionkeys'),
      ]);
      return topology(accounts, keys);
    }),
  );
  api.get(`${W}/events`, (request, response, next) => {
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
          : toApiError(error);
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
  const streams = ['tenants', 'accounts', 'serviceencryptionkeys'].map((plural) => {
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
  });
}
