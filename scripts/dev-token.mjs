#!/usr/bin/env node
// Prints an access token for a demo user of the dev IdP (development only).
//   npm run --silent dev-token -- alice
//   node scripts/dev-token.mjs --exec-credential alice   (kubectl exec credential plugin)
// Plain Node, no dependencies: it must work from a kubeconfig and before anything is built.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEV_TOOLS_CLIENT = 'openkcm-dev-tools';
const DEV_USER_GRANT = 'urn:openkcm:params:oauth:grant-type:dev-user';
const DEMO_USERS = ['alice', 'victor', 'mallory'];

class UsageError extends Error {}

async function readJson(path, missing) {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(missing);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON`);
  }
}

async function main(argv) {
  const execCredential = argv.includes('--exec-credential');
  const [user, ...extra] = argv.filter((arg) => arg !== '--exec-credential');
  if (!user || extra.length > 0)
    throw new UsageError(
      `usage: npm run --silent dev-token -- <user>   (demo users: ${DEMO_USERS.join(', ')})`,
    );

  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = resolve(process.env.OPENKCM_DATA_DIR ?? join(root, '.openkcm'));
  const notRunning = `the dev IdP is not running (no ${join(dataDir, 'endpoints.json')}): start the product with npm start`;
  const endpoints = await readJson(join(dataDir, 'endpoints.json'), notRunning);
  if (typeof endpoints.idp !== 'string') throw new UsageError(notRunning);
  const clients = await readJson(
    join(dataDir, 'idp', 'clients.json'),
    `${join(dataDir, 'idp', 'clients.json')} is missing: start the product with npm start`,
  );
  const secret = clients?.clients?.[DEV_TOOLS_CLIENT];
  if (typeof secret !== 'string')
    throw new UsageError(`${join(dataDir, 'idp', 'clients.json')} has no ${DEV_TOOLS_CLIENT} secret`);

  let discovery;
  try {
    const response = await fetch(`${endpoints.idp}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5000),
    });
    discovery = await response.json();
  } catch {
    throw new UsageError(`the dev IdP at ${endpoints.idp} does not answer: start the product with npm start`);
  }
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${DEV_TOOLS_CLIENT}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: DEV_USER_GRANT, username: user }),
    signal: AbortSignal.timeout(5000),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.access_token !== 'string') {
    if (body.error === 'invalid_grant')
      throw new UsageError(`"${user}" is not a demo user; use one of: ${DEMO_USERS.join(', ')}`);
    throw new UsageError(
      `the dev IdP refused the token request: ${body.error_description ?? body.error ?? response.status}`,
    );
  }
  if (!execCredential) return `${body.access_token}\n`;
  const expires = new Date(Date.now() + (Number(body.expires_in) || 300) * 1000 - 60_000);
  return `${JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: {
      token: body.access_token,
      expirationTimestamp: expires.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  })}\n`;
}

main(process.argv.slice(2)).then(
  (output) => process.stdout.write(output),
  (error) => {
    process.stderr.write(`dev-token: ${error instanceof UsageError ? error.message : error.stack}\n`);
    process.exitCode = 1;
  },
);
