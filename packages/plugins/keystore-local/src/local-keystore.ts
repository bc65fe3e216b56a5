import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  healthNow,
  isPluginError,
  type KeyHandle,
  type KeyInfo,
  type KeystoreProvider,
  type KeyValidation,
  type KeyVersionInfo,
  type PluginHealth,
  parseConfiguration,
  pluginErrors,
  validateByRoundTrip,
  type WrappedKey,
} from '@openkcm/plugin-sdk';
import { Type } from '@openkcm/schema';
import { KeyFiles, type StoredKey } from './key-files.js';

const LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';

export const LocalKeystoreConfiguration = Type.Object({
  /** Folder for the root keys (mode 0700, files 0600). */
  directory: Type.String({ minLength: 1 }),
  /** File holding the keystore passphrase; it stands in for an HSM PIN. */
  passphraseFile: Type.String({ minLength: 1 }),
  /** Keys created at start when missing, so a fresh development setup has roots to use. */
  initialKeys: Type.Optional(Type.Array(Type.String({ pattern: LABEL }), { maxItems: 100 })),
});

const FORMAT = 1;
const HEADER = 1 + 4 + 12;
const TAG = 16;
const NOT_FOR_PRODUCTION =
  'LOCAL SOFTWARE KEYSTORE: development only, not for production (root keys are files on this machine)';

function info(key: StoredKey): KeyInfo {
  return {
    keyReference: key.label,
    state: key.state,
    algorithm: 'AES-256-GCM',
    currentVersion: String(key.versions[key.versions.length - 1]?.version ?? 1),
    createdAt: key.createdAt,
  };
}

/** The embedded default L1 keystore: AES-256 root keys in the data folder, addressed by label. */
export class LocalKeystore implements KeystoreProvider {
  readonly type = 'KeystoreProvider' as const;
  readonly providerType = 'Local';
  readonly production = false;
  private files: KeyFiles | undefined;
  private directory = '';

  constructor(readonly name = 'local-keystore-development-only') {}

  async configure(configuration: unknown): Promise<void> {
    const config = parseConfiguration(LocalKeystoreConfiguration, configuration);
    let passphrase: string;
    try {
      passphrase = (await readFile(config.passphraseFile, 'utf8')).trim();
    } catch (error) {
      throw pluginErrors.invalidConfiguration(
        `passphraseFile: cannot read ${config.passphraseFile} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    if (passphrase.length < 16)
      throw pluginErrors.invalidConfiguration(
        'passphraseFile: the passphrase must be at least 16 characters',
      );
    this.directory = config.directory;
    this.files = new KeyFiles(config.directory, passphrase);
    for (const label of config.initialKeys ?? []) {
      await this.createKey({ keyReference: label }).catch((error: unknown) => {
        if (!isPluginError(error, 'UNAVAILABLE')) throw error;
      });
    }
  }

  private get store(): KeyFiles {
    if (!this.files) throw pluginErrors.invalidConfiguration('the local keystore is not configured');
    return this.files;
  }

  private checkReference(key: KeyHandle): string {
    if (!new RegExp(LABEL).test(key.keyReference)) {
      throw pluginErrors.invalidKeyAccessData(
        `"${key.keyReference}" is not a local key label (lowercase letters, digits and '-', at most 63)`,
      );
    }
    return key.keyReference;
  }

  private async usable(key: KeyHandle): Promise<StoredKey> {
    const stored = await this.store.read(this.checkReference(key));
    if (stored.state !== 'ENABLED') throw pluginErrors.keyDisabled(key.keyReference);
    return stored;
  }

  async health(): Promise<PluginHealth> {
    try {
      await this.store.unlock();
      return healthNow('healthy', `${NOT_FOR_PRODUCTION}; keys in ${this.directory}`, false);
    } catch (error) {
      return healthNow('unhealthy', `${NOT_FOR_PRODUCTION}; ${(error as Error).message}`, false);
    }
  }

  async getKey(key: KeyHandle): Promise<KeyInfo> {
    return info(await this.store.read(this.checkReference(key)));
  }

  async createKey(key: KeyHandle): Promise<KeyInfo> {
    const label = this.checkReference(key);
    try {
      return info(await this.store.read(label));
    } catch (error) {
      if (!isPluginError(error, 'KEY_NOT_FOUND')) throw error;
    }
    const stored: StoredKey = {
      label,
      state: 'ENABLED',
      createdAt: new Date().toISOString(),
      versions: [await this.store.newVersion(label, 1)],
    };
    await this.store.write(stored);
    return info(stored);
  }

  async deleteKey(key: KeyHandle, options: { windowDays: number }): Promise<void> {
    const stored = await this.store.read(this.checkReference(key));
    const deleteAfter = new Date(Date.now() + options.windowDays * 86_400_000).toISOString();
    await this.store.write({ ...stored, state: 'PENDING_DELETION', deleteAfter });
  }

  async enableKey(key: KeyHandle): Promise<void> {
    const stored = await this.store.read(this.checkReference(key));
    const { deleteAfter: _cancelled, ...rest } = stored;
    await this.store.write({ ...rest, state: 'ENABLED' });
  }

  async disableKey(key: KeyHandle): Promise<void> {
    const stored = await this.store.read(this.checkReference(key));
    await this.store.write({ ...stored, state: 'DISABLED' });
  }

  validateKey(key: KeyHandle): Promise<KeyValidation> {
    return validateByRoundTrip(this, key);
  }

  async validateKeyAccessData(accessData: Record<string, unknown> | undefined): Promise<void> {
    if (accessData && Object.keys(accessData).length > 0) {
      throw pluginErrors.invalidKeyAccessData(
        `the Local keystore takes no access data (got ${Object.keys(accessData).join(', ')})`,
      );
    }
  }

  async getKeyVersions(key: KeyHandle): Promise<KeyVersionInfo[]> {
    const stored = await this.store.read(this.checkReference(key));
    const current = stored.versions[stored.versions.length - 1]?.version;
    return stored.versions.map((version) => ({
      version: String(version.version),
      createdAt: version.createdAt,
      current: version.version === current,
    }));
  }

  async wrapKey(key: KeyHandle, plaintext: Uint8Array, aad: Uint8Array): Promise<WrappedKey> {
    const stored = await this.usable(key);
    const current = stored.versions[stored.versions.length - 1];
    if (!current) throw pluginErrors.keyNotFound(key.keyReference);
    const root = await this.store.material(stored, current.version);
    const iv = randomBytes(12);
    const header = Buffer.alloc(HEADER);
    header.writeUInt8(FORMAT, 0);
    header.writeUInt32BE(current.version, 1);
    iv.copy(header, 5);
    const cipher = createCipheriv('aes-256-gcm', root, iv).setAAD(Buffer.concat([header, aad]));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      ciphertext: Buffer.concat([header, body, cipher.getAuthTag()]),
      keyVersion: String(current.version),
    };
  }

  async unwrapKey(key: KeyHandle, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const stored = await this.usable(key);
    const bytes = Buffer.from(wrapped);
    if (bytes.length < HEADER + TAG || bytes.readUInt8(0) !== FORMAT) throw pluginErrors.decryptionFailed();
    const root = await this.store.material(stored, bytes.readUInt32BE(1));
    try {
      const decipher = createDecipheriv('aes-256-gcm', root, bytes.subarray(5, HEADER)).setAAD(
        Buffer.concat([bytes.subarray(0, HEADER), aad]),
      );
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
      return Buffer.concat([decipher.update(bytes.subarray(HEADER, bytes.length - TAG)), decipher.final()]);
    } catch {
      throw pluginErrors.decryptionFailed();
    }
  }
}
