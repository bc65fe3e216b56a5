import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_TOOLS_CLIENT, DEV_USER_GRANT, type RunningIdp, readClientSecret, startIdp } from '@openkcm/idp';
import { type RunningPlatform, startPlatform } from '@openkcm/local-stack';
import { idpToken, tempDir } from '@openkcm/testkit';
import { type CmkOptions, type RunningCmk, startCmk } from '../src/index.js';

export const CONFIG = new URL('../config.yaml', import.meta.url).pathname;

/** The account workspaces of the platform under test (with OpenKCM bound), as `npm start` has them. */
export const PLATFORM_WORKSPACES = ['root:orgs:acme', 'root:orgs:acme:team-a', 'root:orgs:globex'];

export interface CmkHarness {
  cmk: RunningCmk;
  idp: RunningIdp;
  platform: RunningPlatform;
  dataDir: string;
  /** A clock the test moves forward (scheduled rotations, waiting periods). */
  clock: { now: Date; advance(seconds: number): void };
  token(user: 'alice' | 'victor' | 'mallory' | 'controller'): Promise<string>;
  call(
    user: 'alice' | 'victor' | 'mallory' | 'controller' | undefined,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  restart(extra?: Partial<CmkOptions>): Promise<void>;
  close(): Promise<void>;
}

async function tokenRequest(
  idp: RunningIdp,
  clientId: string,
  secret: string,
  form: Record<string, string>,
): Promise<string> {
  return (await idpToken(idp.issuer, clientId, secret, form)).body.access_token ?? '';
}

/** A real CMK (local-profile, PGlite or PostgreSQL) with a real dev IdP, in a temporary data folder. */
export async function startHarness(extra: Partial<CmkOptions> = {}): Promise<CmkHarness> {
  const dir = await tempDir('openkcm-cmk-');
  const idp = await startIdp({ dataDir: dir.path, log: () => {} });
  // The platform CMK's system-information plugin reads: regions, AccountInfos, the hierarchy.
  const platform = await startPlatform({
    dataDir: dir.path,
    issuerUrl: idp.issuer,
    workspaces: PLATFORM_WORKSPACES,
  });
  await mkdir(join(dir.path, 'secrets'), { recursive: true });
  await writeFile(
    join(dir.path, 'secrets', 'local-keystore.passphrase'),
    randomBytes(24).toString('base64url'),
    { mode: 0o600 },
  );
  const clock = {
    now: new Date(),
    advance(seconds: number) {
      clock.now = new Date(clock.now.getTime() + seconds * 1000);
    },
  };
  const options: CmkOptions = {
    dataDir: dir.path,
    configFile: CONFIG,
    profile: 'local-profile',
    now: () => clock.now,
    schedulerMaxSleepMs: 100,
    log: () => {},
    ...extra,
    env: { OIDC_ISSUER: idp.issuer, ...platform.cmkEnv, ...extra.env },
  };
  let cmk = await startCmk(options);
  const tokens = new Map<string, string>();
  const harness: CmkHarness = {
    get cmk() {
      return cmk;
    },
    idp,
    platform,
    dataDir: dir.path,
    clock,
    async token(user) {
      const cached = tokens.get(user);
      if (cached) return cached;
      const token =
        user === 'controller'
          ? await tokenRequest(
              idp,
              'openkcm-controller',
              await readClientSecret(dir.path, 'openkcm-controller'),
              { grant_type: 'client_credentials' },
            )
          : await tokenRequest(idp, DEV_TOOLS_CLIENT, await readClientSecret(dir.path, DEV_TOOLS_CLIENT), {
              grant_type: DEV_USER_GRANT,
              username: user,
            });
      tokens.set(user, token);
      return token;
    },
    async call(user, method, path, body) {
      const response = await fetch(`${cmk.url}${path}`, {
        method,
        headers: {
          ...(user ? { Authorization: `Bearer ${await harness.token(user)}` } : {}),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : {} };
    },
    async restart(more = {}) {
      await cmk.close();
      cmk = await startCmk({ ...options, ...more });
    },
    async close() {
      await cmk.close();
      await platform.stop();
      await idp.close();
      await dir.remove();
    },
  };
  return harness;
}

export const ACME = '/api/v1/tenants/root:orgs:acme';
