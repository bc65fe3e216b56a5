import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadOrCreateServingCertificate } from '@openkcm/pki';
import { tempDir } from '../temp-dir.js';

/**
 * A test double of an OpenBao server, written from OpenBao's published HTTP API (Transit secrets
 * engine, AppRole and Kubernetes auth, token renew/lookup, namespaces, sys/health) for the parts
 * OpenKCM's plugin uses. It speaks HTTPS with a CA of its own and keeps its own clock, so token
 * lifetimes can be tested without waiting. Never started by the product.
 */

type Capability = 'create' | 'read' | 'update' | 'delete' | 'list' | 'sudo' | 'deny';
export type PolicyRules = Record<string, Capability[]>;

interface TransitKey {
  versions: Array<{ material: Buffer; createdAt: number }>;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  deletionAllowed: boolean;
}

interface Role {
  policies: string[];
  ttl: number;
  maxTtl: number;
  noDefaultPolicy: boolean;
}

interface Token {
  namespace: string;
  policies: string[];
  issuedAt: number;
  expiresAt: number;
  maxExpiresAt: number;
  ttl: number;
  accessor: string;
}

interface Namespace {
  policies: Map<string, PolicyRules>;
  /** mount → key name → key */
  transit: Map<string, Map<string, TransitKey>>;
  appRoles: Map<string, Role & { roleId: string; secretIds: Set<string> }>;
  kubernetesRoles: Map<string, Role & { serviceAccountToken: string }>;
}

/** OpenBao's `default` policy, as far as tokens are concerned. */
const DEFAULT_POLICY: PolicyRules = {
  'auth/token/lookup-self': ['read'],
  'auth/token/renew-self': ['update'],
  'auth/token/revoke-self': ['update'],
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors.join('; '));
  }
}
const denied = () => new ApiError(403, ['1 error occurred:\n\t* permission denied\n\n']);

export interface OpenBaoRequest {
  method: string;
  path: string;
  namespace: string;
  status: number;
}

export interface OpenBaoDouble {
  /** https://127.0.0.1:<port> */
  readonly address: string;
  readonly caPem: string;
  /** The CA bundle written to a file, as a mounted ConfigMap would be. */
  readonly caFile: string;
  /** The DNS name in the server certificate (the address is an IP, so clients must set it). */
  readonly serverName: string;
  /** Every request answered, in order (what the plugin called, and what it got). */
  readonly requests: OpenBaoRequest[];
  now(): number;
  /** Moves this server's clock forward. */
  advance(seconds: number): void;
  createNamespace(path: string): void;
  enableTransit(namespace: string, mount?: string): void;
  createKey(namespace: string, mount: string, name: string): void;
  rotateKey(namespace: string, mount: string, name: string): void;
  configureKey(
    namespace: string,
    mount: string,
    name: string,
    config: { minDecryptionVersion?: number; deletionAllowed?: boolean },
  ): void;
  writePolicy(namespace: string, name: string, rules: PolicyRules): void;
  addAppRole(
    namespace: string,
    name: string,
    role: { policies: string[]; ttl?: number; maxTtl?: number; noDefaultPolicy?: boolean },
  ): { roleId: string; secretId: string };
  revokeSecretIds(namespace: string, name: string): void;
  addKubernetesRole(
    namespace: string,
    name: string,
    role: { policies: string[]; serviceAccountToken: string; ttl?: number; maxTtl?: number },
  ): void;
  /** Revokes every token issued so far (an operator's `bao token revoke`). */
  revokeTokens(): void;
  seal(): void;
  unseal(): void;
  /** Stops listening (the server is down); `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const HOUR = 3600;

function globMatches(pattern: string, path: string): boolean {
  const prefix = pattern.endsWith('*');
  const patternParts = (prefix ? pattern.slice(0, -1) : pattern).split('/');
  const pathParts = path.split('/');
  if (!prefix && patternParts.length !== pathParts.length) return false;
  return patternParts.every((part, index) => {
    const actual = pathParts[index];
    if (actual === undefined) return false;
    if (part === '+') return true;
    return prefix && index === patternParts.length - 1 ? actual.startsWith(part) : actual === part;
  });
}

function sealAesGcm(key: Buffer, plaintext: Buffer, aad: Buffer | undefined): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  if (aad) cipher.setAAD(aad);
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function openAesGcm(key: Buffer, sealed: Buffer, aad: Buffer | undefined): Buffer {
  if (sealed.length < 28) throw new ApiError(400, ['invalid ciphertext: too short']);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  } catch {
    throw new ApiError(400, ['cipher: message authentication failed']);
  }
}

function base64Field(body: Record<string, unknown>, field: string): Buffer | undefined {
  const value = body[field];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
    throw new ApiError(400, [`failed to base64-decode ${field}`]);
  return Buffer.from(value, 'base64');
}

export async function startOpenBaoDouble(options: { serverName?: string } = {}): Promise<OpenBaoDouble> {
  const serverName = options.serverName ?? 'openbao.test.internal';
  const dir = await tempDir('openbao-double-');
  const certificate = await loadOrCreateServingCertificate(dir.path, 'OpenBao double', [serverName]);
  const caFile = join(dir.path, 'ca-bundle.pem');
  await writeFile(caFile, certificate.caPem);

  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  let sealed = false;
  const namespaces = new Map<string, Namespace>();
  const tokens = new Map<string, Token>();
  const requests: OpenBaoRequest[] = [];

  const newNamespace = (): Namespace => ({
    policies: new Map(),
    transit: new Map(),
    appRoles: new Map(),
    kubernetesRoles: new Map(),
  });
  namespaces.set('', newNamespace());
  const normalise = (path: string) => path.replace(/^\/+|\/+$/g, '');
  const namespaceAt = (path: string): Namespace => {
    const found = namespaces.get(normalise(path));
    if (!found) throw new ApiError(404, [`namespace not found: ${path}`]);
    return found;
  };
  const transitKey = (namespace: string, mount: string, name: string): TransitKey => {
    const key = namespaceAt(namespace).transit.get(mount)?.get(name);
    if (!key) throw new Error(`no transit key ${mount}/${name} in namespace "${namespace}"`);
    return key;
  };

  function issueToken(namespace: string, role: Role): Record<string, unknown> {
    const id = `s.${randomBytes(18).toString('base64url')}`;
    const policies = role.noDefaultPolicy ? [...role.policies] : ['default', ...role.policies];
    const token: Token = {
      namespace,
      policies,
      issuedAt: now(),
      expiresAt: now() + role.ttl * 1000,
      maxExpiresAt: now() + role.maxTtl * 1000,
      ttl: role.ttl,
      accessor: randomUUID(),
    };
    tokens.set(id, token);
    return {
      client_token: id,
      accessor: token.accessor,
      policies,
      token_policies: policies,
      metadata: {},
      lease_duration: role.ttl,
      renewable: true,
      entity_id: randomUUID(),
      token_type: 'service',
      orphan: true,
    };
  }

  /** The token's policies allow `capability` on `path` (relative to the request's namespace). */
  function authorise(token: Token, requestNamespace: string, path: string, capability: Capability): void {
    // A token may be used in its namespace and below; paths are matched relative to its namespace.
    let relative: string;
    if (requestNamespace === token.namespace) relative = '';
    else if (token.namespace === '') relative = requestNamespace;
    else if (requestNamespace.startsWith(`${token.namespace}/`))
      relative = requestNamespace.slice(token.namespace.length + 1);
    else throw denied();
    const fullPath = normalise(`${relative}/${path}`);
    const home = namespaceAt(token.namespace);
    const granted = new Set<Capability>();
    for (const policyName of token.policies) {
      const rules = policyName === 'default' ? DEFAULT_POLICY : home.policies.get(policyName);
      for (const [pattern, capabilities] of Object.entries(rules ?? {}))
        if (globMatches(pattern, fullPath)) for (const granted_ of capabilities) granted.add(granted_);
    }
    if (granted.has('deny') || !granted.has(capability)) throw denied();
  }

  function tokenFor(request: IncomingMessage): { id: string; token: Token } {
    const header = request.headers['x-vault-token'];
    const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    const id = (Array.isArray(header) ? header[0] : header) ?? bearer;
    const token = id ? tokens.get(id) : undefined;
    if (!id || !token || token.expiresAt <= now()) throw denied();
    return { id, token };
  }

  function keyData(name: string, key: TransitKey): Record<string, unknown> {
    return {
      name,
      type: 'aes256-gcm96',
      deletion_allowed: key.deletionAllowed,
      derived: false,
      exportable: false,
      allow_plaintext_backup: false,
      keys: Object.fromEntries(
        key.versions.map((version, index) => [String(index + 1), Math.floor(version.createdAt / 1000)]),
      ),
      latest_version: key.versions.length,
      min_available_version: 0,
      min_decryption_version: key.minDecryptionVersion,
      min_encryption_version: key.minEncryptionVersion,
      supports_encryption: true,
      supports_decryption: true,
      supports_derivation: true,
      supports_signing: false,
      auto_rotate_period: 0,
      imported_key: false,
    };
  }

  function encryptOne(key: TransitKey, item: Record<string, unknown>): Record<string, unknown> {
    const plaintext = base64Field(item, 'plaintext') ?? Buffer.alloc(0);
    const requested = typeof item.key_version === 'number' ? item.key_version : 0;
    const version = requested || key.versions.length;
    if (version > key.versions.length || version < Math.max(1, key.minEncryptionVersion))
      throw new ApiError(400, ['requested version for encryption is not valid']);
    const material = key.versions[version - 1]?.material ?? Buffer.alloc(32);
    const sealedBytes = sealAesGcm(material, plaintext, base64Field(item, 'associated_data'));
    return { ciphertext: `vault:v${version}:${sealedBytes.toString('base64')}`, key_version: version };
  }

  function decryptOne(key: TransitKey, item: Record<string, unknown>): Record<string, unknown> {
    const text = item.ciphertext;
    if (typeof text !== 'string') throw new ApiError(400, ['missing ciphertext to decrypt']);
    const match = /^vault:v(\d+):(.*)$/.exec(text);
    if (!match) throw new ApiError(400, ['invalid ciphertext: no prefix']);
    const version = Number(match[1]);
    if (version < key.minDecryptionVersion)
      throw new ApiError(400, ['ciphertext or signature version is disallowed by policy (too old)']);
    const material = key.versions[version - 1]?.material;
    if (!material) throw new ApiError(400, ['invalid ciphertext: version not found']);
    const opened = openAesGcm(
      material,
      Buffer.from(match[2] ?? '', 'base64'),
      base64Field(item, 'associated_data'),
    );
    return { plaintext: opened.toString('base64') };
  }

  /** Runs one item, or a `batch_input` whose items fail one by one as OpenBao reports them. */
  function batchable(
    body: Record<string, unknown>,
    run: (item: Record<string, unknown>) => Record<string, unknown>,
  ): Record<string, unknown> {
    if (!Array.isArray(body.batch_input)) return run(body);
    return {
      batch_results: body.batch_input.map((item: unknown) => {
        try {
          return run((item ?? {}) as Record<string, unknown>);
        } catch (error) {
          if (error instanceof ApiError) return { error: error.errors.join('; ') };
          throw error;
        }
      }),
    };
  }

  type Reply = { status: number; body?: unknown };
  const data = (body: Record<string, unknown>): Reply => ({
    status: 200,
    body: { data: body, warnings: null },
  });
  const auth = (body: Record<string, unknown>, warnings: string[] | null = null): Reply => ({
    status: 200,
    body: { auth: body, data: null, warnings, lease_duration: 0, renewable: false },
  });

  function loginRole(
    namespace: Namespace,
    kind: 'approle' | 'kubernetes',
    body: Record<string, unknown>,
  ): Role {
    if (kind === 'approle') {
      const role = [...namespace.appRoles.values()].find((candidate) => candidate.roleId === body.role_id);
      if (!role || typeof body.secret_id !== 'string' || !role.secretIds.has(body.secret_id))
        throw new ApiError(400, ['invalid role or secret ID']);
      return role;
    }
    if (typeof body.role !== 'string' || typeof body.jwt !== 'string')
      throw new ApiError(400, ['missing role or jwt']);
    const role = namespace.kubernetesRoles.get(body.role);
    if (!role) throw new ApiError(400, [`invalid role name "${body.role}"`]);
    // The real server asks the cluster's TokenReview API; the double knows the one valid token.
    if (body.jwt !== role.serviceAccountToken) throw denied();
    return role;
  }

  function handle(
    method: string,
    namespacePath: string,
    path: string,
    request: IncomingMessage,
    body: Record<string, unknown>,
  ): Reply {
    if (path === 'sys/health' && method === 'GET')
      return {
        status: sealed ? 503 : 200,
        body: { initialized: true, sealed, standby: false, version: '2.1.0' },
      };
    if (sealed) throw new ApiError(503, ['Vault is sealed']);
    const namespace = namespaceAt(namespacePath);

    const login = /^auth\/(.+)\/login$/.exec(path);
    if (login && method === 'POST') {
      const mount = login[1] ?? '';
      const kind = mount.startsWith('approle') ? 'approle' : 'kubernetes';
      return auth(issueToken(normalise(namespacePath), loginRole(namespace, kind, body)));
    }

    const { id, token } = tokenFor(request);
    const _capability: Capability =
      method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : method === 'LIST' ? 'list' : 'update';

    if (path === 'auth/token/lookup-self' && method === 'GET') {
      authorise(token, namespacePath, path, 'read');
      return data({
        accessor: token.accessor,
        creation_time: Math.floor(token.issuedAt / 1000),
        creation_ttl: token.ttl,
        expire_time: new Date(token.expiresAt).toISOString(),
        id,
        policies: token.policies,
        renewable: true,
        ttl: Math.max(0, Math.floor((token.expiresAt - now()) / 1000)),
        namespace_path: token.namespace ? `${token.namespace}/` : '',
      });
    }
    if (path === 'auth/token/renew-self' && method === 'POST') {
      authorise(token, namespacePath, path, 'update');
      const increment = typeof body.increment === 'number' ? body.increment : token.ttl;
      const wanted = now() + increment * 1000;
      token.expiresAt = Math.min(wanted, token.maxExpiresAt);
      const granted = Math.floor((token.expiresAt - now()) / 1000);
      const warnings =
        wanted > token.maxExpiresAt
          ? [
              `TTL of "${increment}s" exceeded the effective max_ttl of "${granted}s"; TTL value is capped accordingly`,
            ]
          : null;
      return auth(
        {
          client_token: id,
          accessor: token.accessor,
          policies: token.policies,
          token_policies: token.policies,
          lease_duration: granted,
          renewable: true,
        },
        warnings,
      );
    }

    const transit = /^(.+?)\/(encrypt|decrypt|keys)\/([^/]+)(\/rotate|\/config)?$/.exec(path);
    const keys = transit ? namespace.transit.get(transit[1] ?? '') : undefined;
    if (!transit || !keys)
      throw new ApiError(404, [`no handler for route "${path}". route entry not found.`]);
    const [, , operation, name = '', suffix] = transit;
    const key = keys.get(name);

    if (operation === 'keys' && !suffix) {
      if (method === 'GET') {
        authorise(token, namespacePath, path, 'read');
        if (!key) return { status: 404, body: { errors: [] } };
        return data(keyData(name, key));
      }
      if (method === 'POST') {
        authorise(token, namespacePath, path, key ? 'update' : 'create');
        if (body.type !== undefined && body.type !== 'aes256-gcm96')
          throw new ApiError(400, [`unknown key type "${String(body.type)}"`]);
        const created = key ?? newKey();
        keys.set(name, created);
        return data(keyData(name, created));
      }
      if (method === 'DELETE') {
        authorise(token, namespacePath, path, 'delete');
        if (!key) return { status: 204 };
        if (!key.deletionAllowed) throw new ApiError(400, ['deletion is not allowed for this key']);
        keys.delete(name);
        return { status: 204 };
      }
    }
    if (operation === 'keys' && suffix && method === 'POST') {
      authorise(token, namespacePath, path, 'update');
      if (!key) throw new ApiError(400, ['key not found']);
      if (suffix === '/rotate') key.versions.push({ material: randomBytes(32), createdAt: now() });
      else applyConfig(key, body);
      return data(keyData(name, key));
    }
    if ((operation === 'encrypt' || operation === 'decrypt') && method === 'POST') {
      // OpenBao upserts on encrypt: a missing key needs `create`, an existing one `update`.
      authorise(token, namespacePath, path, operation === 'encrypt' && !key ? 'create' : 'update');
      if (operation === 'decrypt') {
        if (!key) throw new ApiError(400, ['encryption key not found']);
        return data(batchable(body, (item) => decryptOne(key, item)));
      }
      const target = key ?? newKey();
      keys.set(name, target);
      return data(batchable(body, (item) => encryptOne(target, item)));
    }
    throw new ApiError(405, ['unsupported operation']);
  }

  const newKey = (): TransitKey => ({
    versions: [{ material: randomBytes(32), createdAt: now() }],
    minDecryptionVersion: 1,
    minEncryptionVersion: 0,
    deletionAllowed: false,
  });
  function applyConfig(key: TransitKey, body: Record<string, unknown>): void {
    if (typeof body.min_decryption_version === 'number') {
      if (body.min_decryption_version > key.versions.length)
        throw new ApiError(400, [
          'cannot set min decryption version to a version larger than the latest version',
        ]);
      key.minDecryptionVersion = body.min_decryption_version;
    }
    if (typeof body.deletion_allowed === 'boolean') key.deletionAllowed = body.deletion_allowed;
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'https://openbao');
    const header = request.headers['x-vault-namespace'];
    const namespacePath = normalise((Array.isArray(header) ? header[0] : header) ?? '');
    const path = normalise(url.pathname.replace(/^\/v1\//, ''));
    const method = url.searchParams.get('list') === 'true' ? 'LIST' : (request.method ?? 'GET');
    let reply: Reply;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new ApiError(400, ['failed to parse JSON input: expected an object']);
      reply = handle(method, namespacePath, path, request, parsed as Record<string, unknown>);
    } catch (error) {
      reply =
        error instanceof ApiError
          ? { status: error.status, body: { errors: error.errors } }
          : error instanceof SyntaxError
            ? { status: 400, body: { errors: ['failed to parse JSON input'] } }
            : { status: 500, body: { errors: [(error as Error).message] } };
    }
    requests.push({ method, path, namespace: namespacePath, status: reply.status });
    response.writeHead(reply.status, reply.body === undefined ? {} : { 'content-type': 'application/json' });
    response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  let server: Server | undefined;
  let port = 0;
  async function start(): Promise<void> {
    const next = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (request, response) => {
      void serve(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  }
  async function stop(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }
  await start();

  const role = (input: {
    policies: string[];
    ttl?: number;
    maxTtl?: number;
    noDefaultPolicy?: boolean;
  }): Role => ({
    policies: input.policies,
    ttl: input.ttl ?? HOUR,
    maxTtl: input.maxTtl ?? 4 * HOUR,
    noDefaultPolicy: input.noDefaultPolicy ?? false,
  });

  return {
    address: `https://127.0.0.1:${port}`,
    caPem: certificate.caPem,
    caFile,
    serverName,
    requests,
    now,
    advance(seconds) {
      offsetMs += seconds * 1000;
    },
    createNamespace(path) {
      const parts = normalise(path).split('/');
      for (let index = 1; index <= parts.length; index++) {
        const prefix = parts.slice(0, index).join('/');
        if (!namespaces.has(prefix)) namespaces.set(prefix, newNamespace());
      }
    },
    enableTransit(namespace, mount = 'transit') {
      namespaceAt(namespace).transit.set(normalise(mount), new Map());
    },
    createKey(namespace, mount, name) {
      const keys = namespaceAt(namespace).transit.get(normalise(mount));
      if (!keys) throw new Error(`transit is not mounted at ${mount}`);
      keys.set(name, newKey());
    },
    rotateKey(namespace, mount, name) {
      transitKey(namespace, mount, name).versions.push({ material: randomBytes(32), createdAt: now() });
    },
    configureKey(namespace, mount, name, config) {
      applyConfig(transitKey(namespace, mount, name), {
        min_decryption_version: config.minDecryptionVersion,
        deletion_allowed: config.deletionAllowed,
      });
    },
    writePolicy(namespace, name, rules) {
      namespaceAt(namespace).policies.set(name, rules);
    },
    addAppRole(namespace, name, input) {
      const roleId = randomUUID();
      const secretId = randomUUID();
      namespaceAt(namespace).appRoles.set(name, { ...role(input), roleId, secretIds: new Set([secretId]) });
      return { roleId, secretId };
    },
    revokeSecretIds(namespace, name) {
      namespaceAt(namespace).appRoles.get(name)?.secretIds.clear();
    },
    addKubernetesRole(namespace, name, input) {
      namespaceAt(namespace).kubernetesRoles.set(name, {
        ...role(input),
        serviceAccountToken: input.serviceAccountToken,
      });
    },
    revokeTokens() {
      tokens.clear();
    },
    seal() {
      sealed = true;
    },
    unseal() {
      sealed = false;
    },
    stop,
    start,
    async close() {
      await stop();
      await dir.remove();
    },
  };
}
