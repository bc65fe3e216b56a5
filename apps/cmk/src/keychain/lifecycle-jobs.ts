import { recordAudit } from './audit.js';
import { addSeconds, type KeyChainContext } from './context.js';
import { rotateKey, rotationFailedAlert, SCHEDULED_REQUEST } from './service-keys.js';

const SCHEDULER = { name: 'rotation-scheduler' };

/**
 * Rotates every key whose rotation is due. The due time is the request id, so a restart or a
 * second replica cannot rotate the same due rotation twice, and a rotation cut short by a crash
 * rolls back and is done once after it. A key that was due several times while CMK was down
 * rotates once and is scheduled a full interval from now.
 */
export async function rotateDueKeys(
  ctx: KeyChainContext,
  limit = 200,
): Promise<{ rotated: number; failed: number }> {
  const due = await ctx.db.query<{ workspace: string; name: string; next_rotation_at: Date }>(
    `select t.workspace, k.name, k.next_rotation_at from service_keys k join tenants t on t.id = k.tenant_id
      where k.state = 'ENABLED' and t.state = 'ACTIVE' and k.next_rotation_at <= $1 order by k.next_rotation_at limit $2`,
    [ctx.now(), limit],
  );
  let rotated = 0;
  let failed = 0;
  for (const key of due) {
    try {
      const result = await rotateKey(
        ctx,
        key.workspace,
        key.name,
        `${SCHEDULED_REQUEST}${key.next_rotation_at.toISOString()}`,
        SCHEDULER,
      );
      if (result.rotated) rotated++;
    } catch (error) {
      failed++;
      await ctx.alerts.raise({
        ...rotationFailedAlert(key.workspace, key.name),
        severity: 'critical',
        summary: `the scheduled rotation of ${key.name} failed: ${(error as Error).message}`,
        action: `Check the key's Account (its L1 key and keystore); CMK tries again on the next cycle, and "rotate now" retries at once.`,
      });
    }
  }
  return { rotated, failed };
}

/** When the next rotation is due, so the scheduler sleeps exactly until then. */
export async function nextDueTime(ctx: KeyChainContext): Promise<Date | undefined> {
  const [row] = await ctx.db.query<{ next: Date | null }>(
    `select min(k.next_rotation_at) as next from service_keys k join tenants t on t.id = k.tenant_id where k.state = 'ENABLED' and t.state = 'ACTIVE'`,
  );
  return row?.next ?? undefined;
}

/** Destroys key material whose waiting period has passed: retired versions, deleted keys and Accounts, retired roots. */
export async function destroyExpiredMaterial(
  ctx: KeyChainContext,
): Promise<{ versions: number; keys: number; accounts: number; roots: number }> {
  const now = ctx.now();
  return ctx.db.transaction(async (sql) => {
    // Destroyed versions leave no row behind, so an hourly key with a retention policy stays bounded.
    const versions = await sql.query(
      "delete from key_versions where state = 'DESTROY_SCHEDULED' and destroy_after <= $1 returning key_id",
      [now],
    );
    await sql.query('delete from rotation_requests where created_at < $1', [
      addSeconds(now, -ctx.destructionWindowSeconds),
    ]);
    const keys = await sql.query<{ id: string; tenant_id: string; name: string }>(
      "update service_keys set state = 'DESTROYED', updated_at = now() where state = 'PENDING_DELETION' and delete_after <= $1 returning id, tenant_id, name",
      [now],
    );
    for (const key of keys) {
      await sql.query('delete from key_versions where key_id = $1', [key.id]);
      await recordAudit(sql, {
        tenantId: key.tenant_id,
        actor: 'cmk',
        action: 'key.destroy',
        subject: key.name,
        result: 'success',
      });
    }
    const accounts = await sql.query<{ id: string; tenant_id: string; name: string }>(
      "update accounts set state = 'DESTROYED', updated_at = now() where state = 'PENDING_DELETION' and delete_after <= $1 returning id, tenant_id, name",
      [now],
    );
    for (const account of accounts) {
      await sql.query("update account_roots set wrapped = null, state = 'DESTROYED' where account_id = $1", [
        account.id,
      ]);
      ctx.roots.forget(account.id);
      await recordAudit(sql, {
        tenantId: account.tenant_id,
        actor: 'cmk',
        action: 'account.destroy',
        subject: account.name,
        result: 'success',
      });
    }
    const roots = await sql.query(
      `update account_roots r set wrapped = null, state = 'DESTROYED' where r.state = 'RETIRED' and r.destroy_after <= $1
         and not exists (select 1 from key_versions v join service_keys k on k.id = v.key_id where k.account_id = r.account_id and v.account_generation = r.generation and v.wrapped is not null)
       returning account_id`,
      [now],
    );
    return { versions: versions.length, keys: keys.length, accounts: accounts.length, roots: roots.length };
  });
}
