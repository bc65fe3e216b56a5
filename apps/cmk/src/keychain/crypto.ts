import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CmkError } from './errors.js';

const IV = 12;
const TAG = 16;

/** A fresh 256-bit key for L2 roots and L3 versions. */
export function newKey(): Buffer {
  return randomBytes(32);
}

/** AES-256-GCM: iv | ciphertext | tag, with `aad` bound so the blob opens only in its own context. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV + TAG)
    throw new CmkError('DECRYPTION_FAILED', 'the ciphertext is too short to be valid');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV)).setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([decipher.update(sealed.subarray(IV, sealed.length - TAG)), decipher.final()]);
  } catch {
    throw new CmkError(
      'DECRYPTION_FAILED',
      'the ciphertext could not be decrypted: it was altered, or belongs to another key, version or context',
    );
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

/** What binds data encrypted with an L3 key to the key and the caller's context. */
export function dataContext(tenantId: string, keyId: string, version: number, context: string): Buffer {
  return Buffer.from(`openkcm:data:${tenantId}:${keyId}:${version}:${context}`);
}
