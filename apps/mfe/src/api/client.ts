import type { ApiErrorBody } from '@openkcm/bff-api';
import type { HostContext } from '../host-context.js';

/** An error the BFF answered with, or a network failure described the same way. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestID?: string,
  ) {
    super(message);
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'code') === 'string' &&
    typeof Reflect.get(value, 'message') === 'string'
  );
}

export type Request = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** Calls the BFF for the host's current workspace with the host's current token. */
export function createRequest(context: () => HostContext): Request {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const { bffUrl, workspace, getToken } = context();
    const url = `${bffUrl}/api/v1${path.startsWith('/me') ? '' : `/workspaces/${workspace}`}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${await getToken()}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(
        0,
        'UNREACHABLE',
        `The Key Chain service at ${bffUrl} cannot be reached. Check your connection and try again.`,
      );
    }
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      if (isErrorBody(parsed))
        throw new ApiError(response.status, parsed.code, parsed.message, parsed.details, parsed.requestID);
      throw new ApiError(
        response.status,
        'UNEXPECTED_RESPONSE',
        `The Key Chain service answered ${response.status}.`,
      );
    }
    return parsed as T;
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
