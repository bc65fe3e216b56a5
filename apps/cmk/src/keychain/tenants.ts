import { randomUUID } from 'node:crypto';
import type { Sql } from '../storage/database.js';
import { recordAudit } from './audit.js';
import type { Actor, KeyChainContext } from './context.js';
import { recordEdgeChange } from './edge-feed.js';
import { CmkError, notFound } from './errors.js';

export interface Tenant {
  id: string;
  workspace: string;
  state: 'ACTIVE' | 'SUSPENDED';
  region: string | null;
  audiences: string[];
  createdAt: string;
}

interface TenantRow {
  id: string;
  workspace: string;
  state: 'ACTIVE' | 'SUSPENDED';
  region: string | null;
  audiences: string[];
  created_at: Date;
}

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    workspace: row.workspace,
    state: row.state,
    region: row.region,
    audiences: row.audiences,
    createdAt: row.created_at.toISOString(),
  };
}

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
  if (tenant.state !== 'ACTIVE') {
    throw new CmkError(
      'FAILED_PRECONDITION',
      `tenant ${workspace} is suspended: OpenKCM is disabled in this workspace; enable it again to use its keys`,
      { tenant: workspace },
    );
  }
  return tenant;
}

/** Provisions the tenant of a workspace, or returns the one that exists: calling it twice changes nothing. */
export async function provisionTenant(
  ctx: KeyChainContext,
  request: { workspace: string; region?: string; audiences?: string[] },
  actor: Actor,
): Promise<{ tenant: Tenant; created: boolean }> {
  if (ctx.systemInformation) {
    const validation = await ctx.systemInformation.validateTenant(request);
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
