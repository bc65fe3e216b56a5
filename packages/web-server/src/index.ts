import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
/** Already compressed: gzip would only cost CPU. */
const INCOMPRESSIBLE = new Set(['.png', '.woff2', '.woff', '.ico']);
/** Names webpack gives content-hashed files (`[name].[contenthash].js`, `[contenthash].woff2`). */
const HASHED = /[.-][0-9a-f]{16,}\.[a-z0-9]+$/;

interface Asset {
  type: string;
  etag: string;
  immutable: boolean;
  identity: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

export interface StaticSiteOptions {
  /** The built app (its `dist` folder). */
  root: string;
  /** Served for paths that are not files, so client-side routes survive a reload. */
  fallback?: string;
  /** Dynamic documents next to the files, e.g. the shell's `/config.json`. */
  documents?: Record<string, () => unknown>;
  /** Extra headers for HTML documents (Content-Security-Policy). */
  htmlHeaders?: Record<string, string>;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/**
 * Every file of the build, read and compressed once at start: the apps are a few megabytes, and
 * compressing per request would spend the CPU the API processes share.
 */
export async function loadAssets(root: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for await (const file of walk(root)) {
    if (file.endsWith('.map')) continue;
    const identity = await readFile(file);
    const extension = extname(file);
    const compress = !INCOMPRESSIBLE.has(extension) && identity.length > 512;
    assets.set(`/${relative(root, file).split(sep).join('/')}`, {
      type: TYPES[extension] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
      immutable: HASHED.test(file),
      identity,
      ...(compress
        ? {
            gzip: gzipSync(identity, { level: 9 }),
            br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
          }
        : {}),
    });
  }
  return assets;
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  asset: Asset,
  extra: Record<string, string>,
) {
  // Hashed names never change content; everything else (HTML, remoteEntry.js) is revalidated.
  response.setHeader('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  response.setHeader('ETag', asset.etag);
  response.setHeader('Content-Type', asset.type);
  response.setHeader('Vary', 'Accept-Encoding');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(extra)) response.setHeader(name, value);
  if (request.headers['if-none-match'] === asset.etag) {
    response.writeHead(304).end();
    return;
  }
  const accepted = String(request.headers['accept-encoding'] ?? '');
  const [encoding, body] =
    asset.br && /\bbr\b/.test(accepted)
      ? ['br', asset.br]
      : asset.gzip && /\bgzip\b/.test(accepted)
        ? ['gzip', asset.gzip]
        : [undefined, asset.identity];
  if (encoding) response.setHeader('Content-Encoding', encoding);
  response.setHeader('Content-Length', body.length);
  response.writeHead(200).end(request.method === 'HEAD' ? undefined : body);
}

/** An HTTP server for a built browser app; resolves once it listens. */
export async function serveStaticSite(options: StaticSiteOptions, port: number): Promise<Server> {
  const assets = await loadAssets(options.root);
  if (assets.size === 0)
    throw new Error(`${options.root} is empty: build the web apps with npm run build:web`);
  const server = createServer((request, response) => {
    // The remote's files are fetched by hosts on other origins (the Console, the dev shell).
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
    } catch {
      // A path that does not decode once brought the whole server down.
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end('the path is not valid percent-encoding');
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const document = options.documents?.[path];
    if (document) {
      response.setHeader('Cache-Control', 'no-cache');
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(document()));
      return;
    }
    const asset =
      assets.get(path === '/' ? '/index.html' : path) ??
      (options.fallback && extname(path) === '' ? assets.get(`/${options.fallback}`) : undefined);
    if (!asset) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    send(request, response, asset, asset.type.startsWith('text/html') ? (options.htmlHeaders ?? {}) : {});
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
