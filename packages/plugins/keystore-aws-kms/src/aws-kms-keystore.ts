import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  type KeyMetadata,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { fromTokenFile } from '@aws-sdk/credential-providers';
import {
  healthNow,
  isPluginError,
  type KeyHandle,
  type KeyInfo,
  type KeyState,
  type KeystoreProvider,
  type KeyValidation,
  type KeyVersionInfo,
  type PluginError,
  type PluginHealth,
  pluginErrors,
  validateByRoundTrip,
  type WrappedKey,
} from '@openkcm/plugin-sdk';
import {
  type AwsKmsKeystoreConfiguration,
  accessRole,
  keyRegion,
  parseAwsKmsConfiguration,
} from './configuration.js';

type CredentialProvider = ReturnType<typeof fromTokenFile>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

/** Renewed this long before they expire, so no request is ever signed with credentials about to lapse. */
const REFRESH_BEFORE_MS = 5 * 60_000;

interface RefreshedCredentials {
  (): Promise<Credentials>;
  /** Drops the cached credentials (KMS no longer accepts them): the next call assumes the role again. */
  invalidate(): void;
}

/** One AssumeRoleWithWebIdentity per credential lifetime, shared by all callers, renewed ahead of expiry. */
function refreshedAhead(provider: CredentialProvider): RefreshedCredentials {
  let current: Credentials | undefined;
  let pending: Promise<Credentials> | undefined;
  const refreshed = async () => {
    const expiration = current?.expiration?.getTime();
    if (current && (expiration === undefined || expiration - Date.now() > REFRESH_BEFORE_MS)) return current;
    pending ??= provider()
      .then((credentials) => {
        current = credentials;
        return credentials;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return Object.assign(refreshed, {
    invalidate() {
      current = undefined;
    },
  });
}

/** KMS refused the signing credentials themselves (revoked session, clock trouble): assume the role again. */
const STALE_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidSignatureException',
]);

const NOT_FOUND = new Set(['NotFoundException']);
const DISABLED = new Set(['DisabledException', 'KMSInvalidStateException']);
const DECRYPTION = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);
const AUTHENTICATION = new Set([
  'InvalidIdentityTokenException',
  'IDPRejectedClaimException',
  'ExpiredTokenException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
]);

/** AWS SDK errors (KMS and STS) as the SDK's classified errors; messages never carry credentials. */
function classify(error: unknown, reference: string): PluginError {
  if (isPluginError(error)) return error;
  const name = (error as { name?: string }).name ?? '';
  const message = (error as Error).message ?? String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (NOT_FOUND.has(name)) return pluginErrors.keyNotFound(reference);
  if (DISABLED.has(name)) return pluginErrors.keyDisabled(reference);
  if (DECRYPTION.has(name)) return pluginErrors.decryptionFailed();
  if (name === 'AccessDeniedException') return pluginErrors.permissionDenied(message);
  if (AUTHENTICATION.has(name))
    return pluginErrors.authenticationFailed(
      `AWS refused the web identity or its credentials (${name}: ${message})`,
    );
  if (/web identity token file|ENOENT|EACCES/i.test(message) && !status)
    return pluginErrors.authenticationFailed(`the web identity token cannot be read (${message})`);
  if (name === 'ValidationException') return pluginErrors.invalidKeyAccessData(message);
  return pluginErrors.unavailable(`AWS KMS cannot be used now (${name || 'error'}: ${message})`, error);
}

const STATES: Record<string, KeyState> = {
  Enabled: 'ENABLED',
  PendingDeletion: 'PENDING_DELETION',
  PendingReplicaDeletion: 'PENDING_DELETION',
};

const contextOf = (aad: Uint8Array) => ({ 'openkcm:context': Buffer.from(aad).toString('base64') });

/**
 * L1 keys in AWS KMS, reached with the workload's web identity only (IRSA: AssumeRoleWithWebIdentity
 * from the projected token file, refreshed by the SDK before the credentials expire). L2 material
 * is encrypted by KMS with the tenant/Account context as encryption context. KMS rotates a key's
 * backing material under the same ARN, so there is one version as far as OpenKCM can see.
 */
export class AwsKmsKeystore implements KeystoreProvider {
  readonly type = 'KeystoreProvider' as const;
  readonly providerType = 'AWS';
  readonly production = true;
  private configuration: AwsKmsKeystoreConfiguration | undefined;
  private readonly credentials = new Map<string, RefreshedCredentials>();
  private readonly clients = new Map<string, KMSClient>();

  constructor(readonly name = 'keystore-aws-kms') {}

  async configure(configuration: unknown): Promise<void> {
    this.configuration = parseAwsKmsConfiguration(configuration);
  }

  private get settings(): AwsKmsKeystoreConfiguration {
    if (!this.configuration)
      throw pluginErrors.invalidConfiguration('the AWS KMS keystore is not configured');
    return this.configuration;
  }

  private credentialsFor(roleArn: string): RefreshedCredentials {
    let provider = this.credentials.get(roleArn);
    if (!provider) {
      const settings = this.settings;
      provider = refreshedAhead(
        fromTokenFile({
          roleArn,
          webIdentityTokenFile: settings.webIdentityTokenFile,
          roleSessionName: settings.roleSessionName,
          clientConfig: {
            region: settings.region,
            maxAttempts: settings.maxAttempts,
            requestHandler: {
              requestTimeout: settings.requestTimeoutMs,
              connectionTimeout: settings.requestTimeoutMs,
            },
            ...(settings.endpoints?.sts ? { endpoint: settings.endpoints.sts } : {}),
          },
        }),
      );
      this.credentials.set(roleArn, provider);
    }
    return provider;
  }

  private clientKey(key: KeyHandle, options: { alias?: boolean }) {
    const region = keyRegion(key.keyReference, options);
    const roleArn = accessRole(key.accessData, this.settings);
    return { region, roleArn, cacheKey: `${region}\n${roleArn}` };
  }

  private client(key: KeyHandle, options: { alias?: boolean } = {}): KMSClient {
    const { region, roleArn, cacheKey } = this.clientKey(key, options);
    let client = this.clients.get(cacheKey);
    if (!client) {
      const settings = this.settings;
      client = new KMSClient({
        region,
        credentials: this.credentialsFor(roleArn),
        maxAttempts: settings.maxAttempts,
        requestHandler: {
          requestTimeout: settings.requestTimeoutMs,
          connectionTimeout: settings.requestTimeoutMs,
        },
        ...(settings.endpoints?.kms ? { endpoint: settings.endpoints.kms } : {}),
      });
      this.clients.set(cacheKey, client);
    }
    return client;
  }

  private async call<T>(
    key: KeyHandle,
    operation: (client: KMSClient) => Promise<T>,
    alias = false,
  ): Promise<T> {
    try {
      return await operation(this.client(key, { alias }));
    } catch (error) {
      if (!STALE_CREDENTIALS.has((error as { name?: string }).name ?? ''))
        throw classify(error, key.keyReference);
      // The SDK client caches the identity too, so both go.
      const { roleArn, cacheKey } = this.clientKey(key, { alias });
      this.credentialsFor(roleArn).invalidate();
      this.clients.get(cacheKey)?.destroy();
      this.clients.delete(cacheKey);
      try {
        return await operation(this.client(key, { alias }));
      } catch (retried) {
        throw classify(retried, key.keyReference);
      }
    }
  }

  private async describe(key: KeyHandle): Promise<KeyMetadata> {
    const described = await this.call(key, (client) =>
      client.send(new DescribeKeyCommand({ KeyId: key.keyReference })),
    );
    const metadata = described.KeyMetadata;
    if (!metadata?.Arn) throw pluginErrors.unavailable('KMS DescribeKey returned no key metadata');
    if (metadata.KeyUsage !== 'ENCRYPT_DECRYPT' || metadata.KeySpec !== 'SYMMETRIC_DEFAULT')
      throw pluginErrors.invalidKeyAccessData(
        `${key.keyReference} is a ${metadata.KeySpec} ${metadata.KeyUsage} key; OpenKCM needs a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key`,
      );
    return metadata;
  }

  private info(metadata: KeyMetadata): KeyInfo {
    return {
      keyReference: metadata.Arn ?? '',
      state: STATES[metadata.KeyState ?? ''] ?? 'DISABLED',
      algorithm: 'AES-256-GCM',
      currentVersion: '1',
      createdAt: (metadata.CreationDate ?? new Date(0)).toISOString(),
    };
  }

  async getKey(key: KeyHandle): Promise<KeyInfo> {
    return this.info(await this.describe(key));
  }

  /** KMS assigns key ids, so the key is named by an alias ARN; the key ARN comes back as its reference. */
  async createKey(key: KeyHandle): Promise<KeyInfo> {
    const created = await this.call(
      key,
      (client) =>
        client.send(
          new CreateKeyCommand({
            Description: 'OpenKCM L1 key',
            KeyUsage: 'ENCRYPT_DECRYPT',
            KeySpec: 'SYMMETRIC_DEFAULT',
          }),
        ),
      true,
    );
    const metadata = created.KeyMetadata;
    if (!metadata?.KeyId) throw pluginErrors.unavailable('KMS CreateKey returned no key');
    if (key.keyReference.includes(':alias/')) {
      const aliasName = key.keyReference.slice(key.keyReference.indexOf(':alias/') + 1);
      await this.call(
        key,
        (client) =>
          client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: metadata.KeyId })),
        true,
      );
    }
    return this.info(metadata);
  }

  async deleteKey(key: KeyHandle, options: { windowDays: number }): Promise<void> {
    await this.call(key, (client) =>
      client.send(
        new ScheduleKeyDeletionCommand({
          KeyId: key.keyReference,
          PendingWindowInDays: Math.min(30, Math.max(7, Math.round(options.windowDays))),
        }),
      ),
    );
  }

  async enableKey(key: KeyHandle): Promise<void> {
    await this.call(key, (client) => client.send(new EnableKeyCommand({ KeyId: key.keyReference })));
  }

  async disableKey(key: KeyHandle): Promise<void> {
    await this.call(key, (client) => client.send(new DisableKeyCommand({ KeyId: key.keyReference })));
  }

  /** DescribeKey says whether the key is enabled and of the right kind; a round trip proves the role may use it. */
  async validateKey(key: KeyHandle): Promise<KeyValidation> {
    try {
      const metadata = await this.describe(key);
      if (metadata.KeyState !== 'Enabled')
        return { usable: false, reason: `the key is ${metadata.KeyState} in AWS KMS: ${key.keyReference}` };
    } catch (error) {
      if (isPluginError(error) && !error.retryable) return { usable: false, reason: error.message };
      throw error;
    }
    return validateByRoundTrip(this, key);
  }

  async validateKeyAccessData(accessData: Record<string, unknown> | undefined): Promise<void> {
    accessRole(accessData, this.settings);
  }

  async getKeyVersions(key: KeyHandle): Promise<KeyVersionInfo[]> {
    const info = await this.getKey(key);
    return [{ version: info.currentVersion, createdAt: info.createdAt, current: true }];
  }

  async wrapKey(key: KeyHandle, plaintext: Uint8Array, aad: Uint8Array): Promise<WrappedKey> {
    const result = await this.call(key, (client) =>
      client.send(
        new EncryptCommand({
          KeyId: key.keyReference,
          Plaintext: plaintext,
          EncryptionContext: contextOf(aad),
        }),
      ),
    );
    if (!result.CiphertextBlob) throw pluginErrors.unavailable('KMS Encrypt returned no ciphertext');
    return { ciphertext: result.CiphertextBlob, keyVersion: '1' };
  }

  async unwrapKey(key: KeyHandle, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const result = await this.call(key, (client) =>
      client.send(
        new DecryptCommand({
          KeyId: key.keyReference,
          CiphertextBlob: wrapped,
          EncryptionContext: contextOf(aad),
        }),
      ),
    );
    if (!result.Plaintext) throw pluginErrors.unavailable('KMS Decrypt returned no plaintext');
    return result.Plaintext;
  }

  /** Healthy when STS gives CMK's role credentials for its web identity. */
  async health(): Promise<PluginHealth> {
    try {
      const settings = this.settings;
      const credentials = await this.credentialsFor(settings.roleArn)();
      const until = credentials.expiration ? ` until ${credentials.expiration.toISOString()}` : '';
      return healthNow('healthy', `web identity credentials for ${settings.roleArn}${until}`, true);
    } catch (error) {
      return healthNow('unhealthy', classify(error, '').message, true);
    }
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.credentials.clear();
  }
}
