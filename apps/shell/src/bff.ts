import type { ApiErrorBody, MeResponse } from '@openkcm/bff-api';

export interface OpenkcmStatus {
  enabled: boolean;
  role: 'Admin' | 'Viewer' | null;
  tenant: {
    metadata?: { deletionTimestamp?: string };
    status?: { phase?: string; purgeAfter?: string };
  } | null;
}

/** The few BFF calls the shell itself makes (who am I, Workspace Settings). */
export async function callBff<T>(
  bffUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${bffUrl}/api/v1${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new Error(`The BFF at ${bffUrl} cannot be reached; check that the product is running.`);
  }
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = answer as Partial<ApiErrorBody> | undefined;
    throw new Error(error?.message ?? `The BFF answered ${response.status}`);
  }
  return answer as T;
}

export type { MeResponse };
