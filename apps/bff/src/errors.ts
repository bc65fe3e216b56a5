import { KubeError } from '@openkcm/kube-client';
import { SchemaValidationError } from '@openkcm/schema';

/** The one error shape the microfrontend sees: what went wrong, what to do, and the upstream's own reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const KUBE_CODES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'INVALID_ARGUMENT',
};

/** Translates any failure into an ApiError; upstream outages become 502/503/504 with a message, never a hang. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof SchemaValidationError)
    return new ApiError(400, 'INVALID_ARGUMENT', `the request body is invalid: ${error.message}`, {
      causes: error.causes,
    });
  if (error instanceof KubeError) {
    const upstream = error.upstream;
    const status = error.status >= 500 ? 502 : error.status;
    return new ApiError(
      status,
      KUBE_CODES[error.status] ?? 'UPSTREAM_ERROR',
      upstream.message ?? error.message,
      {
        upstream: 'kubernetes',
        ...(upstream.reason ? { reason: upstream.reason } : {}),
        ...(upstream.details ? { upstreamDetails: upstream.details } : {}),
      },
    );
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET')
    return new ApiError(
      503,
      'UPSTREAM_UNAVAILABLE',
      'a backend service is not reachable; try again shortly',
      {},
    );
  if (error instanceof Error && /timed out/.test(error.message))
    return new ApiError(504, 'UPSTREAM_TIMEOUT', 'a backend service did not answer in time; try again', {});
  return new ApiError(500, 'INTERNAL', 'internal error; quote the request ID when reporting it', {});
}
