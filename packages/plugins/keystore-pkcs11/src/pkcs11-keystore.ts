import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ThalesSettings } from '@openkcm/api';
import {
  healthNow,
  isPluginError,
  type KeyHandle,
  type KeyInfo,
  type KeystoreProvider,
  type KeyValidation,
  type KeyVersionInfo,
  type PluginError,
  type PluginHealth,
  parseAccessData,
  parseConfiguration,
  pluginErrors,
  validateByRoundTrip,
  type WrappedKey,
} from '@openkcm/plugin-sdk';
import { Type } from '@openkcm/schema';
// A CommonJS addon: its constants are only on the default export, not as named ESM exports.
import pkcs11js from 'pkcs11js';

/** PKCS#11 labels are up to 32 bytes in tokens, but keys allow longer printable labels. */
const LABEL = '^[\\x21-\\x7E]([\\x20-\\x7E]{0,62}[\\x21-\\x7E])?$';

export const Pkcs11KeystoreConfiguration = Type.Object({
  /** The vendor's PKCS#11 library (Thales Luna: libCryptoki2_64.so; SoftHSM2: libsofthsm2.so). */
  library: Type.String({ minLength: 1 }),
  /** Label of the token (partition) holding the keys. */
  tokenLabel: Type.String({ minLength: 1, maxLength: 32 }),
  /** File holding the user PIN, e.g. a mounted Secret; the PIN itself is never in the configuration. */
  pinFile: Type.String({ minLength: 1 }),
  /**
   * How L2 material is wrapped inside the token. AES-GCM binds the tenant and Account as AAD;
   * AES-KEY-WRAP-PAD (RFC 5649) is for tokens or policies that allow only key wrapping, and binds
   * them by a SHA-256 digest wrapped with the material.
   */
  mechanism: Type.Optional(
    Type.Unsafe<'AES-GCM' | 'AES-KEY-WRAP-PAD'>({
      type: 'string',
      enum: ['AES-GCM', 'AES-KEY-WRAP-PAD'],
      default: 'AES-GCM',
    }),
  ),
  /**
   * The token's number for AES key wrap with padding: PKCS#11 2.40 says 0x210A (SoftHSM2); Thales
   * Luna firmware uses its own vendor-defined number, so set it here for Luna.
   */
  keyWrapPadMechanism: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
  /**
   * Sessions kept open on the token. Encrypt, decrypt, wrap and unwrap run off the event loop, one
   * per session at a time, so this many run in parallel (a network HSM answers in milliseconds).
   */
  sessions: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
});

const FORMAT_GCM = 1;
const FORMAT_KEY_WRAP_PAD = 2;
const DIGEST = 32;
/**
 * Tokens have no key lifecycle, and SoftHSM2 cannot read date attributes back, so OpenKCM keeps its
 * few facts about a key (created, deletion scheduled) as JSON in the key's CKA_ID.
 */
interface KeyMetadata {
  createdAt: string;
  deleteAfter?: string;
}
const metadata = (value: KeyMetadata) => Buffer.from(JSON.stringify(value));
function readMetadata(value: unknown): KeyMetadata {
  try {
    const parsed = JSON.parse(Buffer.isBuffer(value) ? value.toString('utf8') : '') as Partial<KeyMetadata>;
    return {
      createdAt: typeof parsed.createdAt === 'string' ? parsed.createdAt : new Date(0).toISOString(),
      ...(typeof parsed.deleteAfter === 'string' ? { deleteAfter: parsed.deleteAfter } : {}),
    };
  } catch {
    // A key made by other tools: no metadata of ours.
    return { createdAt: new Date(0).toISOString() };
  }
}
const IV = 12;
const HEADER = 1 + IV;
const TAG_BITS = 128;

/** Return values after which the token or the library is re-opened and the call tried once more. */
const REOPEN = new Set([
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_DEVICE_ERROR,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
  pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
]);
const AUTHENTICATION = new Set([
  pkcs11js.CKR_PIN_INCORRECT,
  pkcs11js.CKR_PIN_LOCKED,
  pkcs11js.CKR_PIN_EXPIRED,
]);
const DECRYPTION = new Set([
  pkcs11js.CKR_ENCRYPTED_DATA_INVALID,
  pkcs11js.CKR_WRAPPED_KEY_INVALID,
  pkcs11js.CKR_WRAPPED_KEY_LEN_RANGE,
  pkcs11js.CKR_ENCRYPTED_DATA_LEN_RANGE,
  pkcs11js.CKR_DATA_INVALID,
  pkcs11js.CKR_DATA_LEN_RANGE,
]);
const DISABLED = new Set([pkcs11js.CKR_KEY_FUNCTION_NOT_PERMITTED]);

function resultCode(error: unknown): number | undefined {
  return error instanceof pkcs11js.Pkcs11Error ? error.code : undefined;
}

/** PKCS#11 failures as the SDK's classified errors; nothing of the PIN or key material is in them. */
function classify(error: unknown, reference: string): PluginError {
  const code = resultCode(error);
  if (code !== undefined && AUTHENTICATION.has(code))
    return pluginErrors.authenticationFailed('the token refused the PIN');
  if (code !== undefined && DECRYPTION.has(code)) return pluginErrors.decryptionFailed();
  if (code !== undefined && DISABLED.has(code)) return pluginErrors.keyDisabled(reference);
  const method = error instanceof pkcs11js.Pkcs11Error ? ` (${error.method})` : '';
  return pluginErrors.unavailable(`the PKCS#11 token cannot be used: ${(error as Error).message}${method}`);
}

/** The token's logged-in sessions; each is lent to one operation at a time. */
interface SessionPool {
  module: pkcs11js.PKCS11;
  slot: Buffer;
  slotID: number;
  idle: Buffer[];
  open: number;
  waiting: Array<() => void>;
}

/**
 * L1 keys in an HSM through PKCS#11 (Thales Luna, or any token: the tests use SoftHSM2). Keys are
 * AES-256 secret-key objects found by label, never extractable; L2 material is encrypted inside the
 * token. Disabled means CKA_ENCRYPT and CKA_DECRYPT are off.
 */
export class Pkcs11Keystore implements KeystoreProvider {
  readonly type = 'KeystoreProvider' as const;
  readonly providerType = 'ThalesHSM';
  readonly production = true;
  private config:
    | {
        library: string;
        tokenLabel: string;
        pinFile: string;
        mechanism: 'AES-GCM' | 'AES-KEY-WRAP-PAD';
        keyWrapPad: number;
        sessions: number;
      }
    | undefined;
  private pool: SessionPool | undefined;
  private opening: Promise<SessionPool> | undefined;

  constructor(readonly name = 'keystore-pkcs11') {}

  async configure(configuration: unknown): Promise<void> {
    const config = parseConfiguration(Pkcs11KeystoreConfiguration, configuration);
    this.config = {
      library: config.library,
      tokenLabel: config.tokenLabel,
      pinFile: config.pinFile,
      mechanism: config.mechanism ?? 'AES-GCM',
      keyWrapPad: config.keyWrapPadMechanism ?? pkcs11js.CKM_AES_KEY_WRAP_PAD,
      sessions: config.sessions,
    };
  }

  async close(): Promise<void> {
    this.reset();
  }

  /** Drops every session and the library; the next operation opens them again. */
  private reset(): void {
    const pool = this.pool;
    this.pool = undefined;
    try {
      pool?.module.C_Finalize();
    } catch {
      // Already finalized or never initialized: nothing to release.
    }
    // Whoever waits for a session of the old pool tries again with a new one.
    for (const wake of pool?.waiting.splice(0) ?? []) wake();
  }

  /** The library loaded, the token found and logged in with one session; opened on first use. */
  private async open(): Promise<SessionPool> {
    if (this.pool) return this.pool;
    this.opening ??= this.openPool().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async openPool(): Promise<SessionPool> {
    if (!this.config) throw pluginErrors.invalidConfiguration('the PKCS#11 keystore is not configured');
    const pin = (
      await readFile(this.config.pinFile, 'utf8').catch(() => {
        throw pluginErrors.authenticationFailed(`cannot read the PIN file ${this.config?.pinFile}`);
      })
    ).trim();
    const module = new pkcs11js.PKCS11();
    try {
      module.load(this.config.library);
      try {
        // Operations run on worker threads: the library must lock for itself.
        module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
      } catch (error) {
        // Another instance in this process initialised the same library; it is shared.
        if (resultCode(error) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw error;
      }
    } catch (error) {
      throw pluginErrors.unavailable(
        `cannot load the PKCS#11 library ${this.config.library}: ${(error as Error).message}`,
      );
    }
    try {
      const slot = module
        .C_GetSlotList(true)
        .find((candidate) => module.C_GetTokenInfo(candidate).label.trim() === this.config?.tokenLabel);
      if (!slot) throw pluginErrors.unavailable(`no token labelled "${this.config.tokenLabel}" is present`);
      const session = module.C_OpenSession(slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
      try {
        module.C_Login(session, pkcs11js.CKU_USER, pin);
      } catch (error) {
        if (resultCode(error) !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) throw error;
        // Login is per application: another instance logged in. Log in again so this PIN is checked
        // too (the other instance re-opens after its next CKR_USER_NOT_LOGGED_IN).
        module.C_Logout(session);
        module.C_Login(session, pkcs11js.CKU_USER, pin);
      }
      this.pool = {
        module,
        slot,
        slotID: slot.length >= 8 ? Number(slot.readBigUInt64LE(0)) : slot.readUInt32LE(0),
        idle: [session],
        open: 1,
        waiting: [],
      };
      return this.pool;
    } catch (error) {
      try {
        module.C_Finalize();
      } catch {}
      throw isPluginError(error) ? error : classify(error, '');
    }
  }

  /**
   * A session of its own for one operation: an idle one, a new one while fewer than `sessions` are
   * open (the login covers every session of the application), or the next one released.
   */
  private async acquire(): Promise<{ pool: SessionPool; session: Buffer }> {
    for (;;) {
      const pool = await this.open();
      const idle = pool.idle.pop();
      if (idle) return { pool, session: idle };
      if (pool.open < (this.config?.sessions ?? 1)) {
        pool.open++;
        try {
          return {
            pool,
            session: pool.module.C_OpenSession(
              pool.slot,
              pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION,
            ),
          };
        } catch (error) {
          pool.open--;
          throw error;
        }
      }
      await new Promise<void>((resolve) => pool.waiting.push(resolve));
    }
  }

  private release(pool: SessionPool, session: Buffer): void {
    if (pool !== this.pool) return;
    pool.idle.push(session);
    pool.waiting.shift()?.();
  }

  /** Runs one token operation; after a session or device failure the token is re-opened and it runs once more. */
  private async run<T>(
    reference: string,
    operation: (module: pkcs11js.PKCS11, session: Buffer) => T | Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { pool, session } = await this.acquire();
      try {
        return await operation(pool.module, session);
      } catch (error) {
        const code = resultCode(error);
        if (code !== undefined && REOPEN.has(code) && attempt === 0) {
          this.reset();
          continue;
        }
        if (code === undefined) throw error;
        throw classify(error, reference);
      } finally {
        this.release(pool, session);
      }
    }
  }

  private checkReference(key: KeyHandle): string {
    if (!new RegExp(LABEL).test(key.keyReference))
      throw pluginErrors.invalidKeyAccessData(
        `"${key.keyReference}" is not a PKCS#11 key label (printable, 1-64 characters)`,
      );
    return key.keyReference;
  }

  private find(module: pkcs11js.PKCS11, session: Buffer, label: string): Buffer {
    module.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    try {
      const found = module.C_FindObjects(session, 2);
      if (found.length === 0) throw pluginErrors.keyNotFound(label);
      if (found.length > 1)
        throw pluginErrors.invalidKeyAccessData(`more than one key is labelled "${label}" in the token`);
      return found[0] as Buffer;
    } finally {
      module.C_FindObjectsFinal(session);
    }
  }

  private describe(module: pkcs11js.PKCS11, session: Buffer, handle: Buffer, label: string): KeyInfo {
    const [encrypt, decrypt, id] = module.C_GetAttributeValue(session, handle, [
      { type: pkcs11js.CKA_ENCRYPT },
      { type: pkcs11js.CKA_DECRYPT },
      { type: pkcs11js.CKA_ID },
    ]);
    const on = (attribute: pkcs11js.Attribute | undefined) =>
      Buffer.isBuffer(attribute?.value) && attribute.value[0] === 1;
    const facts = readMetadata(id?.value);
    return {
      keyReference: label,
      state: facts.deleteAfter ? 'PENDING_DELETION' : on(encrypt) && on(decrypt) ? 'ENABLED' : 'DISABLED',
      algorithm: 'AES-256-GCM',
      currentVersion: '1',
      createdAt: facts.createdAt,
    };
  }

  private usable(module: pkcs11js.PKCS11, session: Buffer, label: string): Buffer {
    const handle = this.find(module, session, label);
    if (this.describe(module, session, handle, label).state !== 'ENABLED')
      throw pluginErrors.keyDisabled(label);
    return handle;
  }

  async health(): Promise<PluginHealth> {
    try {
      await this.run('', (module) => module.C_GetSlotList(true));
      return healthNow('healthy', `PKCS#11 token "${this.config?.tokenLabel}" is logged in`, true);
    } catch (error) {
      this.reset();
      return healthNow('unhealthy', (error as Error).message, true);
    }
  }

  getKey(key: KeyHandle): Promise<KeyInfo> {
    const label = this.checkReference(key);
    return this.run(label, (module, session) =>
      this.describe(module, session, this.find(module, session, label), label),
    );
  }

  async createKey(key: KeyHandle): Promise<KeyInfo> {
    const label = this.checkReference(key);
    const existing = await this.getKey(key).catch(() => undefined);
    if (existing) return existing;
    return this.run(label, (module, session) => {
      const handle = module.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_MODIFIABLE, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_WRAP, value: true },
        { type: pkcs11js.CKA_UNWRAP, value: true },
        { type: pkcs11js.CKA_ID, value: metadata({ createdAt: new Date().toISOString() }) },
      ]);
      return this.describe(module, session, handle, label);
    });
  }

  private setAttributes(key: KeyHandle, template: pkcs11js.Template): Promise<void> {
    const label = this.checkReference(key);
    return this.run(label, (module, session) =>
      module.C_SetAttributeValue(session, this.find(module, session, label), template),
    );
  }

  /** HSM keys cannot wait out a deletion window themselves: the date is recorded, an operator destroys the object. */
  async deleteKey(key: KeyHandle, options: { windowDays: number }): Promise<void> {
    const info = await this.getKey(key);
    const deleteAfter = new Date(Date.now() + options.windowDays * 86_400_000).toISOString();
    await this.setAttributes(key, [
      { type: pkcs11js.CKA_ID, value: metadata({ createdAt: info.createdAt, deleteAfter }) },
      ...usage(false),
    ]);
  }

  async enableKey(key: KeyHandle): Promise<void> {
    const info = await this.getKey(key);
    await this.setAttributes(key, [
      { type: pkcs11js.CKA_ID, value: metadata({ createdAt: info.createdAt }) },
      ...usage(true),
    ]);
  }

  disableKey(key: KeyHandle): Promise<void> {
    return this.setAttributes(key, usage(false));
  }

  validateKey(key: KeyHandle): Promise<KeyValidation> {
    return validateByRoundTrip(this, key);
  }

  /**
   * An Account's spec.thalesHSM: the token must be the one this CMK serves (and, when a slot is
   * named, be in that slot). The PIN reference records which Secret the HSM team issued; CMK logs in
   * with the operator's mounted PIN file.
   */
  async validateKeyAccessData(accessData: Record<string, unknown> | undefined): Promise<void> {
    if (!accessData || Object.keys(accessData).length === 0) return;
    const settings = parseAccessData(ThalesSettings, accessData);
    if (settings.tokenLabel !== this.config?.tokenLabel)
      throw pluginErrors.invalidKeyAccessData(
        `tokenLabel: this CMK serves token "${this.config?.tokenLabel}", not "${settings.tokenLabel}"`,
      );
    if (settings.slotID !== undefined) {
      const { slotID } = await this.open();
      if (settings.slotID !== slotID)
        throw pluginErrors.invalidKeyAccessData(
          `slotID: token "${settings.tokenLabel}" is in slot ${slotID}, not ${settings.slotID}`,
        );
    }
  }

  async getKeyVersions(key: KeyHandle): Promise<KeyVersionInfo[]> {
    const info = await this.getKey(key);
    return [{ version: info.currentVersion, createdAt: info.createdAt, current: true }];
  }

  wrapKey(key: KeyHandle, plaintext: Uint8Array, aad: Uint8Array): Promise<WrappedKey> {
    const label = this.checkReference(key);
    return this.run(label, async (module, session) => {
      const handle = this.usable(module, session, label);
      if (this.config?.mechanism === 'AES-KEY-WRAP-PAD') {
        const header = Buffer.from([FORMAT_KEY_WRAP_PAD]);
        const payload = Buffer.concat([Buffer.from(plaintext), digest(header, aad)]);
        // The material enters the token as a short-lived session object, so the token can wrap it.
        const material = module.C_CreateObject(session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: false },
          { type: pkcs11js.CKA_VALUE, value: payload },
        ]);
        try {
          const wrapped = await module.C_WrapKeyAsync(
            session,
            { mechanism: this.config.keyWrapPad },
            handle,
            material,
            Buffer.alloc(payload.length + 16),
          );
          return { ciphertext: Buffer.concat([header, wrapped]), keyVersion: '1' };
        } finally {
          module.C_DestroyObject(session, material);
        }
      }
      const header = Buffer.concat([Buffer.from([FORMAT_GCM]), randomBytes(IV)]);
      module.C_EncryptInit(session, gcm(header, aad), handle);
      const output = await module.C_EncryptAsync(
        session,
        Buffer.from(plaintext),
        Buffer.alloc(plaintext.length + TAG_BITS / 8),
      );
      return { ciphertext: Buffer.concat([header, output]), keyVersion: '1' };
    });
  }

  unwrapKey(key: KeyHandle, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const label = this.checkReference(key);
    const bytes = Buffer.from(wrapped);
    if (bytes[0] === FORMAT_KEY_WRAP_PAD && bytes.length > 1 + DIGEST)
      return this.unwrapKeyWrapPad(label, bytes, aad);
    if (bytes.length < HEADER + TAG_BITS / 8 || bytes[0] !== FORMAT_GCM)
      return Promise.reject(pluginErrors.decryptionFailed());
    return this.run(label, async (module, session) => {
      const handle = this.usable(module, session, label);
      module.C_DecryptInit(session, gcm(bytes.subarray(0, HEADER), aad), handle);
      return decrypting(async () =>
        Buffer.from(await module.C_DecryptAsync(session, bytes.subarray(HEADER), Buffer.alloc(bytes.length))),
      );
    });
  }

  private unwrapKeyWrapPad(label: string, bytes: Buffer, aad: Uint8Array): Promise<Uint8Array> {
    return this.run(label, async (module, session) => {
      const handle = this.usable(module, session, label);
      const material = await decrypting(() =>
        module.C_UnwrapKeyAsync(
          session,
          { mechanism: this.config?.keyWrapPad ?? pkcs11js.CKM_AES_KEY_WRAP_PAD },
          handle,
          bytes.subarray(1),
          [
            { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
            { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
            { type: pkcs11js.CKA_TOKEN, value: false },
            { type: pkcs11js.CKA_EXTRACTABLE, value: true },
            { type: pkcs11js.CKA_SENSITIVE, value: false },
          ],
        ),
      );
      try {
        const [value] = module.C_GetAttributeValue(session, material, [{ type: pkcs11js.CKA_VALUE }]);
        const payload = Buffer.isBuffer(value?.value) ? value.value : Buffer.alloc(0);
        const plaintext = payload.subarray(0, payload.length - DIGEST);
        if (
          payload.length <= DIGEST ||
          !payload.subarray(payload.length - DIGEST).equals(digest(bytes.subarray(0, 1), aad))
        )
          throw pluginErrors.decryptionFailed();
        return Buffer.from(plaintext);
      } finally {
        module.C_DestroyObject(session, material);
      }
    });
  }
}

/** CKA_ENCRYPT/DECRYPT/WRAP/UNWRAP together: what enabling and disabling a key switches. */
function usage(on: boolean): pkcs11js.Template {
  return [pkcs11js.CKA_ENCRYPT, pkcs11js.CKA_DECRYPT, pkcs11js.CKA_WRAP, pkcs11js.CKA_UNWRAP].map((type) => ({
    type,
    value: on,
  }));
}

/** Key wrap authenticates the material but takes no AAD: the context travels as a digest inside. */
function digest(header: Buffer, aad: Uint8Array): Buffer {
  return createHash('sha256').update(header).update(aad).digest();
}

/** A failed integrity check: Luna says CKR_ENCRYPTED_DATA_INVALID or CKR_WRAPPED_KEY_INVALID, SoftHSM2 CKR_GENERAL_ERROR. */
async function decrypting<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const code = resultCode(error);
    if (code !== undefined && (DECRYPTION.has(code) || code === pkcs11js.CKR_GENERAL_ERROR))
      throw pluginErrors.decryptionFailed();
    throw error;
  }
}

/** AES-GCM with a fresh IV; the header (format and IV) and the caller's context are authenticated. */
function gcm(header: Buffer, aad: Uint8Array): pkcs11js.Mechanism {
  return {
    mechanism: pkcs11js.CKM_AES_GCM,
    parameter: {
      type: pkcs11js.CK_PARAMS_AES_GCM,
      iv: header.subarray(1),
      ivBits: IV * 8,
      aad: Buffer.concat([header, aad]),
      tagBits: TAG_BITS,
    } as pkcs11js.GcmParams,
  };
}
