import { EventEmitter } from 'node:events';
import type { Sql } from '../storage/database.js';

/**
 * What connected Crypto Edges are told: each change to a key or a tenant gets the tenant's next
 * revision in the same transaction as the change (the tenant row's lock orders them), so a
 * reconnecting edge asks for everything after the revision it last saw and misses nothing.
 */
export async function recordEdgeChange(
  sql: Sql,
  tenantId: string,
  kind: 'key' | 'tenant',
  name: string,
): Promise<void> {
  const [row] = await sql.query<{ edge_revision: string }>(
    'update tenants set edge_revision = edge_revision + 1 where id = $1 returning edge_revision',
    [tenantId],
  );
  if (!row) return;
  await sql.query(
    'insert into edge_changes (tenant_id, revision, subject_kind, subject_name) values ($1, $2, $3, $4)',
    [tenantId, row.edge_revision, kind, name],
  );
}

export interface EdgeChange {
  revision: number;
  kind: 'key' | 'tenant';
  name: string;
}

/** The changes after `since`, the latest per subject only: an edge needs each subject's present state once. */
export async function changesSince(sql: Sql, tenantId: string, since: number): Promise<EdgeChange[]> {
  const rows = await sql.query<{ revision: string; subject_kind: 'key' | 'tenant'; subject_name: string }>(
    `select max(revision) as revision, subject_kind, subject_name from edge_changes
      where tenant_id = $1 and revision > $2 group by subject_kind, subject_name order by 1`,
    [tenantId, since],
  );
  return rows.map((row) => ({
    revision: Number(row.revision),
    kind: row.subject_kind,
    name: row.subject_name,
  }));
}

export async function currentRevision(sql: Sql, tenantId: string): Promise<number> {
  const [row] = await sql.query<{ edge_revision: string }>(
    'select edge_revision from tenants where id = $1',
    [tenantId],
  );
  return Number(row?.edge_revision ?? 0);
}

/** Wakes the streams of a tenant's edges once a change has committed; each then reads what it has not sent. */
export class EdgeFeed {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  changed(tenantId: string): void {
    this.emitter.emit(tenantId);
  }

  subscribe(tenantId: string, listener: () => void): () => void {
    this.emitter.on(tenantId, listener);
    return () => this.emitter.off(tenantId, listener);
  }
}
