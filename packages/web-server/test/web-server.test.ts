import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { tempDir } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStaticSite, urlOf } from '../src/index.js';

describe('serving a built browser app', () => {
  let server: Server;
  let base: string;
  let remove: () => Promise<void>;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  beforeAll(async () => {
    const dir = await tempDir();
    remove = dir.remove;
    await mkdir(join(dir.path, 'assets'));
    await writeFile(join(dir.path, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(dir.path, 'remoteEntry.js'), script);
    await writeFile(join(dir.path, 'main.0123456789abcdef0123.js'), script);
    await writeFile(join(dir.path, 'assets', '72-Regular.0123456789abcdef0123.woff2'), Buffer.alloc(2048, 7));
    server = await serveStaticSite(
      {
        root: dir.path,
        fallback: 'index.html',
        documents: { '/config.json': () => ({ bffUrl: 'http://bff' }) },
        htmlHeaders: { 'Content-Security-Policy': "default-src 'self'" },
      },
      0,
    );
    base = urlOf(server);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await remove();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

  it('sends hashed files compressed and cacheable for a year, entry points revalidated', async () => {
    const hashed = await get('/main.0123456789abcdef0123.js', { 'Accept-Encoding': 'gzip' });
    expect(hashed.headers.get('content-encoding')).toBe('gzip');
    expect(hashed.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Number(hashed.headers.get('content-length'))).toBeLessThan(script.length / 10);
    expect(await hashed.text()).toBe(script);
    const entry = await get('/remoteEntry.js', { 'Accept-Encoding': 'br, gzip' });
    expect(entry.headers.get('content-encoding')).toBe('br');
    expect(entry.headers.get('cache-control')).toBe('no-cache');
    expect(entry.headers.get('access-control-allow-origin')).toBe('*');
    const font = await get('/assets/72-Regular.0123456789abcdef0123.woff2', { 'Accept-Encoding': 'gzip' });
    expect(font.headers.get('content-encoding')).toBeNull();
    expect(font.headers.get('content-type')).toBe('font/woff2');
  });

  it('answers a revalidation with 304 and no body', async () => {
    const first = await get('/remoteEntry.js');
    const again = await get('/remoteEntry.js', { 'If-None-Match': first.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);
  });

  it('serves the app page for client-side routes, with its headers, and 404 for missing files', async () => {
    const route = await get('/workspaces/root:orgs:acme/keychain');
    expect(route.status).toBe(200);
    expect(route.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(await route.text()).toContain('<title>app</title>');
    expect((await get('/missing.js')).status).toBe(404);
    expect(await (await get('/config.json')).json()).toEqual({ bffUrl: 'http://bff' });
    expect((await fetch(`${base}/index.html`, { method: 'POST' })).status).toBe(405);
  });

  it('answers broken encodings with 400 and traversal with 404, and keeps serving', async () => {
    for (const path of ['/%E0%A4%A', '/workspaces/%ZZ/keychain', '/%'])
      expect((await get(path)).status, path).toBe(400);
    for (const path of ['/..%2F..%2Fpackage.json', '/assets/..%2F..%2F..%2Fetc%2Fpasswd.js'])
      expect((await get(path)).status, path).toBe(404);
    expect((await get('/remoteEntry.js')).status).toBe(200);
  });
});
