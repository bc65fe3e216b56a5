import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV = 12;
const TAG = 16;
/** Versions are 32-bit in CMK's database. */
const MAX_VERSION = 2_147_483_647;
// Nine or ten digits at most, checked against MAX_VERSION below.
const FORMAT = /^okcm:v([1-9][0-9]{0,9}):([A-Za-z0-9+/]+={0,2})$/;

/** Why a ciphertext could not be opened: malformed (a 400) or not authentic here (a 422). */
export class CiphertextError extends Error {
  constructor(
    readonly reason: 'malformed' | 'unauthentic',
    message: string,
  ) {
    super(message);
    this.name = 'CiphertextError';
  }
}

/** AES-256-GCM: iv | ciphertext | tag, with `aad` bound so the blob opens only in its own context. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV + TAG)
    throw new CiphertextError('malformed', 'the ciphertext is too short to be valid');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV)).setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([decipher.update(sealed.subarray(IV, sealed.length - TAG)), decipher.final()]);
  } catch {
    throw new CiphertextError(
      'unauthentic',
      'the ciphertext could not be decrypted: it was altered, or belongs to another key, version or context',
    );
  }
}

/** What binds data encrypted with an L3 key to its tenant, key, version and the caller's context. */
export function dataContext(tenantId: string, keyId: string, version: number, context: string): Buffer {
  return Buffer.from(`openkcm:data:${tenantId}:${keyId}:${version}:${context}`);
}

/** `okcm:v<version>:<base64>`: the version travels with the data, so decrypt needs no other input. */
export function formatCiphertext(version: number, sealed: Buffer): string {
  return `okcm:v${version}:${sealed.toString('base64')}`;
}

export function parseCiphertext(ciphertext: string): { version: number; sealed: Buffer } {
  const match = FORMAT.exec(ciphertext);
  if (!match) throw new CiphertextError('malformed', 'ciphertext must look like okcm:v<version>:<base64>');
  const version = Number(match[1]);
  if (version > MAX_VERSION) throw new CiphertextError('malformed', `version ${version} is out of range`);
  return { version, sealed: Buffer.from(match[2] ?? '', 'base64') };
}
