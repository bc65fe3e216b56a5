/**
 * Errors every plugin classifies the same way, so CMK can decide what to tell the user and
 * whether to retry without knowing which plugin failed.
 */
export type PluginErrorCode =
  | 'KEY_NOT_FOUND'
  | 'AUTHENTICATION_FAILED'
  | 'INVALID_KEY_ACCESS_DATA'
  | 'KEY_DISABLED'
  | 'DECRYPTION_FAILED'
  | 'INVALID_CONFIGURATION'
  | 'PERMISSION_DENIED'
  | 'UNAVAILABLE';

const RETRYABLE: ReadonlySet<PluginErrorCode> = new Set(['UNAVAILABLE']);

export class PluginError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: PluginErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PluginError';
    this.retryable = options.retryable ?? RETRYABLE.has(code);
  }
}

export const pluginErrors = {
  keyNotFound: (reference: string) =>
    new PluginError('KEY_NOT_FOUND', `key not found in the keystore provider: ${reference}`),
  authenticationFailed: (detail: string) =>
    new PluginError('AUTHENTICATION_FAILED', `failed to authenticate with the keystore provider: ${detail}`),
  invalidKeyAccessData: (detail: string) =>
    new PluginError('INVALID_KEY_ACCESS_DATA', `invalid key access data: ${detail}`),
  keyDisabled: (reference: string) =>
    new PluginError('KEY_DISABLED', `the key is disabled in the keystore provider: ${reference}`),
  decryptionFailed: () =>
    new PluginError(
      'DECRYPTION_FAILED',
      'the ciphertext could not be decrypted: it was altered, or belongs to another key or context',
    ),
  invalidConfiguration: (detail: string) =>
    new PluginError('INVALID_CONFIGURATION', `invalid plugin configuration: ${detail}`),
  permissionDenied: (detail: string) =>
    new PluginError('PERMISSION_DENIED', `the keystore provider refused the operation: ${detail}`),
  unavailable: (detail: string, cause?: unknown) =>
    new PluginError('UNAVAILABLE', `the keystore provider is unreachable: ${detail}`, { cause }),
};

export function isPluginError(error: unknown, code?: PluginErrorCode): error is PluginError {
  return error instanceof PluginError && (code === undefined || error.code === code);
}
