import type { Sql } from '../storage/database.js';

export interface AuditEntry {
  tenantId: string | null;
  actor: string;
  action: string;
  subject: string;
  result: 'success' | 'failure';
  details?: Record<string, unknown>;
}

/** Recorded inside the transaction of the change it describes, so the record and the change go together. */
export async function recordAudit(sql: Sql, entry: AuditEntry): Promise<void> {
  await sql.query(
    'insert into audit_events (tenant_id, actor, action, subject, result, details) values ($1, $2, $3, $4, $5, $6)',
    [
      entry.tenantId,
      entry.actor,
      entry.action,
      entry.subject,
      entry.result,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}

export interface AuditRecord {
  id: number;
  actor: string;
  action: string;
  subject: string;
  result: string;
  details: Record<string, unknown>;
  occurredAt: string;
}

export async function listAudit(
  sql: Sql,
  tenantId: string,
  options: { after?: number; limit: number },
): Promise<AuditRecord[]> {
  const rows = await sql.query<{
    id: number | string;
    actor: string;
    action: string;
    subject: string;
    result: string;
    details: Record<string, unknown>;
    occurred_at: Date;
  }>(
    'select id, actor, action, subject, result, details, occurred_at from audit_events where tenant_id = $1 and id > $2 order by id limit $3',
    [tenantId, options.after ?? 0, options.limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    result: row.result,
    details: row.details,
    occurredAt: row.occurred_at.toISOString(),
  }));
}
