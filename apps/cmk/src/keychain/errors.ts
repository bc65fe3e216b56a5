import { isPluginError } from '@openkcm/plugin-sdk';
/** Every failure CMK reports, in one shape; the HTTP layer maps `status` and adds the request ID. */
export type CmkErrorCode =
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'CONFLICT'
  | 'KEY_NOT_USABLE'
  | 'DECRYPTION_FAILED'
  | 'KEYSTORE_UNAVAILABLE'
  | 'UNAVAILABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL';

const STATUS: Record<CmkErrorCode, number> = {
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 412,
  KEY_NOT_USABLE: 422,
  DECRYPTION_FAILED: 422,
  PAYLOAD_TOO_LARGE: 413,
  KEYSTORE_UNAVAILABLE: 503,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class CmkError extends Error {
  readonly status: number;

  constructor(
    readonly code: CmkErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CmkError';
    this.status = STATUS[code];
  }

  get retryable(): boolean {
    return this.code === 'KEYSTORE_UNAVAILABLE' || this.code === 'UNAVAILABLE';
  }
}

export const notFound = (what: string, name: string) =>
  new CmkError('NOT_FOUND', `${what} "${name}" does not exist`, { kind: what, name });

/**
 * Calls the system-information plugin: a platform API it cannot reach is a 503 the caller retries,
 * any other failure of the plugin says what the plugin said.
 */
export async function platformCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isPluginError(error))
      throw new CmkError(error.retryable ? 'UNAVAILABLE' : 'FAILED_PRECONDITION', error.message);
    throw error;
  }
}
