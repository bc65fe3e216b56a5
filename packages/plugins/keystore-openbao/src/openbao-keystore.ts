import {
  healthNow,
  isPluginError,
  type KeyHandle,
  type KeyInfo,
  type KeystoreProvider,
  type KeyValidation,
  type KeyVersionInfo,
  PluginError,
  type PluginHealth,
  pluginErrors,
  validateByRoundTrip,
  type WrappedKey,
} from '@openkcm/plugin-sdk';
import {
  accessNamespace,
  type OpenBaoKeystoreConfiguration,
  parseKeyPath,
  parseOpenBaoConfiguration,
  type TransitKeyPath,
} from './configuration.js';
import { OpenBaoClient, OpenBaoResponseError } from './openbao-client.js';

/** What OpenKCM reads from `GET <mount>/keys/<name>`. */
interface TransitKeyData {
  type: string;
  latest_version: number;
  min_decryption_version: number;
  keys: Record<string, number | string>;
}

const CIPHERTEXT = /^vault:v(\d+):[A-Za-z0-9+/]+={0,2}$/;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function transitKeyData(body: unknown): TransitKeyData {
  const data = (body as { data?: Partial<TransitKeyData> } | undefined)?.data;
  if (!data || typeof data.latest_version !== 'number' || typeof data.keys !== 'object' || data.keys === null)
    throw pluginErrors.unavailable('OpenBao returned a key without versions');
  return {
    type: String(data.type ?? ''),
    latest_version: data.latest_version,
    min_decryption_version: Number(data.min_decryption_version ?? 1),
    keys: data.keys,
  };
}

/** Version creation times come as Unix seconds (or RFC 3339 for some key types). */
const versionTime = (value: number | string | undefined) =>
  new Date(typeof value === 'number' ? value * 1000 : (value ?? 0)).toISOString();

/**
 * L1 keys in OpenBao's Transit secrets engine: the key never leaves OpenBao; L2 material is sent to
 * `encrypt` with the tenant/Account context as associated data and comes back as `vault:vN:…`.
 * Transit has no disabled state and deletes at once, so those lifecycle operations are refused
 * (the tenant manages their key in OpenBao; see docs/keystores/openbao.md).
 */
export class OpenBaoKeystore implements KeystoreProvider {
  readonly type = 'KeystoreProvider' as const;
  readonly providerType = 'OpenBao';
  readonly production = true;
  private configuration: OpenBaoKeystoreConfiguration | undefined;
  private client: OpenBaoClient | undefined;

  constructor(
    readonly name = 'keystore-openbao',
    private readonly clock: () => number = Date.now,
  ) {}

  async configure(configuration: unknown): Promise<void> {
    const parsed = parseOpenBaoConfiguration(configuration);
    const client = new OpenBaoClient(parsed, this.clock);
    await client.open();
    this.configuration = parsed;
    this.client = client;
  }

  private get ready(): { client: OpenBaoClient; configuration: OpenBaoKeystoreConfiguration } {
    if (!this.client || !this.configuration)
      throw pluginErrors.invalidConfiguration('the OpenBao keystore is not configured');
    return { client: this.client, configuration: this.configuration };
  }

  private target(key: KeyHandle): TransitKeyPath & { namespace: string } {
    return {
      ...parseKeyPath(key.keyReference),
      namespace: accessNamespace(key.accessData, this.ready.configuration),
    };
  }

  /** One call, with OpenBao's answers classified; `interpret` turns request-specific 4xx answers into errors. */
  private async request(
    key: KeyHandle,
    method: string,
    path: (target: TransitKeyPath) => string,
    body?: Record<string, unknown>,
    interpret?: (error: OpenBaoResponseError) => PluginError | undefined,
  ) {
    const { client } = this.ready;
    const target = this.target(key);
    try {
      return await client.call(method, path(target), target.namespace, body);
    } catch (error) {
      if (error instanceof PluginError) throw error;
      if (error instanceof OpenBaoResponseError) throw interpret?.(error) ?? client.classify(error);
      throw client.classify(error);
    }
  }

  private async readKey(key: KeyHandle): Promise<TransitKeyData> {
    const response = await this.request(key, 'GET', ({ mount, name }) => `${mount}/keys/${name}`);
    if (response.status === 404) throw pluginErrors.keyNotFound(key.keyReference);
    const data = transitKeyData(response.body);
    if (data.type !== 'aes256-gcm96' && data.type !== 'aes128-gcm96' && data.type !== 'chacha20-poly1305')
      throw pluginErrors.invalidKeyAccessData(
        `${key.keyReference} is a ${data.type} key; OpenKCM needs an encryption key (aes256-gcm96)`,
      );
    return data;
  }

  async getKey(key: KeyHandle): Promise<KeyInfo> {
    const data = await this.readKey(key);
    return {
      keyReference: key.keyReference,
      state: 'ENABLED',
      algorithm: 'AES-256-GCM',
      currentVersion: String(data.latest_version),
      createdAt: versionTime(data.keys['1'] ?? Object.values(data.keys)[0]),
    };
  }

  async createKey(key: KeyHandle): Promise<KeyInfo> {
    await this.request(key, 'POST', ({ mount, name }) => `${mount}/keys/${name}`, {
      type: 'aes256-gcm96',
      exportable: false,
      allow_plaintext_backup: false,
    });
    return this.getKey(key);
  }

  private unsupported(operation: string): Promise<never> {
    return Promise.reject(
      new PluginError(
        'PERMISSION_DENIED',
        `OpenBao Transit has no ${operation}; the key's owner manages it in OpenBao (policy, min_decryption_version, deletion_allowed)`,
      ),
    );
  }

  deleteKey(): Promise<void> {
    return this.unsupported('deletion with a waiting period');
  }

  enableKey(): Promise<void> {
    return this.unsupported('enabled/disabled state');
  }

  disableKey(): Promise<void> {
    return this.unsupported('enabled/disabled state');
  }

  validateKey(key: KeyHandle): Promise<KeyValidation> {
    return validateByRoundTrip(this, key);
  }

  async validateKeyAccessData(accessData: Record<string, unknown> | undefined): Promise<void> {
    accessNamespace(accessData, this.ready.configuration);
  }

  async getKeyVersions(key: KeyHandle): Promise<KeyVersionInfo[]> {
    const data = await this.readKey(key);
    return Object.entries(data.keys)
      .map(([version, created]) => ({ version: Number(version), created }))
      .filter(({ version }) => version >= data.min_decryption_version)
      .sort((a, b) => a.version - b.version)
      .map(({ version, created }) => ({
        version: String(version),
        createdAt: versionTime(created),
        current: version === data.latest_version,
      }));
  }

  async wrapKey(key: KeyHandle, plaintext: Uint8Array, aad: Uint8Array): Promise<WrappedKey> {
    // Read first: encrypt upserts a missing key when allowed, and CMK must never create an L1 key by accident.
    const data = await this.readKey(key);
    const response = await this.request(key, 'POST', ({ mount, name }) => `${mount}/encrypt/${name}`, {
      plaintext: b64(plaintext),
      associated_data: b64(aad),
      key_version: data.latest_version,
    });
    const result = (response.body as { data?: { ciphertext?: unknown; key_version?: unknown } }).data;
    const ciphertext = typeof result?.ciphertext === 'string' ? result.ciphertext : '';
    const match = CIPHERTEXT.exec(ciphertext);
    if (!match) throw pluginErrors.unavailable('OpenBao returned no ciphertext in the vault:vN: format');
    return { ciphertext: new TextEncoder().encode(ciphertext), keyVersion: match[1] ?? '' };
  }

  async unwrapKey(key: KeyHandle, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const ciphertext = Buffer.from(wrapped).toString('utf8');
    if (!CIPHERTEXT.test(ciphertext)) throw pluginErrors.decryptionFailed();
    const response = await this.request(
      key,
      'POST',
      ({ mount, name }) => `${mount}/decrypt/${name}`,
      { ciphertext, associated_data: b64(aad) },
      (error) => {
        if (error.status !== 400) return undefined;
        const text = error.errors.join(' ');
        if (/key not found/i.test(text)) return pluginErrors.keyNotFound(key.keyReference);
        if (/disallowed by policy/i.test(text))
          return new PluginError(
            'KEY_DISABLED',
            `the L1 key version of this ciphertext is below min_decryption_version of ${key.keyReference}`,
          );
        return pluginErrors.decryptionFailed();
      },
    );
    const plaintext = (response.body as { data?: { plaintext?: unknown } }).data?.plaintext;
    if (typeof plaintext !== 'string') throw pluginErrors.unavailable('OpenBao returned no plaintext');
    return Buffer.from(plaintext, 'base64');
  }

  /** Reachable and unsealed (sys/health), and CMK's login works (token lookup-self). */
  async health(): Promise<PluginHealth> {
    try {
      const { client } = this.ready;
      const server = await client.health();
      if (!server.ok) return healthNow('unhealthy', server.message, true);
      await client.lookupSelf();
      return healthNow('healthy', server.message, true);
    } catch (error) {
      return healthNow('unhealthy', isPluginError(error) ? error.message : (error as Error).message, true);
    }
  }

  async close(): Promise<void> {
    this.client?.forgetToken();
  }
}
