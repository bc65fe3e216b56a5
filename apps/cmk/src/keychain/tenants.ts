import { randomUUID } from 'node:crypto';
import type { Sql } from '../storage/database.js';
import { recordAudit } from './audit.js';
import type { Actor, KeyChainContext } from './context.js';
import { recordEdgeChange } from './edge-feed.js';
import { CmkError, notFound, platformCall } from './errors.js';

export interface Tenant {
  id: string;
  workspace: string;
  state: TenantState;
  region: string | null;
  audiences: string[];
  createdAt: string;
  /** While offboarding: when the tenant and all its keys are purged. */
  purgeAfter: string | null;
  /** After offboarding: when its data was purged (the row stays so it is not provisioned by accident). */
  purgedAt: string | null;
}

export type TenantState = 'ACTIVE' | 'SUSPENDED' | 'OFFBOARDING' | 'PURGED';

interface TenantRow {
  id: string;
  workspace: string;
  state: TenantState;
  region: string | null;
  audiences: string[];
  created_at: Date;
  purge_after: Date | null;
  purged_at: Date | null;
}

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    workspace: row.workspace,
    state: row.state,
    region: row.region,
    audiences: row.audiences,
    createdAt: row.created_at.toISOString(),
    purgeAfter: row.purge_after?.toISOString() ?? null,
    purgedAt: row.purged_at?.toISOString() ?? null,
  };
}

const purged = (tenant: { workspace: string; purgedAt: string | null }) =>
  new CmkError(
    'FAILED_PRECONDITION',
    `the tenant of ${tenant.workspace} was offboarded and purged on ${tenant.purgedAt}; to use OpenKCM here again, disable and enable it`,
    { reason: 'Offboarded', purgedAt: tenant.purgedAt },
  );

const offboarding = (tenant: { workspace: string; purgeAfter: string | null }) =>
  new CmkError(
    'FAILED_PRECONDITION',
    `the tenant of ${tenant.workspace} is being offboarded: its keys are destroyed and it is purged on ${tenant.purgeAfter}; it cannot change until then`,
    { reason: 'Offboarding', purgeAfter: tenant.purgeAfter },
  );

export async function findTenant(sql: Sql, workspace: string): Promise<Tenant | undefined> {
  const [row] = await sql.query<TenantRow>('select * from tenants where workspace = $1', [workspace]);
  return row && toTenant(row);
}

export async function getTenant(sql: Sql, workspace: string): Promise<Tenant> {
  const tenant = await findTenant(sql, workspace);
  if (!tenant) throw notFound('tenant', workspace);
  return tenant;
}

/** Keys of a suspended tenant stop working; changes and decryption are refused. */
export async function activeTenant(sql: Sql, workspace: string): Promise<Tenant> {
  const tenant = await getTenant(sql, workspace);
  if (tenant.state === 'OFFBOARDING') throw offboarding(tenant);
  if (tenant.state === 'PURGED') throw purged(tenant);
  if (tenant.state !== 'ACTIVE') {
    throw new CmkError(
      'FAILED_PRECONDITION',
      `tenant ${workspace} is suspended: OpenKCM is disabled in this workspace; enable it again to use its keys`,
      { tenant: workspace },
    );
  }
  return tenant;
}

/**
 * FR-4.2: a tenant that names audiences accepts only tokens issued for one of them (the token's
 * `aud` or the client it was issued to, `azp`); the product's services act for every tenant.
 */
export async function checkTokenAudience(
  sql: Sql,
  workspace: string,
  principal: { system: boolean; username: string; audiences?: string[] },
): Promise<void> {
  if (principal.system) return;
  const [tenant] = await sql.query<{ audiences: string[] }>(
    'select audiences from tenants where workspace = $1',
    [workspace],
  );
  const accepted = tenant?.audiences ?? [];
  if (accepted.length === 0) return;
  if ((principal.audiences ?? []).some((audience) => accepted.includes(audience))) return;
  throw new CmkError(
    'PERMISSION_DENIED',
    `the tenant of ${workspace} accepts tokens for ${accepted.join(', ')} only; this token of ${principal.username} is for ${(principal.audiences ?? []).join(', ') || 'no audience'}. Sign in through one of those clients, or add its audience to the Tenant's spec.audiences`,
    { field: 'audiences', accepted },
  );
}

/** Provisions the tenant of a workspace, or returns the one that exists: calling it twice changes nothing. */
export async function provisionTenant(
  ctx: KeyChainContext,
  request: { workspace: string; region?: string; audiences?: string[]; boundSince?: string },
  actor: Actor,
): Promise<{ tenant: Tenant; created: boolean }> {
  const systemInformation = ctx.systemInformation;
  if (systemInformation) {
    const validation = await platformCall(() => systemInformation.validateTenant(request));
    if (!validation.valid) {
      throw new CmkError(
        'INVALID_ARGUMENT',
        validation.problems.map((problem) => problem.message).join('; '),
        { problems: validation.problems },
      );
    }
  }
  return ctx.db.transaction(async (sql) => {
    const inserted = await sql.query<TenantRow>(
      `insert into tenants (id, workspace, state, region, audiences) values ($1, $2, 'ACTIVE', $3, $4)
       on conflict (workspace) do nothing returning *`,
      [randomUUID(), request.workspace, request.region ?? null, JSON.stringify(request.audiences ?? [])],
    );
    if (inserted[0]) {
      await recordAudit(sql, {
        tenantId: inserted[0].id,
        actor: actor.name,
        action: 'tenant.provision',
        subject: request.workspace,
        result: 'success',
      });
      return { tenant: toTenant(inserted[0]), created: true };
    }
    const [current] = await sql.query<TenantRow>('select * from tenants where workspace = $1', [
      request.workspace,
    ]);
    if (current?.state === 'OFFBOARDING') throw offboarding(toTenant(current));
    if (current?.state === 'PURGED') {
      // Only a binding made after the purge starts the workspace over, with a tenant as new.
      const boundSince = request.boundSince ? new Date(request.boundSince) : undefined;
      if (!boundSince || !current.purged_at || boundSince <= current.purged_at)
        throw purged(toTenant(current));
      const [restarted] = await sql.query<TenantRow>(
        `update tenants set state = 'ACTIVE', purged_at = null, region = $2, audiences = $3, updated_at = now()
          where id = $1 returning *`,
        [current.id, request.region ?? null, JSON.stringify(request.audiences ?? [])],
      );
      await recordAudit(sql, {
        tenantId: current.id,
        actor: actor.name,
        action: 'tenant.provision',
        subject: request.workspace,
        result: 'success',
        details: { after: 'purge' },
      });
      return { tenant: toTenant(restarted as TenantRow), created: true };
    }
    const [updated] = await sql.query<TenantRow>(
      `update tenants set region = coalesce($2, region), audiences = coalesce($3, audiences), updated_at = now()
        where workspace = $1 returning *`,
      [
        request.workspace,
        request.region ?? null,
        request.audiences ? JSON.stringify(request.audiences) : null,
      ],
    );
    if (!updated) throw notFound('tenant', request.workspace);
    return { tenant: toTenant(updated), created: false };
  });
}

export async function setTenantState(
  ctx: KeyChainContext,
  workspace: string,
  state: 'ACTIVE' | 'SUSPENDED',
  actor: Actor,
): Promise<Tenant> {
  const tenant = await ctx.db.transaction(async (sql) => {
    const [current] = await sql.query<TenantRow>('select * from tenants where workspace = $1 for update', [
      workspace,
    ]);
    if (!current) throw notFound('tenant', workspace);
    if (current.state === 'OFFBOARDING') throw offboarding(toTenant(current));
    if (current.state === 'PURGED') throw purged(toTenant(current));
    const [row] = await sql.query<TenantRow>(
      'update tenants set state = $2, updated_at = now() where workspace = $1 returning *',
      [workspace, state],
    );
    if (!row) throw notFound('tenant', workspace);
    await recordEdgeChange(sql, row.id, 'tenant', workspace);
    await recordAudit(sql, {
      tenantId: row.id,
      actor: actor.name,
      action: state === 'ACTIVE' ? 'tenant.resume' : 'tenant.suspend',
      subject: workspace,
      result: 'success',
    });
    return toTenant(row);
  });
  ctx.edgeFeed.changed(tenant.id);
  return tenant;
}

/**
 * A tenant leaves: every key and Account enters the deletion waiting period (decryption refused,
 * as for a deleted key), and when it ends the tenant is purged. Asking again returns the same date.
 */
export async function offboardTenant(ctx: KeyChainContext, workspace: string, actor: Actor): Promise<Tenant> {
  const tenant = await ctx.db.transaction(async (sql) => {
    const [current] = await sql.query<TenantRow>('select * from tenants where workspace = $1 for update', [
      workspace,
    ]);
    if (!current) throw notFound('tenant', workspace);
    if (current.state === 'OFFBOARDING' || current.state === 'PURGED') return toTenant(current);
    // Keys of child workspaces may use this tenant's Accounts (FR-4.3): they must go first.
    const borrowers = await sql.query<{ workspace: string; name: string }>(
      `select t.workspace, k.name from service_keys k join accounts a on a.id = k.account_id join tenants t on t.id = k.tenant_id
        where a.tenant_id = $1 and k.tenant_id <> $1 and k.state <> 'DESTROYED' order by t.workspace, k.name limit 20`,
      [current.id],
    );
    if (borrowers.length > 0)
      throw new CmkError(
        'FAILED_PRECONDITION',
        `keys of other workspaces use Accounts of ${workspace}: ${borrowers.map((key) => `${key.workspace}/${key.name}`).join(', ')}; delete them or move them to their own Accounts first`,
        { reason: 'AccountsInUse', keys: borrowers },
      );
    const purgeAfter = new Date(ctx.now().getTime() + ctx.destructionWindowSeconds * 1000);
    await sql.query(
      `update service_keys set state_before_deletion = state, state = 'PENDING_DELETION', delete_after = $2, updated_at = now()
        where tenant_id = $1 and state in ('ENABLED', 'DISABLED')`,
      [current.id, purgeAfter],
    );
    await sql.query(
      "update service_keys set delete_after = least(delete_after, $2) where tenant_id = $1 and state = 'PENDING_DELETION'",
      [current.id, purgeAfter],
    );
    await sql.query(
      `update accounts set state = 'PENDING_DELETION', delete_after = least(coalesce(delete_after, $2), $2), updated_at = now()
        where tenant_id = $1 and state <> 'DESTROYED'`,
      [current.id, purgeAfter],
    );
    const [row] = await sql.query<TenantRow>(
      "update tenants set state = 'OFFBOARDING', purge_after = $2, updated_at = now() where id = $1 returning *",
      [current.id, purgeAfter],
    );
    await recordEdgeChange(sql, current.id, 'tenant', workspace);
    await recordAudit(sql, {
      tenantId: current.id,
      actor: actor.name,
      action: 'tenant.offboard',
      subject: workspace,
      result: 'success',
      details: { purgeAfter: purgeAfter.toISOString() },
    });
    return toTenant(row as TenantRow);
  });
  ctx.edgeFeed.changed(tenant.id);
  return tenant;
}

/** Tables holding a tenant's data, children first: what a purge deletes. */
const TENANT_DATA = [
  'delete from rotation_requests where key_id in (select id from service_keys where tenant_id = $1)',
  'delete from key_versions where key_id in (select id from service_keys where tenant_id = $1)',
  'delete from edge_key_clients where tenant_id = $1',
  'delete from service_keys where tenant_id = $1',
  // Destroyed keys of child workspaces that had used its Accounts (their material is gone already).
  "delete from service_keys where state = 'DESTROYED' and account_id in (select id from accounts where tenant_id = $1)",
  'delete from account_roots where account_id in (select id from accounts where tenant_id = $1)',
  'delete from accounts where tenant_id = $1',
  'delete from edge_changes where tenant_id = $1',
  'delete from crypto_edges where tenant_id = $1',
  'delete from webhooks where tenant_id = $1',
  'delete from audit_events where tenant_id = $1',
];

/** Purges the tenants whose offboarding waiting period has ended: their data goes, a tombstone and one audit record stay. */
export async function purgeOffboardedTenants(ctx: KeyChainContext): Promise<number> {
  const due = await ctx.db.query<{ id: string; workspace: string }>(
    "select id, workspace from tenants where state = 'OFFBOARDING' and purge_after <= $1",
    [ctx.now()],
  );
  for (const tenant of due) {
    const accounts = await ctx.db.query<{ id: string }>('select id from accounts where tenant_id = $1', [
      tenant.id,
    ]);
    await ctx.db.transaction(async (sql) => {
      for (const statement of TENANT_DATA) await sql.query(statement, [tenant.id]);
      await sql.query(
        "update tenants set state = 'PURGED', purged_at = $2, purge_after = null, updated_at = now() where id = $1",
        [tenant.id, ctx.now()],
      );
      await recordAudit(sql, {
        tenantId: tenant.id,
        actor: 'cmk',
        action: 'tenant.purge',
        subject: tenant.workspace,
        result: 'success',
      });
    });
    for (const account of accounts) ctx.roots.forget(account.id);
  }
  return due.length;
}
