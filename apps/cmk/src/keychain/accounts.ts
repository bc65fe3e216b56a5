import { randomUUID } from 'node:crypto';
import { pluginErrors } from '@openkcm/plugin-sdk';
import { bytes, type Sql } from '../storage/database.js';
import { recordAudit } from './audit.js';
import { type Actor, addSeconds, type KeyChainContext } from './context.js';
import { newKey, rootContext } from './crypto.js';
import { CmkError, notFound } from './errors.js';
import { callKeystore, handle, keystoreFor } from './keystore-calls.js';
import { activeTenant, getTenant } from './tenants.js';

export type AccountState = 'ACTIVE' | 'REKEYING' | 'PENDING_DELETION' | 'DESTROYED';

export interface Account {
  id: string;
  name: string;
  workspace: string;
  providerType: string;
  keyReference: string;
  accessData: Record<string, unknown>;
  state: AccountState;
  generation: number;
  l1KeyVersion: string;
  dependentKeys: number;
  rekey: {
    targetKeyReference: string;
    total: number;
    done: number;
    startedAt: string;
    completedAt: string | null;
  } | null;
  deleteAfter: string | null;
  createdAt: string;
}

export interface AccountRow {
  id: string;
  tenant_id: string;
  name: string;
  provider_type: string;
  key_reference: string;
  access_data: Record<string, unknown>;
  state: AccountState;
  current_generation: number;
  rekey_target_reference: string | null;
  rekey_target_generation: number | null;
  rekey_total: number | null;
  rekey_done: number | null;
  rekey_started_at: Date | null;
  rekey_completed_at: Date | null;
  delete_after: Date | null;
  created_at: Date;
}

const ACCOUNT_COLUMNS = `a.*, t.workspace,
  (select r.l1_key_version from account_roots r where r.account_id = a.id and r.generation = a.current_generation) as l1_key_version,
  (select count(*) from service_keys k where k.account_id = a.id and k.state <> 'DESTROYED') as dependent_keys`;

type AccountView = AccountRow & {
  workspace: string;
  l1_key_version: string | null;
  dependent_keys: number | string;
};

function toAccount(row: AccountView): Account {
  return {
    id: row.id,
    name: row.name,
    workspace: row.workspace,
    providerType: row.provider_type,
    keyReference: row.key_reference,
    // The provider settings the Account was registered with (references, never secret values).
    accessData: row.access_data,
    state: row.state,
    generation: row.current_generation,
    l1KeyVersion: row.l1_key_version ?? '',
    dependentKeys: Number(row.dependent_keys),
    rekey:
      row.rekey_target_reference && row.rekey_started_at
        ? {
            targetKeyReference: row.rekey_target_reference,
            total: row.rekey_total ?? 0,
            done: row.rekey_done ?? 0,
            startedAt: row.rekey_started_at.toISOString(),
            completedAt: row.rekey_completed_at?.toISOString() ?? null,
          }
        : null,
    deleteAfter: row.delete_after?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export async function accountRow(
  sql: Sql,
  workspace: string,
  name: string,
  lock = false,
): Promise<AccountRow & { workspace: string }> {
  const [row] = await sql.query<AccountRow & { workspace: string }>(
    `select a.*, t.workspace from accounts a join tenants t on t.id = a.tenant_id where t.workspace = $1 and a.name = $2 ${lock ? 'for update of a' : ''}`,
    [workspace, name],
  );
  if (!row) throw notFound('Account', name);
  return row;
}

export async function getAccount(sql: Sql, workspace: string, name: string): Promise<Account> {
  const [row] = await sql.query<AccountView>(
    `select ${ACCOUNT_COLUMNS} from accounts a join tenants t on t.id = a.tenant_id where t.workspace = $1 and a.name = $2`,
    [workspace, name],
  );
  if (!row) throw notFound('Account', name);
  return toAccount(row);
}

export async function listAccounts(
  sql: Sql,
  workspace: string,
  filter: { state?: AccountState } = {},
): Promise<Account[]> {
  await getTenant(sql, workspace);
  const rows = await sql.query<AccountView>(
    `select ${ACCOUNT_COLUMNS} from accounts a join tenants t on t.id = a.tenant_id where t.workspace = $1 and ($2::text is null or a.state = $2) order by a.name`,
    [workspace, filter.state ?? null],
  );
  return rows.map(toAccount);
}

/** The organisation a workspace belongs to (root:orgs:acme for root:orgs:acme:team-a). */
export function organisationOf(workspace: string): string {
  return workspace.split(':').slice(0, 3).join(':');
}

/** Claims the L1 key for the tenant's organisation when unclaimed; false when another organisation holds it. */
async function claimL1Key(
  ctx: KeyChainContext,
  account: { tenantId: string; providerType: string; keyReference: string },
): Promise<boolean> {
  const [tenant] = await ctx.db.query<{ workspace: string }>('select workspace from tenants where id = $1', [
    account.tenantId,
  ]);
  if (!tenant) return false;
  const organisation = organisationOf(tenant.workspace);
  await ctx.db.query(
    'insert into l1_key_claims (provider_type, key_reference, organisation) values ($1, $2, $3) on conflict do nothing',
    [account.providerType, account.keyReference, organisation],
  );
  const [claim] = await ctx.db.query<{ organisation: string }>(
    'select organisation from l1_key_claims where provider_type = $1 and key_reference = $2',
    [account.providerType, account.keyReference],
  );
  return claim?.organisation === organisation;
}

/**
 * Whether an L1 key could anchor an Account of this tenant, without creating or claiming anything:
 * the keystore checks the access data and the key, and a key another organisation holds answers as
 * a missing one does.
 */
export async function testL1Key(
  ctx: KeyChainContext,
  workspace: string,
  key: { providerType: string; keyReference: string; accessData: Record<string, unknown> },
): Promise<{ usable: boolean; reason: string | null }> {
  await getTenant(ctx.db, workspace);
  const keystore = keystoreFor(ctx, key.providerType);
  await callKeystore(() => keystore.validateKeyAccessData(key.accessData));
  const validation = await callKeystore(() => keystore.validateKey(handle(key.keyReference, key.accessData)));
  if (!validation.usable) return { usable: false, reason: validation.reason ?? 'unknown reason' };
  const [claim] = await ctx.db.query<{ organisation: string }>(
    'select organisation from l1_key_claims where provider_type = $1 and key_reference = $2',
    [key.providerType, key.keyReference],
  );
  if (claim && claim.organisation !== organisationOf(workspace))
    return { usable: false, reason: pluginErrors.keyNotFound(key.keyReference).message };
  return { usable: true, reason: null };
}

/** Wraps a fresh L2 root under an L1 key; the L1 key must exist and be usable first (FR-3.3). */
export async function createRoot(
  ctx: KeyChainContext,
  account: {
    tenantId: string;
    accountId: string;
    providerType: string;
    keyReference: string;
    accessData: Record<string, unknown>;
  },
  generation: number,
): Promise<{ wrapped: Buffer; l1KeyVersion: string }> {
  const keystore = keystoreFor(ctx, account.providerType);
  const l1 = handle(account.keyReference, account.accessData);
  await callKeystore(() => keystore.validateKeyAccessData(account.accessData));
  const validation = await callKeystore(() => keystore.validateKey(l1));
  const notUsable = (reason: string) =>
    new CmkError('KEY_NOT_USABLE', `the L1 key ${account.keyReference} cannot be used: ${reason}`, {
      keyReference: account.keyReference,
    });
  if (!validation.usable) throw notUsable(validation.reason ?? 'unknown reason');
  // Another organisation's key answers exactly as a missing one does: nothing about it leaks.
  if (!(await claimL1Key(ctx, account)))
    throw notUsable(pluginErrors.keyNotFound(account.keyReference).message);
  const wrapped = await callKeystore(() =>
    keystore.wrapKey(l1, newKey(), rootContext(account.tenantId, account.accountId, generation)),
  );
  return { wrapped: Buffer.from(wrapped.ciphertext), l1KeyVersion: wrapped.keyVersion };
}

/** Registers an Account (L2): a new root wrapped by the named L1 key. Registering the same again returns it. */
export async function registerAccount(
  ctx: KeyChainContext,
  workspace: string,
  request: { name: string; providerType: string; keyReference: string; accessData?: Record<string, unknown> },
  actor: Actor,
): Promise<{ account: Account; created: boolean }> {
  const tenant = await activeTenant(ctx.db, workspace);
  const [existing] = await ctx.db.query<AccountRow>(
    'select * from accounts where tenant_id = $1 and name = $2',
    [tenant.id, request.name],
  );
  if (existing) {
    if (existing.provider_type !== request.providerType || existing.key_reference !== request.keyReference) {
      throw new CmkError(
        'ALREADY_EXISTS',
        `Account "${request.name}" exists with another key reference; re-key it to change its L1 key`,
        { name: request.name },
      );
    }
    return { account: await getAccount(ctx.db, workspace, request.name), created: false };
  }
  const accountId = randomUUID();
  const accessData = request.accessData ?? {};
  const root = await createRoot(
    ctx,
    {
      tenantId: tenant.id,
      accountId,
      providerType: request.providerType,
      keyReference: request.keyReference,
      accessData,
    },
    1,
  );
  await ctx.db.transaction(async (sql) => {
    await sql.query(
      `insert into accounts (id, tenant_id, name, provider_type, key_reference, access_data, state, current_generation)
       values ($1, $2, $3, $4, $5, $6, 'ACTIVE', 1)`,
      [
        accountId,
        tenant.id,
        request.name,
        request.providerType,
        request.keyReference,
        JSON.stringify(accessData),
      ],
    );
    await sql.query(
      `insert into account_roots (account_id, generation, key_reference, access_data, l1_key_version, wrapped, state)
       values ($1, 1, $2, $3, $4, $5, 'ACTIVE')`,
      [accountId, request.keyReference, JSON.stringify(accessData), root.l1KeyVersion, root.wrapped],
    );
    await recordAudit(sql, {
      tenantId: tenant.id,
      actor: actor.name,
      action: 'account.register',
      subject: request.name,
      result: 'success',
      details: { providerType: request.providerType, keyReference: request.keyReference },
    });
  });
  return { account: await getAccount(ctx.db, workspace, request.name), created: true };
}

export interface L1Check {
  reachable: boolean;
  usable: boolean;
  reason: string | null;
  l1KeyVersion: string | null;
  checkedAt: string;
}

/**
 * Asks the keystore whether the Account's L1 key is still there and usable (periodic revalidation).
 * When the keystore reports a newer L1 version than the one wrapping the root (the key was rotated
 * there), the root is wrapped again under it, so the owner can retire the old version.
 */
export async function checkAccount(ctx: KeyChainContext, workspace: string, name: string): Promise<L1Check> {
  const row = await accountRow(ctx.db, workspace, name);
  const checkedAt = ctx.now().toISOString();
  let check: L1Check;
  try {
    const validation = await callKeystore(() =>
      keystoreFor(ctx, row.provider_type).validateKey(handle(row.key_reference, row.access_data)),
    );
    if (validation.usable && validation.currentVersion && row.state === 'ACTIVE')
      await rewrapUnderCurrentL1(ctx, row, validation.currentVersion);
    check = {
      reachable: true,
      usable: validation.usable,
      reason: validation.reason ?? null,
      l1KeyVersion: validation.currentVersion ?? null,
      checkedAt,
    };
  } catch (error) {
    if (!(error instanceof CmkError && error.code === 'KEYSTORE_UNAVAILABLE')) throw error;
    check = { reachable: false, usable: false, reason: error.message, l1KeyVersion: null, checkedAt };
  }
  await recordL1Health(ctx, workspace, row, check);
  return check;
}

const L1_ALERTS = {
  unreachable: {
    type: 'L1KeyUnreachable',
    summary: (name: string, reason: string | null) =>
      `the keystore of Account ${name} cannot be reached: ${reason ?? ''}`,
    action:
      'Check that the keystore is up and that CMK can reach it (network, TLS, credentials); the Account recovers by itself when it is back.',
  },
  unusable: {
    type: 'L1KeyNotUsable',
    summary: (name: string, reason: string | null) =>
      `the L1 key of Account ${name} cannot be used: ${reason ?? ''}`,
    action:
      "Check the L1 key in the tenant's keystore (enabled, not scheduled for deletion, CMK allowed to wrap and unwrap with it), or re-key the Account to another L1 key.",
  },
} as const;

/**
 * An Account whose L1 key stops (or starts again) being usable changes state once: the change is
 * audited (tenants' webhooks hear AccountNotReady / AccountReady) and operators are alerted.
 */
async function recordL1Health(
  ctx: KeyChainContext,
  workspace: string,
  row: AccountRow,
  check: L1Check,
): Promise<void> {
  if (row.state === 'PENDING_DELETION' || row.state === 'DESTROYED') return;
  const health = check.usable ? 'usable' : check.reachable ? 'unusable' : 'unreachable';
  const subject = { kind: 'Account' as const, name: row.name };
  for (const [state, alert] of Object.entries(L1_ALERTS)) {
    if (state === health)
      await ctx.alerts.raise({
        type: alert.type,
        workspace,
        severity: 'critical',
        summary: alert.summary(row.name, check.reason),
        action: alert.action,
        subject,
      });
    else
      await ctx.alerts.clear(
        { type: alert.type, workspace, subject },
        `the L1 key of Account ${row.name} is usable again`,
      );
  }
  await ctx.db.transaction(async (sql) => {
    const [changed] = await sql.query<{ id: string }>(
      'update accounts set l1_health = $2 where id = $1 and l1_health <> $2 returning id',
      [row.id, health],
    );
    if (!changed) return;
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: 'cmk',
      action: health === 'usable' ? 'account.ready' : 'account.not-ready',
      subject: row.name,
      result: 'success',
      details: { l1Health: health, ...(check.reason ? { reason: check.reason } : {}) },
    });
  });
}

/**
 * The keystore calls happen outside any transaction (a slow keystore must not hold the database);
 * the new wrapping is stored only if nothing changed the root meanwhile (a re-key, another check).
 */
async function rewrapUnderCurrentL1(
  ctx: KeyChainContext,
  account: AccountRow,
  l1Version: string,
): Promise<void> {
  const generation = account.current_generation;
  const [root] = await ctx.db.query<{ wrapped: Uint8Array | null; l1_key_version: string }>(
    'select wrapped, l1_key_version from account_roots where account_id = $1 and generation = $2',
    [account.id, generation],
  );
  if (!root?.wrapped || root.l1_key_version === l1Version) return;
  const keystore = keystoreFor(ctx, account.provider_type);
  const l1 = handle(account.key_reference, account.access_data);
  const context = rootContext(account.tenant_id, account.id, generation);
  const material = await callKeystore(() => keystore.unwrapKey(l1, bytes(root.wrapped), context));
  const rewrapped = await callKeystore(() => keystore.wrapKey(l1, material, context));
  Buffer.from(material.buffer, material.byteOffset, material.byteLength).fill(0);
  await ctx.db.transaction(async (sql) => {
    const updated = await sql.query(
      `update account_roots set wrapped = $3, l1_key_version = $4
        where account_id = $1 and generation = $2 and l1_key_version = $5
          and exists (select 1 from accounts where id = $1 and state = 'ACTIVE' and current_generation = $2)
        returning account_id`,
      [account.id, generation, Buffer.from(rewrapped.ciphertext), rewrapped.keyVersion, root.l1_key_version],
    );
    if (updated.length === 0) return;
    await recordAudit(sql, {
      tenantId: account.tenant_id,
      actor: 'cmk',
      action: 'account.l1-rotated',
      subject: account.name,
      result: 'success',
      details: { from: root.l1_key_version, to: rewrapped.keyVersion },
    });
  });
}

/** Schedules destruction of the Account's root after the waiting period; refused while keys depend on it (FR-204). */
export async function deleteAccount(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  actor: Actor,
): Promise<Account> {
  await ctx.db.transaction(async (sql) => {
    const row = await accountRow(sql, workspace, name, true);
    const dependents = await sql.query<{ name: string }>(
      "select name from service_keys where account_id = $1 and state in ('ENABLED', 'DISABLED') order by name limit 100",
      [row.id],
    );
    if (dependents.length > 0) {
      throw new CmkError(
        'FAILED_PRECONDITION',
        `Account "${name}" still protects ${dependents.length} service key(s); delete them first: ${dependents.map((key) => key.name).join(', ')}`,
        {
          dependents: dependents.map((key) => key.name),
        },
      );
    }
    if (row.state === 'PENDING_DELETION' || row.state === 'DESTROYED') return;
    if (row.state === 'REKEYING')
      throw new CmkError(
        'CONFLICT',
        `Account "${name}" is being re-keyed; delete it when the re-key has finished`,
      );
    // The root outlives the waiting period of keys deleted before it, so their deletion stays cancellable.
    const [pending] = await sql.query<{ latest: Date | null }>(
      "select max(delete_after) as latest from service_keys where account_id = $1 and state = 'PENDING_DELETION'",
      [row.id],
    );
    const windowEnd = addSeconds(ctx.now(), ctx.destructionWindowSeconds);
    const deleteAfter = pending?.latest && pending.latest > windowEnd ? pending.latest : windowEnd;
    await sql.query(
      "update accounts set state = 'PENDING_DELETION', delete_after = $2, updated_at = now() where id = $1",
      [row.id, deleteAfter],
    );
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: actor.name,
      action: 'account.delete',
      subject: name,
      result: 'success',
      details: { destroyAfter: deleteAfter.toISOString() },
    });
  });
  ctx.roots.forget((await accountRow(ctx.db, workspace, name)).id);
  return getAccount(ctx.db, workspace, name);
}

export async function cancelAccountDeletion(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  actor: Actor,
): Promise<Account> {
  await ctx.db.transaction(async (sql) => {
    const row = await accountRow(sql, workspace, name, true);
    if (row.state !== 'PENDING_DELETION')
      throw new CmkError('FAILED_PRECONDITION', `Account "${name}" is not scheduled for deletion`);
    await sql.query(
      "update accounts set state = 'ACTIVE', delete_after = null, updated_at = now() where id = $1",
      [row.id],
    );
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: actor.name,
      action: 'account.cancel-deletion',
      subject: name,
      result: 'success',
    });
  });
  return getAccount(ctx.db, workspace, name);
}
