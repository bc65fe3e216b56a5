import { randomBytes } from 'node:crypto';
import { isPluginError } from './errors.js';
import type { KeyHandle, KeystoreInstanceKeyOperation, KeyValidation } from './keystore.js';

const PROBE_CONTEXT = new TextEncoder().encode('openkcm:validate');

/**
 * ValidateKey by doing what CMK will do with the key: wrap and unwrap a random probe. A permanent
 * failure (missing, disabled, refused) is an answer; a retryable one is thrown, so the caller retries.
 */
export async function validateByRoundTrip(
  keystore: Pick<KeystoreInstanceKeyOperation, 'wrapKey' | 'unwrapKey'>,
  key: KeyHandle,
): Promise<KeyValidation> {
  try {
    const probe = randomBytes(32);
    const wrapped = await keystore.wrapKey(key, probe, PROBE_CONTEXT);
    const back = await keystore.unwrapKey(key, wrapped.ciphertext, PROBE_CONTEXT);
    if (!probe.equals(Buffer.from(back))) return { usable: false, reason: 'the key did not round-trip' };
    return { usable: true, currentVersion: wrapped.keyVersion };
  } catch (error) {
    if (isPluginError(error) && !error.retryable) return { usable: false, reason: error.message };
    throw error;
  }
}
