import { requestJson } from '@openkcm/pki';

export interface CmkResponse {
  status: number;
  body: Record<string, unknown>;
}

/** CMK's answer when it is unreachable or overloaded: the caller retries with backoff. */
export class CmkUnavailableError extends Error {}

/** Client-credentials access token of the controller's own identity, renewed before it expires. */
export function clientCredentials(
  issuer: string,
  clientId: string,
  secret: () => Promise<string>,
): () => Promise<string> {
  let cached: { token: string; renewAt: number } | undefined;
  return async () => {
    if (cached && Date.now() < cached.renewAt) return cached.token;
    const discovery = await requestJson(`${issuer}/.well-known/openid-configuration`, { timeoutMs: 5000 });
    const endpoint = (discovery.body as { token_endpoint?: string }).token_endpoint;
    if (!endpoint) throw new CmkUnavailableError(`the identity provider ${issuer} has no token endpoint`);
    const response = await requestJson(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${clientId}:${await secret()}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
      timeoutMs: 5000,
    });
    const body = response.body as { access_token?: string; expires_in?: number };
    if (response.status !== 200 || !body.access_token)
      throw new CmkUnavailableError(
        `the identity provider refused the controller's credentials (${response.status})`,
      );
    cached = { token: body.access_token, renewAt: Date.now() + (body.expires_in ?? 300) * 800 };
    return body.access_token;
  };
}

/** CMK's API, called with the controller's service identity. */
export class CmkClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => Promise<string>,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<CmkResponse> {
    let response: Awaited<ReturnType<typeof requestJson>>;
    try {
      response = await requestJson(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${await this.token()}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: 30_000,
      });
    } catch (error) {
      if (error instanceof CmkUnavailableError) throw error;
      throw new CmkUnavailableError(`CMK at ${this.baseUrl} is unreachable: ${(error as Error).message}`);
    }
    if (response.status === 503 || response.status === 502 || response.status === 504) {
      const message =
        (response.body as { message?: string } | undefined)?.message ?? `status ${response.status}`;
      throw new CmkUnavailableError(message);
    }
    return { status: response.status, body: (response.body ?? {}) as Record<string, unknown> };
  }
}

export function tenantPath(workspace: string): string {
  return `/tenants/${encodeURIComponent(workspace)}`;
}
