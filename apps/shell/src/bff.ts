import type { ApiErrorBody, MeResponse } from '@openkcm/bff-api';

export interface OpenkcmStatus {
  enabled: boolean;
  role: 'Admin' | 'Viewer' | null;
  tenant: { status?: { phase?: string } } | null;
}

/** The few BFF calls the shell itself makes (who am I, Workspace Settings). */
export async function callBff<T>(bffUrl: string, token: string, method: string, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${bffUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
    });
  } catch {
    throw new Error(`The BFF at ${bffUrl} cannot be reached; check that the product is running.`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = body as Partial<ApiErrorBody> | undefined;
    throw new Error(error?.message ?? `The BFF answered ${response.status}`);
  }
  return body as T;
}

export type { MeResponse };
