import type { Sql } from '../storage/database.js';

export interface AuditEntry {
  tenantId: string | null;
  actor: string;
  action: string;
  subject: string;
  result: 'success' | 'failure';
  details?: Record<string, unknown>;
}

/** Where committed audit records are announced (the tenant's ID as payload): tenant webhooks deliver from the trail. */
export const AUDITED = 'audited';

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
  if (entry.tenantId) sql.notify(AUDITED, entry.tenantId);
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

/** Which records, in which order: `after` pages oldest-first, `before` newest-first; the filters narrow both. */
export interface AuditQuery {
  order: 'oldest' | 'newest';
  /** Oldest-first: records with a greater ID. */
  after?: number;
  /** Newest-first: records with a smaller ID. */
  before?: number;
  limit: number;
  subject?: string;
  actor?: string;
  /** An action (`key.rotate`) or a family of them (`key.`). */
  action?: string;
  since?: Date;
  until?: Date;
}

export async function listAudit(
  sql: Sql,
  tenantId: string,
  query: AuditQuery,
): Promise<{ items: AuditRecord[]; next: number | null }> {
  const newest = query.order === 'newest';
  const rows = await sql.query<{
    id: number | string;
    actor: string;
    action: string;
    subject: string;
    result: string;
    details: Record<string, unknown>;
    occurred_at: Date;
  }>(
    `select id, actor, action, subject, result, details, occurred_at from audit_events
      where tenant_id = $1
        and ($2::bigint is null or id > $2) and ($3::bigint is null or id < $3)
        and ($4::text is null or subject = $4) and ($5::text is null or actor = $5)
        and ($6::text is null or action = $6 or (right($6, 1) = '.' and starts_with(action, $6)))
        and ($7::timestamptz is null or occurred_at >= $7) and ($8::timestamptz is null or occurred_at < $8)
      order by id ${newest ? 'desc' : 'asc'} limit $9`,
    [
      tenantId,
      newest ? null : (query.after ?? 0),
      newest ? (query.before ?? null) : null,
      query.subject ?? null,
      query.actor ?? null,
      query.action ?? null,
      query.since ?? null,
      query.until ?? null,
      query.limit + 1,
    ],
  );
  const page = rows.slice(0, query.limit);
  const items = page.map((row) => ({
    id: Number(row.id),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    result: row.result,
    details: row.details,
    occurredAt: row.occurred_at.toISOString(),
  }));
  return { items, next: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
}
