import { randomBytes } from 'node:crypto';
import {
  CiphertextError,
  dataContext,
  formatCiphertext,
  open,
  parseCiphertext,
  seal,
} from '@openkcm/ciphertext';
import type { Operation } from '@openkcm/edge-protocol';
import { workloadAllowed } from '@openkcm/spiffe';
import { EdgeError } from './edge-error.js';
import type { HeldKey, KeyCache } from './key-cache.js';
import type { UsageMeter } from './usage.js';

/** The operations workloads call, over HTTP or KMS v2: each checks the workload against the key's allowedWorkloads. */
export class DataPlane {
  constructor(
    private readonly cache: KeyCache,
    private readonly usage: UsageMeter,
  ) {}

  private authorize(name: string, key: HeldKey, workload: string, operation: Operation): void {
    if (workloadAllowed(key.patterns, workload)) return;
    this.usage.record(name, workload, 'refused');
    throw new EdgeError(
      'PERMISSION_DENIED',
      `workload ${workload} may not ${operation} with ServiceEncryptionKey "${name}": add it (or a pattern that matches it) to the key's spec.allowedWorkloads`,
      { key: name, workload },
    );
  }

  private async current(name: string, workload: string, operation: Operation) {
    const resolved = await this.cache.resolve(name);
    this.authorize(name, resolved.key, workload, operation);
    return resolved;
  }

  private seal(
    resolved: Awaited<ReturnType<KeyCache['resolve']>>,
    plaintext: Buffer,
    context: string,
  ): string {
    const aad = dataContext(resolved.key.tenantId, resolved.key.state.id, resolved.version, context);
    return formatCiphertext(resolved.version, seal(resolved.material, plaintext, aad));
  }

  async encrypt(name: string, workload: string, plaintext: Buffer, context: string) {
    const resolved = await this.current(name, workload, 'encrypt');
    const ciphertext = this.seal(resolved, plaintext, context);
    this.usage.record(name, workload, 'encrypt');
    return { ciphertext, version: resolved.version };
  }

  private async open(
    name: string,
    workload: string,
    ciphertext: string,
    context: string,
    operation: Operation,
  ) {
    let parts: ReturnType<typeof parseCiphertext>;
    try {
      parts = parseCiphertext(ciphertext);
    } catch (error) {
      throw new EdgeError('INVALID_ARGUMENT', (error as Error).message, { field: 'ciphertext' });
    }
    const resolved = await this.cache.resolve(name, parts.version);
    this.authorize(name, resolved.key, workload, operation);
    try {
      const aad = dataContext(resolved.key.tenantId, resolved.key.state.id, parts.version, context);
      return { plaintext: open(resolved.material, parts.sealed, aad), version: parts.version };
    } catch (error) {
      if (error instanceof CiphertextError)
        throw new EdgeError(
          error.reason === 'malformed' ? 'INVALID_ARGUMENT' : 'DECRYPTION_FAILED',
          error.message,
          {
            field: 'ciphertext',
          },
        );
      throw error;
    }
  }

  async decrypt(name: string, workload: string, ciphertext: string, context: string) {
    const result = await this.open(name, workload, ciphertext, context, 'decrypt');
    this.usage.record(name, workload, 'decrypt');
    return result;
  }

  /** A fresh 256-bit data key, in plaintext for immediate use and wrapped for storage beside the data. */
  async datakey(name: string, workload: string, context: string) {
    const resolved = await this.current(name, workload, 'datakey');
    const plaintext = randomBytes(32);
    const ciphertext = this.seal(resolved, plaintext, context);
    this.usage.record(name, workload, 'datakey');
    return { plaintext, ciphertext, version: resolved.version };
  }

  /** The same data under the current version, without the plaintext leaving the edge. */
  async rewrap(name: string, workload: string, ciphertext: string, context: string) {
    const opened = await this.open(name, workload, ciphertext, context, 'rewrap');
    try {
      const resolved = await this.current(name, workload, 'rewrap');
      const rewrapped = this.seal(resolved, opened.plaintext, context);
      this.usage.record(name, workload, 'rewrap');
      return { ciphertext: rewrapped, version: resolved.version, previousVersion: opened.version };
    } finally {
      opened.plaintext.fill(0);
    }
  }
}
