/** Every failure the edge reports, in the product's one error shape. */
export type EdgeErrorCode =
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'PAYLOAD_TOO_LARGE'
  | 'KEY_NOT_USABLE'
  | 'DECRYPTION_FAILED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

const STATUS: Record<EdgeErrorCode, number> = {
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  INVALID_ARGUMENT: 400,
  PAYLOAD_TOO_LARGE: 413,
  KEY_NOT_USABLE: 422,
  DECRYPTION_FAILED: 422,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class EdgeError extends Error {
  readonly status: number;

  constructor(
    readonly code: EdgeErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'EdgeError';
    this.status = STATUS[code];
  }
}

export function errorBody(error: EdgeError, requestId: string) {
  return {
    code: error.code,
    message: error.message,
    status: error.status,
    requestID: requestId,
    details: error.details,
  };
}
