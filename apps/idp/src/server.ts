import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ISSUER_PATH } from './clients.js';
import { handleInteraction } from './interactions.js';
import { createProvider } from './provider.js';
import { loadSecrets } from './secrets.js';

export interface IdpOptions {
  dataDir: string;
  host?: string;
  port?: number;
  shellRedirectUris?: string[];
  shellOrigins?: string[];
  accessTokenTtlSeconds?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningIdp {
  issuer: string;
  url: string;
  close(): Promise<void>;
}

type MountedRequest = IncomingMessage & { originalUrl?: string };

/** Starts the dev IdP. The port is bound first because the issuer URL contains it. */
export async function startIdp(options: IdpOptions): Promise<RunningIdp> {
  const log =
    options.log ??
    ((entry) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`));
  const secrets = await loadSecrets(options.dataDir);
  let handler: ((request: MountedRequest, response: import('node:http').ServerResponse) => void) | undefined;
  const server = createServer((request, response) => {
    if (!handler) {
      response.writeHead(503).end();
      return;
    }
    handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  const issuer = `${url}${ISSUER_PATH}`;
  const provider = createProvider({
    issuer,
    secrets,
    shellRedirectUris: options.shellRedirectUris ?? [],
    shellOrigins: options.shellOrigins ?? [],
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
  });
  provider.on('server_error', (_ctx, error) =>
    log({ level: 'error', msg: 'idp error', error: error.message }),
  );
  provider.on('grant.error', (_ctx, error) =>
    log({ level: 'warn', msg: 'token request refused', error: error.message }),
  );
  const callback = provider.callback();

  handler = (request, response) => {
    const original = request.url ?? '/';
    if (!original.startsWith(ISSUER_PATH)) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found; the issuer is ${issuer}`);
      return;
    }
    // Mounted the way Express mounts it: the provider reads its mount path from originalUrl.
    request.originalUrl = original;
    request.url = original.slice(ISSUER_PATH.length) || '/';
    const path = request.url.split('?')[0] ?? '/';
    if (path.startsWith('/interaction/')) {
      handleInteraction(provider, request, response, path).catch((error: unknown) => {
        log({ level: 'warn', msg: 'sign-in failed', error: (error as Error).message });
        if (!response.headersSent) response.writeHead(400, { 'Content-Type': 'text/plain' });
        response.end('The sign-in could not be completed. Start again from the application.');
      });
      return;
    }
    callback(request, response);
  };

  return {
    issuer,
    url: issuer,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
