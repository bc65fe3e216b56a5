import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  parse,
  parseUntrustedJson,
  SchemaValidationError,
  type TSchema,
  UntrustedJsonError,
} from '@openkcm/schema';
import type { SpiffeId } from '@openkcm/spiffe';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { DataPlane } from './data-plane.js';
import { EdgeError, errorBody } from './edge-error.js';
import { openApiDocument, requestBodies } from './openapi.js';

const OPERATION_PATH = /^\/v1\/keys\/([^/]{1,253})\/(encrypt|decrypt|datakey|rewrap)$/;
const KEY_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface HttpApiOptions {
  dataPlane: DataPlane;
  authenticate: (socket: TLSSocket | undefined, authorization: string | undefined) => Promise<SpiffeId>;
  readiness: () => { ready: boolean; reason?: string };
  registry: Registry;
  maxPayloadBytes: number;
  log: (entry: Record<string, unknown>) => void;
}

function send(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Request-ID': requestId,
  });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage, limit: number, maxPayloadBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  const tooLarge = () =>
    new EdgeError(
      'PAYLOAD_TOO_LARGE',
      `the data may be at most ${maxPayloadBytes} bytes per call; use datakey for larger data (envelope encryption)`,
      {
        limitBytes: maxPayloadBytes,
      },
    );
  if (declared > limit) {
    request.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      request.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (size > 0 && type !== 'application/json')
    throw new EdgeError(
      'INVALID_ARGUMENT',
      `send the body as application/json (got ${type || 'no content type'})`,
    );
  try {
    return size === 0 ? {} : parseUntrustedJson(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    if (error instanceof UntrustedJsonError) throw new EdgeError('INVALID_ARGUMENT', error.message);
    throw new EdgeError('INVALID_ARGUMENT', 'the request body is not valid JSON');
  }
}

function validated<T extends TSchema>(schema: T, body: unknown) {
  try {
    return parse(schema, body);
  } catch (error) {
    if (error instanceof SchemaValidationError)
      throw new EdgeError('INVALID_ARGUMENT', `the request body is invalid: ${error.message}`, {
        causes: error.causes,
      });
    throw error;
  }
}

/** The data plane over HTTP/JSON: `/v1/keys/{name}/encrypt|decrypt|datakey|rewrap`, health, metrics and the OpenAPI document. */
export function httpApi(options: HttpApiOptions) {
  const bodies = requestBodies(options.maxPayloadBytes);
  // Base64 grows data by 4/3; the rest of the JSON is small.
  const bodyLimit = Math.ceil(options.maxPayloadBytes / 3) * 4 + 16_384;
  const document = openApiDocument(options.maxPayloadBytes);
  const requests = new Counter({
    name: 'openkcm_edge_requests_total',
    help: 'Data-plane calls by operation and outcome (the error code, or ok)',
    labelNames: ['operation', 'outcome'],
    registers: [options.registry],
  });
  const latency = new Histogram({
    name: 'openkcm_edge_request_duration_seconds',
    help: 'Data-plane call latency by operation',
    labelNames: ['operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [options.registry],
  });

  async function operate(request: IncomingMessage, operation: keyof typeof bodies, name: string) {
    if (!KEY_NAME.test(name))
      throw new EdgeError('INVALID_ARGUMENT', 'the key name in the path is not an object name');
    const workload = await options.authenticate(
      'encrypted' in request.socket ? (request.socket as TLSSocket) : undefined,
      request.headers.authorization,
    );
    const raw = await readBody(request, bodyLimit, options.maxPayloadBytes);
    const plane = options.dataPlane;
    switch (operation) {
      case 'encrypt': {
        const body = validated(bodies.encrypt, raw);
        const plaintext = Buffer.from(body.plaintext, 'base64');
        if (plaintext.length > options.maxPayloadBytes)
          throw new EdgeError(
            'PAYLOAD_TOO_LARGE',
            `the data may be at most ${options.maxPayloadBytes} bytes per call`,
            {
              limitBytes: options.maxPayloadBytes,
            },
          );
        return plane.encrypt(name, workload.text, plaintext, body.context ?? '');
      }
      case 'decrypt': {
        const body = validated(bodies.decrypt, raw);
        const result = await plane.decrypt(name, workload.text, body.ciphertext, body.context ?? '');
        try {
          return { plaintext: result.plaintext.toString('base64'), version: result.version };
        } finally {
          result.plaintext.fill(0);
        }
      }
      case 'datakey': {
        const body = validated(bodies.datakey, raw);
        const result = await plane.datakey(name, workload.text, body.context ?? '');
        try {
          return {
            plaintext: result.plaintext.toString('base64'),
            ciphertext: result.ciphertext,
            version: result.version,
          };
        } finally {
          result.plaintext.fill(0);
        }
      }
      case 'rewrap': {
        const body = validated(bodies.rewrap, raw);
        return plane.rewrap(name, workload.text, body.ciphertext, body.context ?? '');
      }
    }
  }

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<void> {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://edge').pathname);
    } catch {
      throw new EdgeError('INVALID_ARGUMENT', 'the path is not valid percent-encoding');
    }
    if (path === '/healthz') return send(response, 200, { status: 'ok' }, requestId);
    if (path === '/readyz') {
      const readiness = options.readiness();
      return send(response, readiness.ready ? 200 : 503, readiness, requestId);
    }
    if (path === '/metrics') {
      response.writeHead(200, { 'Content-Type': options.registry.contentType });
      return void response.end(await options.registry.metrics());
    }
    if (path === '/v1/openapi.json') return send(response, 200, document, requestId);
    const match = OPERATION_PATH.exec(path);
    if (!match) throw new EdgeError('NOT_FOUND', `no API at ${path}; see /v1/openapi.json`);
    if (request.method !== 'POST')
      throw new EdgeError('INVALID_ARGUMENT', `${request.method} is not allowed here; use POST`);
    const operation = match[2] as keyof typeof bodies;
    const stopTimer = latency.startTimer({ operation });
    try {
      const result = await operate(request, operation, match[1] ?? '');
      requests.inc({ operation, outcome: 'ok' });
      send(response, 200, result, requestId);
    } catch (error) {
      requests.inc({ operation, outcome: error instanceof EdgeError ? error.code : 'INTERNAL' });
      throw error;
    } finally {
      stopTimer();
    }
  }

  return (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    handle(request, response, requestId).catch((error: unknown) => {
      const failure =
        error instanceof EdgeError
          ? error
          : new EdgeError('INTERNAL', `internal error; quote request ID ${requestId} when reporting it`);
      if (!(error instanceof EdgeError))
        options.log({ level: 'error', msg: 'request failed', requestId, error: (error as Error).message });
      if (!response.headersSent) send(response, failure.status, errorBody(failure, requestId), requestId);
      else response.end();
    });
  };
}
