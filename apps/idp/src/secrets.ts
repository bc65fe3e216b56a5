import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, Type } from '@openkcm/schema';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { DEV_TOOLS_CLIENT, SERVICE_CLIENTS } from './clients.js';

const JwksFile = Type.Object({
  keys: Type.Array(
    Type.Object(
      {
        kty: Type.String(),
        kid: Type.String(),
        alg: Type.String(),
        use: Type.String(),
        n: Type.String(),
        e: Type.String(),
        d: Type.String(),
      },
      { additionalProperties: true },
    ),
    { minItems: 1 },
  ),
});

const SecretsFile = Type.Object({
  clients: Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: { type: 'string', minLength: 32 },
  }),
  cookieKeys: Type.Array(Type.String({ minLength: 32 }), { minItems: 1 }),
});

export interface IdpSecrets {
  signingKeys: JWK[];
  clientSecrets: Record<string, string>;
  cookieKeys: string[];
}

async function readJson(path: string): Promise<unknown | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(
      `${path} is not valid JSON: ${(error as Error).message}; delete it to have it generated again`,
    );
  }
}

function parseFile<T>(path: string, parser: () => T): T {
  try {
    return parser();
  } catch (error) {
    throw new Error(`${path} is damaged (${(error as Error).message}); delete it to have it generated again`);
  }
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(12).toString('base64url'), alg: 'RS256', use: 'sig' };
}

/**
 * Signing keys and client secrets, generated on the first start and kept (0600) in the data
 * folder, so tokens issued before a restart still verify after it.
 */
export async function loadSecrets(dataDir: string): Promise<IdpSecrets> {
  const dir = join(dataDir, 'idp');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const jwksPath = join(dir, 'jwks.json');
  const secretsPath = join(dir, 'clients.json');

  const storedJwks = await readJson(jwksPath);
  let signingKeys: JWK[];
  if (storedJwks === undefined) {
    signingKeys = [await newSigningKey()];
    await writeFile(jwksPath, JSON.stringify({ keys: signingKeys }), { mode: 0o600 });
  } else {
    signingKeys = parseFile(jwksPath, () => parse(JwksFile, storedJwks)).keys as JWK[];
  }

  const storedSecrets = await readJson(secretsPath);
  const wanted = [...SERVICE_CLIENTS, DEV_TOOLS_CLIENT];
  let secrets =
    storedSecrets === undefined ? undefined : parseFile(secretsPath, () => parse(SecretsFile, storedSecrets));
  if (!secrets || wanted.some((client) => !secrets?.clients[client])) {
    const clients = { ...secrets?.clients };
    for (const client of wanted) clients[client] ??= randomBytes(32).toString('base64url');
    secrets = { clients, cookieKeys: secrets?.cookieKeys ?? [randomBytes(32).toString('base64url')] };
    await writeFile(secretsPath, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return { signingKeys, clientSecrets: secrets.clients, cookieKeys: secrets.cookieKeys };
}

/** The secret of a confidential client, for the product's own processes started next to the IdP. */
export async function readClientSecret(dataDir: string, clientId: string): Promise<string> {
  const path = join(dataDir, 'idp', 'clients.json');
  const stored = await readJson(path);
  if (stored === undefined) throw new Error(`${path} does not exist: start the dev IdP first`);
  const secret = parseFile(path, () => parse(SecretsFile, stored)).clients[clientId];
  if (!secret) throw new Error(`${path} has no secret for client ${clientId}`);
  return secret;
}
