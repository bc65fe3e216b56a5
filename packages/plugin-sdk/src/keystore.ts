import type { Plugin } from './plugin.js';

export type KeyState = 'ENABLED' | 'DISABLED' | 'PENDING_DELETION';

/** Where an L1 key lives: the provider's own reference plus how to reach it (references to secrets, never secrets). */
export interface KeyHandle {
  keyReference: string;
  accessData?: Record<string, unknown>;
}

export interface KeyInfo {
  keyReference: string;
  state: KeyState;
  algorithm: 'AES-256-GCM';
  currentVersion: string;
  createdAt: string;
}

export interface KeyVersionInfo {
  version: string;
  createdAt: string;
  current: boolean;
}

export interface KeyValidation {
  usable: boolean;
  /** Why not, in words a user can act on. */
  reason?: string;
  currentVersion?: string;
}

export interface WrappedKey {
  /** Opaque to CMK; carries whatever the provider needs to unwrap (key version, IV, tag). */
  ciphertext: Uint8Array;
  keyVersion: string;
}

/**
 * Operations on keys inside a keystore instance, named as in the OpenKCM plugin SDK
 * (GetKey, CreateKey, DeleteKey, EnableKey, DisableKey, ValidateKey, ValidateKeyAccessData,
 * GetKeyVersions), plus wrap/unwrap of L2 material. L1 key material never leaves the keystore.
 */
export interface KeystoreInstanceKeyOperation {
  getKey(key: KeyHandle): Promise<KeyInfo>;
  createKey(key: KeyHandle): Promise<KeyInfo>;
  deleteKey(key: KeyHandle, options: { windowDays: number }): Promise<void>;
  enableKey(key: KeyHandle): Promise<void>;
  disableKey(key: KeyHandle): Promise<void>;
  /** Whether the key exists and can wrap and unwrap now (FR-3.3). Never throws for a missing key. */
  validateKey(key: KeyHandle): Promise<KeyValidation>;
  validateKeyAccessData(accessData: Record<string, unknown> | undefined): Promise<void>;
  getKeyVersions(key: KeyHandle): Promise<KeyVersionInfo[]>;
  /** Encrypts key material under the L1 key, binding `aad` (tenant, account) to it. */
  wrapKey(key: KeyHandle, plaintext: Uint8Array, aad: Uint8Array): Promise<WrappedKey>;
  unwrapKey(key: KeyHandle, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
}

/** A keystore plugin: which provider it speaks to, and the key operations there. */
export interface KeystoreProvider extends Plugin, KeystoreInstanceKeyOperation {
  readonly type: 'KeystoreProvider';
  /** The Account providerType this plugin serves (`Local`, `OpenBao`, `AWS`, `ThalesHSM`). */
  readonly providerType: string;
  readonly production: boolean;
}
