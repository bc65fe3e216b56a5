import { randomBytes } from 'node:crypto';
import { CiphertextError, open as openSealed, parseCiphertext } from '@openkcm/ciphertext';
import { CmkError } from './errors.js';

export { dataContext, formatCiphertext, seal } from '@openkcm/ciphertext';

/** A fresh 256-bit key for L2 roots and L3 versions. */
export function newKey(): Buffer {
  return randomBytes(32);
}

function asCmkError(error: unknown): never {
  if (error instanceof CiphertextError)
    throw new CmkError(
      error.reason === 'malformed' ? 'INVALID_ARGUMENT' : 'DECRYPTION_FAILED',
      error.message,
      {
        field: 'ciphertext',
      },
    );
  throw error;
}

export function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  try {
    return openSealed(key, sealed, aad);
  } catch (error) {
    return asCmkError(error);
  }
}

export function ciphertextParts(ciphertext: string): { version: number; sealed: Buffer } {
  try {
    return parseCiphertext(ciphertext);
  } catch (error) {
    return asCmkError(error);
  }
}

/** What binds an L2 root to its tenant and Account. */
export function rootContext(tenantId: string, accountId: string, generation: number): Buffer {
  return Buffer.from(`openkcm:l2:${tenantId}:${accountId}:${generation}`);
}

/** What binds an L3 version to its tenant, key and version. */
export function versionContext(tenantId: string, keyId: string, version: number): Buffer {
  return Buffer.from(`openkcm:l3:${tenantId}:${keyId}:${version}`);
}
