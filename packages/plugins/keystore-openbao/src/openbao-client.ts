import { readFile } from 'node:fs/promises';
import { type JsonResponse, requestJson } from '@openkcm/pki';
import { type PluginError, pluginErrors } from '@openkcm/plugin-sdk';
import type { OpenBaoKeystoreConfiguration } from './configuration.js';
import { normaliseNamespace } from './configuration.js';

/** An answer from OpenBao that is not a success: its status and its `{"errors": [...]}`. */
export class OpenBaoResponseError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly path: string,
  ) {
    super(`OpenBao answered ${status} to ${path}: ${errors.join('; ') || 'no details'}`);
  }
  get permissionDenied(): boolean {
    return this.status === 403;
  }
}

interface Lease {
  token: string;
  obtainedAt: number;
  expiresAt: number;
  leaseSeconds: number;
  renewable: boolean;
  /** The server granted less than asked: the max TTL is near, so the next step is a new login. */
  capped: boolean;
}

interface AuthBlock {
  client_token: string;
  lease_duration: number;
  renewable: boolean;
}

function authBlock(body: unknown): AuthBlock {
  const auth = (body as { auth?: Partial<AuthBlock> } | undefined)?.auth;
  if (!auth || typeof auth.client_token !== 'string' || typeof auth.lease_duration !== 'number')
    throw pluginErrors.unavailable('OpenBao returned a login answer without a token');
  return {
    client_token: auth.client_token,
    lease_duration: auth.lease_duration,
    renewable: auth.renewable === true,
  };
}

/** How close to expiry a token is replaced rather than used: 30 s, or a tenth of a short lease. */
const marginMs = (lease: Lease) => Math.min(30_000, (lease.leaseSeconds * 1000) / 10);

const TRANSIENT = new Set([429, 500, 502, 503, 504]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/;

/**
 * OpenBao's HTTP API with CMK's token: it logs in (AppRole or Kubernetes), renews the token at half
 * its lease, logs in again when renewal is capped by the max TTL or refused, and, when a request is
 * refused with 403 anyway (token revoked), logs in once more and repeats it. Token and credentials
 * never appear in errors.
 */
export class OpenBaoClient {
  private lease: Lease | undefined;
  private pendingLease: Promise<Lease> | undefined;
  private ca: string | undefined;

  constructor(
    private readonly configuration: OpenBaoKeystoreConfiguration,
    private readonly clock: () => number,
  ) {}

  async open(): Promise<void> {
    const file = this.configuration.tls?.caBundleFile;
    if (!file) return;
    try {
      this.ca = await readFile(file, 'utf8');
    } catch (error) {
      throw pluginErrors.invalidConfiguration(
        `tls.caBundleFile: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }

  /** The unauthenticated health endpoint: 200 active, 429 standby, 503 sealed. */
  async health(): Promise<{ ok: boolean; message: string }> {
    const response = await this.send('GET', 'sys/health', undefined, undefined, '');
    const body = response.body as { sealed?: boolean; version?: string } | undefined;
    if (response.status === 200 || response.status === 429)
      return {
        ok: true,
        message: `OpenBao ${body?.version ?? ''} at ${this.configuration.address} is unsealed`.replace(
          '  ',
          ' ',
        ),
      };
    return {
      ok: false,
      message: body?.sealed
        ? `OpenBao at ${this.configuration.address} is sealed`
        : `OpenBao health answered ${response.status}`,
    };
  }

  /** A request with CMK's token in `namespace`; answers other than 2xx/404 become OpenBaoResponseError. */
  async call(
    method: string,
    path: string,
    namespace: string,
    body?: Record<string, unknown>,
  ): Promise<JsonResponse> {
    let lease = await this.currentLease();
    let response = await this.send(method, path, body, lease.token, namespace);
    if (response.status === 403) {
      // Revoked or expired under us: one new login, then the answer stands.
      this.forget(lease);
      lease = await this.currentLease();
      response = await this.send(method, path, body, lease.token, namespace);
    }
    if (response.status >= 400 && response.status !== 404) throw this.responseError(response, path);
    return response;
  }

  /** Checks the token the way an operator would (`bao token lookup`): proves the login works. */
  async lookupSelf(): Promise<{ ttl: number }> {
    const response = await this.call('GET', 'auth/token/lookup-self', this.loginNamespace);
    return { ttl: Number((response.body as { data?: { ttl?: number } }).data?.ttl ?? 0) };
  }

  forgetToken(): void {
    this.lease = undefined;
  }

  private get loginNamespace(): string {
    return normaliseNamespace(this.configuration.namespace);
  }

  private forget(lease: Lease): void {
    if (this.lease === lease) this.lease = undefined;
  }

  private async currentLease(): Promise<Lease> {
    const lease = this.lease;
    const now = this.clock();
    if (lease) {
      const remainingMs = lease.expiresAt - now;
      const halfLife = now - lease.obtainedAt >= (lease.leaseSeconds * 1000) / 2;
      if (remainingMs > marginMs(lease) && (!halfLife || !lease.renewable || lease.capped)) return lease;
    }
    // One login or renewal at a time, however many requests arrive meanwhile.
    this.pendingLease ??= this.refresh(lease).finally(() => {
      this.pendingLease = undefined;
    });
    return this.pendingLease;
  }

  private async refresh(previous: Lease | undefined): Promise<Lease> {
    const now = this.clock();
    const usable = previous && previous.expiresAt - now > marginMs(previous);
    const renewed =
      previous && usable && previous.renewable && !previous.capped
        ? await this.renew(previous).catch(() => undefined)
        : undefined;
    this.lease = renewed ?? (await this.login());
    return this.lease;
  }

  private async renew(previous: Lease): Promise<Lease | undefined> {
    const increment = this.configuration.renewIncrementSeconds;
    const response = await this.send(
      'POST',
      'auth/token/renew-self',
      { increment },
      previous.token,
      this.loginNamespace,
    );
    if (response.status !== 200) return undefined;
    const auth = authBlock(response.body);
    return this.leaseFrom(previous.token, auth, auth.lease_duration < increment);
  }

  private async login(): Promise<Lease> {
    const { auth } = this.configuration;
    const credentials = await this.credentials();
    const mount = auth.method === 'AppRole' ? auth.appRole?.mountPath : auth.kubernetes?.mountPath;
    const response = await this.send(
      'POST',
      `auth/${mount}/login`,
      credentials,
      undefined,
      this.loginNamespace,
    );
    if (response.status === 400 || response.status === 401 || response.status === 403)
      throw pluginErrors.authenticationFailed(
        `OpenBao refused the ${auth.method} login (${errorsOf(response).join('; ') || response.status}); check the ${auth.method === 'AppRole' ? 'role_id and secret_id' : 'role and service-account token'}`,
      );
    if (response.status !== 200) throw this.classify(this.responseError(response, `auth/${mount}/login`));
    const block = authBlock(response.body);
    return this.leaseFrom(block.client_token, block, false);
  }

  private leaseFrom(token: string, auth: AuthBlock, capped: boolean): Lease {
    const now = this.clock();
    return {
      token,
      obtainedAt: now,
      expiresAt: now + auth.lease_duration * 1000,
      leaseSeconds: auth.lease_duration,
      renewable: auth.renewable,
      capped,
    };
  }

  /** Read at every login: a rotated secret_id or service-account token is picked up without a restart. */
  private async credentials(): Promise<Record<string, unknown>> {
    const { auth } = this.configuration;
    const read = async (field: string, file: string) => {
      try {
        return (await readFile(file, 'utf8')).trim();
      } catch (error) {
        throw pluginErrors.authenticationFailed(
          `cannot read ${field} (${file}): ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
    };
    if (auth.method === 'AppRole' && auth.appRole)
      return {
        role_id: await read('auth.appRole.roleIdFile', auth.appRole.roleIdFile),
        secret_id: await read('auth.appRole.secretIdFile', auth.appRole.secretIdFile),
      };
    if (auth.kubernetes)
      return {
        role: auth.kubernetes.role,
        jwt: await read('auth.kubernetes.serviceAccountTokenFile', auth.kubernetes.serviceAccountTokenFile),
      };
    throw pluginErrors.invalidConfiguration(`auth: no settings for ${auth.method}`);
  }

  private responseError(response: JsonResponse, path: string): OpenBaoResponseError {
    return new OpenBaoResponseError(response.status, errorsOf(response), path);
  }

  /** Transport failures and 5xx as retryable; everything else the caller classifies. */
  classify(error: unknown): PluginError {
    if (error instanceof OpenBaoResponseError && TRANSIENT.has(error.status))
      return pluginErrors.unavailable(error.message);
    if (error instanceof OpenBaoResponseError && error.permissionDenied)
      return pluginErrors.permissionDenied(
        `the token's policy does not allow ${error.path}; grant the minimum policy in docs/keystores/openbao.md`,
      );
    return pluginErrors.unavailable((error as Error).message);
  }

  private async send(
    method: string,
    path: string,
    body: Record<string, unknown> | undefined,
    token: string | undefined,
    namespace: string,
  ): Promise<JsonResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    if (token) headers['x-vault-token'] = token;
    if (namespace) headers['x-vault-namespace'] = namespace;
    const url = `${this.configuration.address.replace(/\/$/, '')}/v1/${path}`;
    try {
      return await requestJson(url, {
        method,
        headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
        ...(this.ca ? { ca: this.ca } : {}),
        ...(this.configuration.tls?.serverName ? { servername: this.configuration.tls.serverName } : {}),
        timeoutMs: this.configuration.requestTimeoutMs,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (TLS_CODES.test(code))
        throw pluginErrors.unavailable(
          `TLS verification of ${this.configuration.address} failed (${code}); check tls.caBundleFile and tls.serverName`,
        );
      throw pluginErrors.unavailable(
        `${this.configuration.address} cannot be reached (${code || (error as Error).message})`,
        error,
      );
    }
  }
}

function errorsOf(response: JsonResponse): string[] {
  const errors = (response.body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? errors.map((item) => String(item).replace(/\s+/g, ' ').trim()) : [];
}
