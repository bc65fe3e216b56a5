import { randomUUID } from 'node:crypto';
import type { EdgeKeyState, UsageRecord } from '@openkcm/edge-protocol';
import type { CertificateIssuerService } from '@openkcm/plugin-sdk';
import type { Sql } from '../storage/database.js';
import { recordAudit } from './audit.js';
import type { Actor, KeyChainContext } from './context.js';
import { notFound } from './errors.js';
import { ACTIVE_CLIENT_WINDOW } from './service-keys.js';
import { activeTenant, getTenant } from './tenants.js';

/** An edge counts as connected while its change stream has been seen this recently. */
const CONNECTED_WITHIN_SECONDS = 45;

export interface CryptoEdge {
  id: string;
  name: string;
  workspace: string;
  validityHours: number;
  createdAt: string;
  lastSeen: string | null;
  connected: boolean;
  certificateNotAfter: string | null;
}

interface EdgeRow {
  id: string;
  tenant_id: string;
  name: string;
  validity_hours: number;
  created_at: Date;
  last_seen_at: Date | null;
  certificate_not_after: Date | null;
  workspace: string;
  connected: boolean;
}

const EDGE_VIEW = `select e.*, t.workspace,
    coalesce(e.last_seen_at > now() - interval '${CONNECTED_WITHIN_SECONDS} seconds', false) as connected
  from crypto_edges e join tenants t on t.id = e.tenant_id`;

function toEdge(row: EdgeRow): CryptoEdge {
  return {
    id: row.id,
    name: row.name,
    workspace: row.workspace,
    validityHours: row.validity_hours,
    createdAt: row.created_at.toISOString(),
    lastSeen: row.last_seen_at?.toISOString() ?? null,
    connected: row.connected,
    certificateNotAfter: row.certificate_not_after?.toISOString() ?? null,
  };
}

async function edgeRow(sql: Sql, workspace: string, name: string): Promise<EdgeRow> {
  const [row] = await sql.query<EdgeRow>(`${EDGE_VIEW} where t.workspace = $1 and e.name = $2`, [
    workspace,
    name,
  ]);
  if (!row) throw notFound('CryptoEdge', name);
  return row;
}

/** Enrolls an edge of a workspace, or returns the one enrolled under that name (the validity follows the request). */
export async function registerEdge(
  ctx: KeyChainContext,
  workspace: string,
  request: { name: string; validityHours: number },
  actor: Actor,
): Promise<{ edge: CryptoEdge; tenantId: string; created: boolean }> {
  const tenant = await activeTenant(ctx.db, workspace);
  const created = await ctx.db.transaction(async (sql) => {
    const inserted = await sql.query<{ id: string }>(
      `insert into crypto_edges (id, tenant_id, name, validity_hours) values ($1, $2, $3, $4)
       on conflict (tenant_id, name) do update set validity_hours = excluded.validity_hours
       returning (xmax = 0) as inserted, id`,
      [randomUUID(), tenant.id, request.name, request.validityHours],
    );
    const isNew = (inserted[0] as { inserted?: boolean } | undefined)?.inserted === true;
    if (isNew)
      await recordAudit(sql, {
        tenantId: tenant.id,
        actor: actor.name,
        action: 'edge.register',
        subject: request.name,
        result: 'success',
      });
    return isNew;
  });
  return { edge: toEdge(await edgeRow(ctx.db, workspace, request.name)), tenantId: tenant.id, created };
}

/** A client certificate for the edge, the tenant and the edge's ID in its SAN (FR-2.2, FR-2.3). */
export async function issueEdgeCertificate(
  ctx: KeyChainContext,
  issuer: CertificateIssuerService,
  edge: { id: string; tenantId: string; validityHours: number },
) {
  const issued = await issuer.issueClientCertificate({
    tenantID: edge.tenantId,
    commonName: edge.id,
    validityHours: edge.validityHours,
  });
  await ctx.db.query('update crypto_edges set certificate_not_after = $2 where id = $1', [
    edge.id,
    issued.notAfter,
  ]);
  return issued;
}

/** Deregisters an edge: its certificates stop working at once, whatever their expiry. */
export async function revokeEdge(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  actor: Actor,
): Promise<string | undefined> {
  const tenant = await getTenant(ctx.db, workspace);
  return ctx.db.transaction(async (sql) => {
    const [row] = await sql.query<{ id: string }>(
      'delete from crypto_edges where tenant_id = $1 and name = $2 returning id',
      [tenant.id, name],
    );
    if (!row) return undefined;
    await sql.query('delete from edge_key_clients where edge_id = $1', [row.id]);
    await recordAudit(sql, {
      tenantId: tenant.id,
      actor: actor.name,
      action: 'edge.revoke',
      subject: name,
      result: 'success',
    });
    return row.id;
  });
}

export async function listEdges(ctx: KeyChainContext, workspace: string): Promise<CryptoEdge[]> {
  await getTenant(ctx.db, workspace);
  const rows = await ctx.db.query<EdgeRow>(`${EDGE_VIEW} where t.workspace = $1 order by e.name`, [
    workspace,
  ]);
  return rows.map(toEdge);
}

/** The registered edge a certificate names, if it is still registered under that tenant. */
export async function findEdge(
  sql: Sql,
  tenantId: string,
  edgeId: string,
): Promise<
  { id: string; name: string; tenantId: string; workspace: string; validityHours: number } | undefined
> {
  const [row] = await sql.query<EdgeRow>(`${EDGE_VIEW} where e.id = $1 and e.tenant_id = $2`, [
    edgeId,
    tenantId,
  ]);
  return (
    row && {
      id: row.id,
      name: row.name,
      tenantId: row.tenant_id,
      workspace: row.workspace,
      validityHours: row.validity_hours,
    }
  );
}

export async function touchEdge(sql: Sql, edgeId: string): Promise<void> {
  await sql.query('update crypto_edges set last_seen_at = now() where id = $1', [edgeId]);
}

/** Active clients per key over all edges of a workspace, for the controller to mirror into status. */
export async function activeClientsByKey(
  ctx: KeyChainContext,
  workspace: string,
): Promise<Record<string, string[]>> {
  const rows = await ctx.db.query<{ key_name: string; workloads: string[] }>(
    `select c.key_name, array_agg(distinct c.workload order by c.workload) as workloads
       from edge_key_clients c join tenants t on t.id = c.tenant_id
      where t.workspace = $1 and c.last_seen_at > now() - interval '${ACTIVE_CLIENT_WINDOW}'
      group by c.key_name`,
    [workspace],
  );
  return Object.fromEntries(rows.map((row) => [row.key_name, row.workloads]));
}

/**
 * Data-plane usage arrives aggregated per key, workload and minute: one audit record each (not
 * one per call), and the workload counts as an active client of the key.
 */
export async function recordUsage(
  ctx: KeyChainContext,
  edge: { id: string; name: string; tenantId: string },
  usage: UsageRecord[],
): Promise<void> {
  if (usage.length === 0) return;
  await ctx.db.transaction(async (sql) => {
    for (const item of usage) {
      await recordAudit(sql, {
        tenantId: edge.tenantId,
        actor: item.workload,
        action: 'key.use',
        subject: item.key,
        result:
          item.refused > 0 && Object.values(item.operations).every((count) => count === 0)
            ? 'failure'
            : 'success',
        details: { edge: edge.name, minute: item.minute, ...item.operations, refused: item.refused },
      });
      if (Object.values(item.operations).some((count) => count > 0))
        await sql.query(
          `insert into edge_key_clients (tenant_id, key_name, workload, edge_id, last_seen_at) values ($1, $2, $3, $4, $5)
           on conflict (tenant_id, key_name, workload, edge_id) do update set last_seen_at = greatest(edge_key_clients.last_seen_at, excluded.last_seen_at)`,
          [edge.tenantId, item.key, item.workload, edge.id, item.minute],
        );
    }
  });
}

export async function edgeKeyState(sql: Sql, tenantId: string, name: string): Promise<EdgeKeyState | null> {
  const [row] = await sql.query<{
    id: string;
    name: string;
    state: string;
    current_version: number;
    allowed_workloads: string[];
    oldest: number | null;
  }>(
    `select k.id, k.name, k.state, k.current_version, k.allowed_workloads,
            (select min(v.version) from key_versions v where v.key_id = k.id and v.state = 'ACTIVE') as oldest
       from service_keys k where k.tenant_id = $1 and k.name = $2`,
    [tenantId, name],
  );
  if (!row) return null;
  return {
    name: row.name,
    id: row.id,
    state: row.state,
    currentVersion: row.current_version,
    oldestUsableVersion: row.oldest ?? row.current_version + 1,
    allowedWorkloads: row.allowed_workloads,
  };
}
