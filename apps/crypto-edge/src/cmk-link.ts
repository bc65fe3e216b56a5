import { X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import {
  type EdgeEvent,
  type EdgeKeyState,
  KeyMaterialResponse,
  parseEdgeEvent,
} from '@openkcm/edge-protocol';
import { parse, parseUntrustedJson } from '@openkcm/schema';
import { EdgeError } from './edge-error.js';

/** What an enrolled edge holds: its client certificate and key, CMK's edge URL and the CA that signs it. */
export interface EdgeCredentials {
  certPem: string;
  keyPem: string;
  /** The CA of CMK's edge listener. */
  cmkCaPem: string;
  cmkUrl: string;
}

/** Where credentials come from and where renewed ones go (a mounted Secret, or the Kubernetes API). */
export interface CredentialStore {
  load(): Promise<EdgeCredentials>;
  /** Keeps a renewed certificate for the next start; a read-only store may decline. */
  save(credentials: EdgeCredentials): Promise<void>;
}

export interface KeyMaterial {
  key: EdgeKeyState;
  tenantId: string;
  version: number;
  material: Buffer;
}

export function certificateValidity(certPem: string): { notBefore: number; notAfter: number } {
  const certificate = new X509Certificate(certPem);
  return { notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
}

interface CmkAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The edge's one connection to CMK: mTLS with its enrolled certificate (renewed at two thirds of
 * its life, without interrupting anything), the push stream of changes resumed from the last
 * revision after any interruption, and the calls for key material and usage reports.
 */
export class CmkLink {
  private credentials: EdgeCredentials;
  private agent: Agent;
  private revision = 0;
  private stopped = false;
  private streamAbort: (() => void) | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** When CMK was last heard from on the stream (ms); undefined before the first contact. */
  lastContact: number | undefined;
  /** Set once CMK refused this edge's certificate: the edge was deregistered. */
  revokedReason: string | undefined;
  streaming = false;

  constructor(
    credentials: EdgeCredentials,
    private readonly options: {
      store: CredentialStore;
      onEvent: (event: EdgeEvent) => void;
      onRevoked: () => void;
      log: (entry: Record<string, unknown>) => void;
    },
  ) {
    this.credentials = credentials;
    this.agent = this.newAgent();
  }

  private newAgent(): Agent {
    return new Agent({
      keepAlive: true,
      maxSockets: 32,
      cert: this.credentials.certPem,
      key: this.credentials.keyPem,
      ca: this.credentials.cmkCaPem,
      minVersion: 'TLSv1.3',
    });
  }

  get certificateNotAfter(): number {
    return certificateValidity(this.credentials.certPem).notAfter;
  }

  start(): void {
    this.scheduleRenewal();
    this.connect();
  }

  private call(method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<CmkAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        new URL(path, this.credentials.cmkUrl),
        {
          method,
          agent: this.agent,
          timeout: timeoutMs,
          headers: payload ? { 'Content-Type': 'application/json' } : {},
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({
                status: response.statusCode ?? 0,
                body: (parseUntrustedJson(text) ?? {}) as Record<string, unknown>,
              });
            } catch {
              reject(new Error(`CMK answered ${response.statusCode} with a body that is not JSON`));
            } finally {
              chunks.length = 0;
            }
          });
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`CMK did not answer within ${timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  private refused(answer: CmkAnswer): EdgeError {
    const message =
      typeof answer.body.message === 'string' ? answer.body.message : `CMK answered ${answer.status}`;
    if (answer.status === 403) {
      this.revoke(message);
      return new EdgeError('UNAVAILABLE', `this edge is no longer registered with CMK: ${message}`);
    }
    if (answer.status === 404) return new EdgeError('NOT_FOUND', message);
    if (answer.status === 422 || answer.status === 412) return new EdgeError('KEY_NOT_USABLE', message);
    if (answer.status === 400) return new EdgeError('INVALID_ARGUMENT', message);
    return new EdgeError('UNAVAILABLE', `CMK could not provide the key: ${message}`);
  }

  private revoke(reason: string): void {
    if (this.revokedReason) return;
    this.revokedReason = reason;
    this.options.log({
      level: 'error',
      msg: 'CMK refused this edge: it was deregistered; serving nothing',
      reason,
    });
    this.options.onRevoked();
  }

  /** One version of a key (the current one when `version` is absent), over mTLS only. */
  async keyMaterial(name: string, version?: number): Promise<KeyMaterial> {
    let answer: CmkAnswer;
    try {
      answer = await this.call(
        'GET',
        `/edge/v1/keys/${encodeURIComponent(name)}${version === undefined ? '' : `?version=${version}`}`,
      );
    } catch (error) {
      throw new EdgeError(
        'UNAVAILABLE',
        `CMK is unreachable, and "${name}" is not held at this edge: ${(error as Error).message}`,
      );
    }
    if (answer.status !== 200) throw this.refused(answer);
    let body: KeyMaterialResponse;
    try {
      body = parse(KeyMaterialResponse, answer.body);
    } catch {
      throw new EdgeError(
        'UNAVAILABLE',
        `CMK answered for "${name}" in a shape this edge does not know; is CMK a matching version?`,
      );
    } finally {
      answer.body = {};
    }
    return {
      key: body.key,
      tenantId: body.tenantId,
      version: body.version,
      material: Buffer.from(body.material, 'base64'),
    };
  }

  async reportUsage(items: unknown[]): Promise<void> {
    const answer = await this.call('POST', '/edge/v1/usage', { items });
    if (answer.status !== 202) throw this.refused(answer);
  }

  private scheduleRenewal(): void {
    const { notBefore, notAfter } = certificateValidity(this.credentials.certPem);
    const at = notBefore + ((notAfter - notBefore) * 2) / 3;
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(
      () => void this.renew(),
      Math.max(1000, Math.min(at - Date.now(), 2 ** 31 - 1)),
    );
    this.renewTimer.unref();
  }

  /** A fresh certificate from CMK for the same edge; calls in flight finish on the old connections. */
  async renew(): Promise<void> {
    try {
      const answer = await this.call('POST', '/edge/v1/certificate');
      if (answer.status !== 200) throw this.refused(answer);
      const issued = answer.body as { certificatePem: string; privateKeyPem: string };
      this.credentials = {
        ...this.credentials,
        certPem: issued.certificatePem,
        keyPem: issued.privateKeyPem,
      };
      const previous = this.agent;
      this.agent = this.newAgent();
      setTimeout(() => previous.destroy(), 30_000).unref();
      await this.options.store.save(this.credentials).catch((error: unknown) =>
        this.options.log({
          level: 'info',
          msg: 'renewed certificate kept in memory only',
          reason: (error as Error).message,
        }),
      );
      this.options.log({
        level: 'info',
        msg: 'edge certificate renewed',
        notAfter: new Date(this.certificateNotAfter).toISOString(),
      });
      // The stream was opened with the old certificate: move it to the new one (it resumes from its revision).
      this.streamAbort?.();
    } catch (error) {
      this.options.log({
        level: 'warn',
        msg: 'certificate renewal failed; retrying in 30 s',
        error: (error as Error).message,
      });
      clearTimeout(this.renewTimer);
      this.renewTimer = setTimeout(() => void this.renew(), 30_000);
      this.renewTimer.unref();
      return;
    }
    this.scheduleRenewal();
  }

  private connect(attempt = 0): void {
    if (this.stopped || this.revokedReason) return;
    const retry = () => {
      this.streaming = false;
      this.streamAbort = undefined;
      if (this.stopped || this.revokedReason) return;
      const delay = Math.min(5000, 250 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
      this.retryTimer = setTimeout(() => this.connect(attempt + 1), delay);
    };
    const outgoing = request(new URL(`/edge/v1/changes?since=${this.revision}`, this.credentials.cmkUrl), {
      method: 'GET',
      agent: this.agent,
      headers: { Accept: 'application/x-ndjson' },
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      retry();
    };
    this.streamAbort = () => outgoing.destroy();
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('no heartbeat from CMK for 30 s')));
    outgoing.on('error', (error) => {
      if (!this.stopped)
        this.options.log({ level: 'warn', msg: 'change stream from CMK interrupted', error: error.message });
      finish();
    });
    outgoing.on('response', (response) => {
      if (response.statusCode !== 200) {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = (parseUntrustedJson(Buffer.concat(chunks).toString('utf8')) ?? {}) as Record<
              string,
              unknown
            >;
          } catch {}
          if (response.statusCode === 403) this.refused({ status: 403, body });
          else
            this.options.log({
              level: 'warn',
              msg: 'CMK refused the change stream',
              status: response.statusCode,
              message: body.message,
            });
          finish();
        });
        return;
      }
      attempt = 0;
      this.streaming = true;
      let buffered = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
          if (line && !this.receive(line)) {
            outgoing.destroy();
            return;
          }
        }
      });
      response.on('end', finish);
      response.on('close', finish);
    });
    outgoing.end();
  }

  /** False when the line is not an event this edge knows: the stream is dropped and resumed, never a change skipped. */
  private receive(line: string): boolean {
    let event: EdgeEvent;
    try {
      event = parseEdgeEvent(parseUntrustedJson(line));
    } catch (error) {
      this.options.log({
        level: 'warn',
        msg: 'CMK sent an event this edge does not understand; resuming the stream',
        error: (error as Error).message,
      });
      return false;
    }
    this.lastContact = Date.now();
    if (event.type === 'hello' && event.reset) this.revision = 0;
    this.options.onEvent(event);
    if (event.type !== 'heartbeat') this.revision = event.revision;
    return true;
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.retryTimer);
    this.streamAbort?.();
    this.agent.destroy();
  }
}
