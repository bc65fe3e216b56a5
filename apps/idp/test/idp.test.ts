import { createHash, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createTokenVerifier } from '@openkcm/auth';
import { idpToken, tempDir } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_TOOLS_CLIENT,
  DEV_USER_GRANT,
  type RunningIdp,
  readClientSecret,
  SHELL_CLIENT,
  startIdp,
} from '../src/index.js';
import { logoutPage } from '../src/login-page.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

let dir: Awaited<ReturnType<typeof tempDir>>;
let idp: RunningIdp;
let tokenEndpoint: string;

async function tokenRequest(clientId: string, secret: string, form: Record<string, string>) {
  return idpToken(idp.issuer, clientId, secret, form);
}

async function devToken(username: string) {
  return tokenRequest(DEV_TOOLS_CLIENT, await readClientSecret(dir.path, DEV_TOOLS_CLIENT), {
    grant_type: DEV_USER_GRANT,
    username,
  });
}

const verifier = () => createTokenVerifier({ issuer: idp.issuer, audience: 'openkcm' });

beforeAll(async () => {
  dir = await tempDir('openkcm-idp-');
  idp = await startIdp({ dataDir: dir.path, shellRedirectUris: [REDIRECT], log: () => {} });
  const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string
  >;
  tokenEndpoint = discovery.token_endpoint ?? '';
});
afterAll(async () => {
  await idp.close();
  await dir.remove();
});

describe('dev IdP', () => {
  it('publishes discovery and signing keys under a Keycloak-shaped issuer', async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/platform-mesh$/);
    const discovery = (await (
      await fetch(`${idp.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('issues a Keycloak-shaped JWT for a demo user through the dev grant', async () => {
    const { status, body } = await devToken('alice');
    expect(status).toBe(200);
    const principal = await verifier().verify(body.access_token);
    expect(principal).toMatchObject({
      kind: 'user',
      username: 'alice',
      system: false,
      grants: [{ workspace: 'root:orgs:acme', role: 'Admin' }],
    });
    const claims = JSON.parse(
      Buffer.from(String(body.access_token).split('.')[1] ?? '', 'base64url').toString(),
    );
    expect(claims).toMatchObject({
      aud: 'openkcm',
      azp: SHELL_CLIENT,
      typ: 'Bearer',
      preferred_username: 'alice',
      groups: ['/acme/admins'],
    });
    expect(claims.realm_access.roles).toEqual(['openkcm:admin:root:orgs:acme']);
  });

  it('refuses the dev grant for an unknown user or a wrong client secret', async () => {
    expect((await devToken('eve')).body.error).toBe('invalid_grant');
    const wrongSecret = await tokenRequest(DEV_TOOLS_CLIENT, 'x'.repeat(43), {
      grant_type: DEV_USER_GRANT,
      username: 'alice',
    });
    expect(wrongSecret.status).toBe(401);
    const otherClient = await tokenRequest(
      'openkcm-controller',
      await readClientSecret(dir.path, 'openkcm-controller'),
      { grant_type: DEV_USER_GRANT, username: 'alice' },
    );
    expect(otherClient.status).toBeGreaterThanOrEqual(400);
  });

  it('gives the product services a system identity through client credentials', async () => {
    const { status, body } = await tokenRequest(
      'openkcm-controller',
      await readClientSecret(dir.path, 'openkcm-controller'),
      { grant_type: 'client_credentials' },
    );
    expect(status).toBe(200);
    expect(await verifier().verify(body.access_token)).toMatchObject({
      kind: 'service',
      system: true,
      username: 'service-account-openkcm-controller',
    });
  });

  it('signs a user in with authorization code and PKCE through the login form', async () => {
    const cookies = new Map<string, string>();
    const send = async (url: string, init: RequestInit = {}) => {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: {
          ...(init.headers as Record<string, string>),
          cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        },
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const [name = '', value = ''] = pair.split('=');
        cookies.set(name, value);
      }
      return response;
    };
    const absolute = (location: string | null) => new URL(location ?? '', idp.issuer).href;
    const verifierCode = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifierCode).digest('base64url');
    const authorize = new URL(`${idp.issuer}/auth`);
    for (const [name, value] of Object.entries({
      client_id: SHELL_CLIENT,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'xyz',
    })) {
      authorize.searchParams.set(name, value);
    }
    const toLogin = await send(authorize.href);
    expect(toLogin.status).toBe(303);
    const loginUrl = absolute(toLogin.headers.get('location'));
    const form = await send(loginUrl);
    const html = await form.text();
    expect(html).toContain('<label for="username">');
    const action = absolute(/action="([^"]+)"/.exec(html)?.[1] ?? '');

    const wrong = await send(action, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('role="alert"');

    let next = await send(action, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=alice',
    });
    while (
      next.status >= 300 &&
      next.status < 400 &&
      !String(next.headers.get('location')).startsWith(REDIRECT)
    ) {
      next = await send(absolute(next.headers.get('location')));
    }
    const callback = new URL(String(next.headers.get('location')));
    expect(callback.searchParams.get('state')).toBe('xyz');
    const code = callback.searchParams.get('code') ?? '';
    const exchanged = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: SHELL_CLIENT,
        code_verifier: verifierCode,
      }),
    });
    const tokens = (await exchanged.json()) as Record<string, string>;
    expect(exchanged.status).toBe(200);
    expect(await verifier().verify(tokens.access_token)).toMatchObject({
      username: 'alice',
      grants: [{ workspace: 'root:orgs:acme', role: 'Admin' }],
    });
    expect(tokens.id_token).toBeTruthy();
  });

  it('keeps its keys across a restart so earlier tokens still verify, in files only the owner reads', async () => {
    const before = (await devToken('victor')).body.access_token ?? '';
    await idp.close();
    idp = await startIdp({
      dataDir: dir.path,
      port: Number(new URL(idp.issuer).port),
      shellRedirectUris: [REDIRECT],
      log: () => {},
    });
    expect(await verifier().verify(before)).toMatchObject({
      username: 'victor',
      grants: [{ role: 'Viewer' }],
    });
    for (const file of ['jwks.json', 'clients.json']) {
      expect((await stat(join(dir.path, 'idp', file))).mode & 0o777).toBe(0o600);
    }
  });

  it('shows its own sign-out and signed-out pages, which load nothing from elsewhere', async () => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      end_session_endpoint: string;
    };
    // Without a session the IdP submits its logout form by itself; with one it asks first.
    const confirm = await fetch(discovery.end_session_endpoint);
    const page = await confirm.text();
    expect(confirm.status).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1] ?? '';
    const fields = Object.fromEntries(
      [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((match) => [
        match[1],
        match[2],
      ]),
    );
    const done = await fetch(new URL(action, idp.issuer), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: confirm.headers.getSetCookie().join('; '),
      },
      body: new URLSearchParams({ ...fields, logout: 'yes' }),
    });
    const signedOut = await done.text();
    expect(signedOut).toContain('Signed out');
    expect(logoutPage('<form id="op.logoutForm"></form>')).toContain('Sign out?');
    for (const html of [page, signedOut]) {
      // Nothing but the IdP itself: no web-font CDN, no external stylesheet or script.
      const external = [...html.matchAll(/(?:https?:)?\/\/[^\s"')]+/g)].map((match) => match[0]);
      expect(external.filter((url) => !url.startsWith(new URL(idp.issuer).origin))).toEqual([]);
      expect(html).not.toMatch(/@import|<link|<script src/);
    }
  });
});
