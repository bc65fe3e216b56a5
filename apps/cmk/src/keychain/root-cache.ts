import type { Sql } from '../storage/database.js';
import { bytes } from '../storage/database.js';
import type { KeyChainContext } from './context.js';
import { open, rootContext } from './crypto.js';
import { CmkError } from './errors.js';
import { callKeystore, handle, keystoreFor } from './keystore-calls.js';

interface RootRow {
  key_reference: string;
  access_data: Record<string, unknown>;
  wrapped: Uint8Array | null;
  state: string;
  provider_type: string;
  tenant_id: string;
}

/**
 * Unwrapped L2 roots, kept briefly so that unwrapping an L3 version does not call the L1
 * keystore every time; dropped on re-key, deletion and after a short time.
 */
export class RootCache {
  private readonly entries = new Map<string, { key: Buffer; expires: number }>();

  constructor(private readonly ttlMs = 5 * 60_000) {}

  forget(accountId: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${accountId}:`)) this.entries.delete(key);
  }

  async get(ctx: KeyChainContext, sql: Sql, accountId: string, generation: number): Promise<Buffer> {
    const cacheKey = `${accountId}:${generation}`;
    const cached = this.entries.get(cacheKey);
    if (cached && cached.expires > Date.now()) return cached.key;
    const [row] = await sql.query<RootRow>(
      `select r.key_reference, r.access_data, r.wrapped, r.state, a.provider_type, a.tenant_id
         from account_roots r join accounts a on a.id = r.account_id
        where r.account_id = $1 and r.generation = $2`,
      [accountId, generation],
    );
    if (!row?.wrapped || row.state === 'DESTROYED')
      throw new CmkError('KEY_NOT_USABLE', 'the root key of this Account has been destroyed');
    const keystore = keystoreFor(ctx, row.provider_type);
    const root = Buffer.from(
      await callKeystore(() =>
        keystore.unwrapKey(
          handle(row.key_reference, row.access_data),
          bytes(row.wrapped),
          rootContext(row.tenant_id, accountId, generation),
        ),
      ),
    );
    if (root.length !== 32) throw new CmkError('INTERNAL', 'the unwrapped root key has the wrong length');
    this.entries.set(cacheKey, { key: root, expires: Date.now() + this.ttlMs });
    return root;
  }

  /** Unwraps an L3 version with the root of the generation that wrapped it. */
  async openVersion(
    ctx: KeyChainContext,
    sql: Sql,
    version: { accountId: string; generation: number; wrapped: Buffer; context: Buffer },
  ): Promise<Buffer> {
    const root = await this.get(ctx, sql, version.accountId, version.generation);
    return open(root, version.wrapped, version.context);
  }
}
