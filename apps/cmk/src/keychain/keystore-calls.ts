import { isPluginError, type KeyHandle, type KeystoreProvider } from '@openkcm/plugin-sdk';
import type { KeyChainContext } from './context.js';
import { CmkError } from './errors.js';

export function keystoreFor(ctx: KeyChainContext, providerType: string): KeystoreProvider {
  const keystore = ctx.keystores.get(providerType);
  if (!keystore) {
    throw new CmkError(
      'INVALID_ARGUMENT',
      `no keystore plugin for provider ${providerType} is loaded in this CMK profile; loaded: ${[...ctx.keystores.keys()].join(', ') || 'none'}`,
      {
        field: 'providerType',
      },
    );
  }
  return keystore;
}

/** Keystore failures in CMK's terms: retryable ones as unavailable, the rest as a key that cannot be used. */
export async function callKeystore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isPluginError(error)) {
      if (error.retryable)
        throw new CmkError('KEYSTORE_UNAVAILABLE', `${error.message}; the operation can be retried`, {
          keystoreError: error.code,
        });
      if (error.code === 'DECRYPTION_FAILED') throw new CmkError('DECRYPTION_FAILED', error.message);
      throw new CmkError('KEY_NOT_USABLE', error.message, { keystoreError: error.code });
    }
    throw error;
  }
}

export function handle(keyReference: string, accessData: Record<string, unknown>): KeyHandle {
  return Object.keys(accessData).length > 0 ? { keyReference, accessData } : { keyReference };
}
