import { bytes } from '../storage/database.js';
import { type Account, accountRow, createRoot, getAccount } from './accounts.js';
import { recordAudit } from './audit.js';
import { type Actor, addSeconds, type KeyChainContext } from './context.js';
import { seal, versionContext } from './crypto.js';
import { CmkError } from './errors.js';

/**
 * FR-203: re-keying an Account moves its chain to a new L1 key. A new L2 root (a new generation)
 * is wrapped by the new L1 key, then every L3 version is re-wrapped under it in batches. Each
 * version records the generation that wraps it, so every version decrypts at every moment; the
 * work resumes after a crash from the versions still on the old generation.
 */
export async function startRekey(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  target: { keyReference: string; accessData?: Record<string, unknown> },
  actor: Actor,
): Promise<Account> {
  const row = await accountRow(ctx.db, workspace, name);
  if (row.state === 'REKEYING') {
    if (row.rekey_target_reference === target.keyReference) return getAccount(ctx.db, workspace, name);
    throw new CmkError(
      'CONFLICT',
      `Account "${name}" is already being re-keyed to ${row.rekey_target_reference}; wait until it completes`,
    );
  }
  if (row.state !== 'ACTIVE')
    throw new CmkError(
      'FAILED_PRECONDITION',
      `Account "${name}" is ${row.state.toLowerCase().replace('_', ' ')} and cannot be re-keyed`,
    );
  if (row.key_reference === target.keyReference)
    throw new CmkError('INVALID_ARGUMENT', `Account "${name}" already uses ${target.keyReference}`, {
      field: 'keyReference',
    });
  const generation = row.current_generation + 1;
  const accessData = target.accessData ?? row.access_data;
  const root = await createRoot(
    ctx,
    {
      tenantId: row.tenant_id,
      accountId: row.id,
      providerType: row.provider_type,
      keyReference: target.keyReference,
      accessData,
    },
    generation,
  );
  await ctx.db.transaction(async (sql) => {
    const locked = await accountRow(sql, workspace, name, true);
    if (locked.state !== 'ACTIVE' || locked.current_generation !== row.current_generation)
      throw new CmkError('CONFLICT', `Account "${name}" changed while the re-key was prepared; try again`);
    await sql.query(
      `insert into account_roots (account_id, generation, key_reference, access_data, l1_key_version, wrapped, state) values ($1, $2, $3, $4, $5, $6, 'ACTIVE')`,
      [row.id, generation, target.keyReference, JSON.stringify(accessData), root.l1KeyVersion, root.wrapped],
    );
    const [count] = await sql.query<{ total: number | string }>(
      `select count(*) as total from key_versions v join service_keys k on k.id = v.key_id where k.account_id = $1 and v.wrapped is not null`,
      [row.id],
    );
    await sql.query(
      `update accounts set state = 'REKEYING', rekey_target_reference = $2, rekey_target_generation = $3, rekey_total = $4, rekey_done = 0,
              rekey_started_at = $5, rekey_completed_at = null, updated_at = now() where id = $1`,
      [row.id, target.keyReference, generation, Number(count?.total ?? 0), ctx.now()],
    );
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: actor.name,
      action: 'account.rekey.start',
      subject: name,
      result: 'success',
      details: { from: row.key_reference, to: target.keyReference },
    });
  });
  return getAccount(ctx.db, workspace, name);
}

/** Re-wraps the remaining versions in batches and completes the re-key; safe to run again at any point. */
export async function continueRekey(ctx: KeyChainContext, accountId: string, batchSize = 500): Promise<void> {
  for (;;) {
    const moved = await ctx.db.transaction(async (sql) => {
      const [account] = await sql.query<{
        tenant_id: string;
        rekey_target_generation: number | null;
        state: string;
      }>('select tenant_id, rekey_target_generation, state from accounts where id = $1 for update', [
        accountId,
      ]);
      if (account?.state !== 'REKEYING' || account.rekey_target_generation === null) return -1;
      const target = account.rekey_target_generation;
      const versions = await sql.query<{
        key_id: string;
        version: number;
        account_generation: number;
        wrapped: Uint8Array;
      }>(
        `select v.key_id, v.version, v.account_generation, v.wrapped from key_versions v join service_keys k on k.id = v.key_id
          where k.account_id = $1 and v.account_generation <> $2 and v.wrapped is not null
          order by v.key_id, v.version limit $3 for update of v`,
        [accountId, target, batchSize],
      );
      const targetRoot = await ctx.roots.get(ctx, sql, accountId, target);
      for (const version of versions) {
        const context = versionContext(account.tenant_id, version.key_id, version.version);
        const plaintext = await ctx.roots.openVersion(ctx, sql, {
          accountId,
          generation: version.account_generation,
          wrapped: bytes(version.wrapped),
          context,
        });
        await sql.query(
          'update key_versions set wrapped = $3, account_generation = $4 where key_id = $1 and version = $2',
          [version.key_id, version.version, seal(targetRoot, plaintext, context), target],
        );
      }
      if (versions.length > 0) {
        await sql.query(
          'update accounts set rekey_done = least(coalesce(rekey_done, 0) + $2, rekey_total), updated_at = now() where id = $1',
          [accountId, versions.length],
        );
        return versions.length;
      }
      await completeRekey(ctx, sql, accountId, target);
      return 0;
    });
    if (moved <= 0) return;
  }
}

async function completeRekey(
  ctx: KeyChainContext,
  sql: import('../storage/database.js').Sql,
  accountId: string,
  target: number,
): Promise<void> {
  const [root] = await sql.query<{ key_reference: string; access_data: Record<string, unknown> }>(
    'select key_reference, access_data from account_roots where account_id = $1 and generation = $2',
    [accountId, target],
  );
  if (!root) throw new CmkError('INTERNAL', 'the re-key target root is missing');
  const [account] = await sql.query<{ tenant_id: string; name: string }>(
    `update accounts set state = 'ACTIVE', key_reference = $2, access_data = $3, current_generation = $4, rekey_target_generation = null,
            rekey_done = rekey_total, rekey_completed_at = $5, updated_at = now() where id = $1 returning tenant_id, name`,
    [accountId, root.key_reference, JSON.stringify(root.access_data), target, ctx.now()],
  );
  await sql.query(
    `update account_roots set state = 'RETIRED', destroy_after = $3 where account_id = $1 and generation < $2 and state = 'ACTIVE'`,
    [accountId, target, addSeconds(ctx.now(), ctx.destructionWindowSeconds)],
  );
  if (account) {
    await recordAudit(sql, {
      tenantId: account.tenant_id,
      actor: 'cmk',
      action: 'account.rekey.complete',
      subject: account.name,
      result: 'success',
      details: { keyReference: root.key_reference },
    });
  }
}

/** Picks up re-keys a crash or restart interrupted. */
export async function resumeRekeys(ctx: KeyChainContext): Promise<number> {
  const pending = await ctx.db.query<{ id: string }>("select id from accounts where state = 'REKEYING'");
  for (const { id } of pending) await continueRekey(ctx, id);
  return pending.length;
}
