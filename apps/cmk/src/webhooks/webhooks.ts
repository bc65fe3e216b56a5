import { randomUUID } from 'node:crypto';
import { NOTIFICATION_EVENTS } from '@openkcm/api';
import { recordAudit } from '../keychain/audit.js';
import type { Actor } from '../keychain/context.js';
import { CmkError } from '../keychain/errors.js';
import { getTenant } from '../keychain/tenants.js';
import type { Sql } from '../storage/database.js';
import { checkDestination, EgressRefusedError, type EgressRule } from './egress.js';
import { TEST_ACTION } from './events.js';

/** A tenant webhook as CMK delivers to it; the signing secret never leaves CMK. */
export interface Webhook {
  namespace: string;
  name: string;
  workspace: string;
  generation: number;
  url: string;
  events: string[];
  enabled: boolean;
  revision: number;
  lastDelivery: {
    time: string;
    event: string;
    httpStatus: number | null;
    succeeded: boolean;
    message: string | null;
  } | null;
  consecutiveFailures: number;
  delivered: number;
  dropped: number;
}

export interface WebhookRow {
  id: string;
  tenant_id: string;
  namespace: string;
  name: string;
  generation: number | string;
  url: string;
  events: string[];
  signing_secret: string;
  enabled: boolean;
  cursor: number | string;
  revision: number | string;
  last_attempt_at: Date | null;
  last_event: string | null;
  last_http_status: number | null;
  last_succeeded: boolean | null;
  last_message: string | null;
  consecutive_failures: number;
  delivered: number | string;
  dropped: number | string;
  workspace: string;
}

const WEBHOOK_VIEW = 'select w.*, t.workspace from webhooks w join tenants t on t.id = w.tenant_id';

export function toWebhook(row: WebhookRow): Webhook {
  return {
    namespace: row.namespace,
    name: row.name,
    workspace: row.workspace,
    generation: Number(row.generation),
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    revision: Number(row.revision),
    lastDelivery: row.last_attempt_at
      ? {
          time: row.last_attempt_at.toISOString(),
          event: row.last_event ?? '',
          httpStatus: row.last_http_status,
          succeeded: row.last_succeeded === true,
          message: row.last_message,
        }
      : null,
    consecutiveFailures: row.consecutive_failures,
    delivered: Number(row.delivered),
    dropped: Number(row.dropped),
  };
}

export async function webhookRow(
  sql: Sql,
  workspace: string,
  namespace: string,
  name: string,
): Promise<WebhookRow> {
  const [row] = await sql.query<WebhookRow>(
    `${WEBHOOK_VIEW} where t.workspace = $1 and w.namespace = $2 and w.name = $3`,
    [workspace, namespace, name],
  );
  if (!row)
    throw new CmkError('NOT_FOUND', `WebHookNotification "${namespace}/${name}" is not known to CMK yet`, {
      kind: 'WebHookNotification',
      name,
    });
  return row;
}

export async function webhookById(sql: Sql, id: string): Promise<WebhookRow | undefined> {
  const [row] = await sql.query<WebhookRow>(`${WEBHOOK_VIEW} where w.id = $1`, [id]);
  return row;
}

export async function listWebhooks(sql: Sql, workspace: string): Promise<Webhook[]> {
  const rows = await sql.query<WebhookRow>(
    `${WEBHOOK_VIEW} where t.workspace = $1 order by w.namespace, w.name`,
    [workspace],
  );
  return rows.map(toWebhook);
}

/** Each webhook has a worker and, while delivering, a connection: a tenant cannot have unbounded many. */
export const MAX_WEBHOOKS_PER_TENANT = 32;

/** A signing secret as Standard Webhooks defines it: `whsec_` and 24 to 64 random bytes in base64. */
const SIGNING_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export interface WebhookDeclaration {
  generation: number;
  url: string;
  events: string[];
  enabled: boolean;
  signingSecret: string;
}

/** Each problem with a declared webhook, with what to do about it: the controller turns them into a condition. */
export function declarationProblems(
  declaration: WebhookDeclaration,
  rules: EgressRule[],
): Array<{ field: string; reason: string; message: string }> {
  const problems: Array<{ field: string; reason: string; message: string }> = [];
  try {
    checkDestination(declaration.url, rules);
  } catch (error) {
    if (!(error instanceof EgressRefusedError)) throw error;
    problems.push({ field: 'spec.url', reason: 'URLRefused', message: error.message });
  }
  const unknown = declaration.events.filter(
    (event) => !(NOTIFICATION_EVENTS as readonly string[]).includes(event),
  );
  if (unknown.length > 0)
    problems.push({
      field: 'spec.events',
      reason: 'UnknownEventTypes',
      message: `unknown event types ${unknown.join(', ')}; use any of ${NOTIFICATION_EVENTS.join(', ')}`,
    });
  const secretBytes = SIGNING_SECRET.test(declaration.signingSecret)
    ? Buffer.from(declaration.signingSecret.slice('whsec_'.length), 'base64').length
    : 0;
  if (secretBytes < 24 || secretBytes > 64)
    problems.push({
      field: 'spec.signingSecretRef',
      reason: 'SigningSecretInvalid',
      message:
        'the signing secret must be "whsec_" followed by 24 to 64 random bytes in base64 (for example: echo "whsec_$(openssl rand -base64 32)")',
    });
  return problems;
}

/**
 * Stores what the controller declared. A new webhook starts after the newest audited event: it
 * hears what happens from now on, not the tenant's history. A changed declaration keeps the cursor.
 */
export async function declareWebhook(
  sql: Sql,
  workspace: string,
  namespace: string,
  name: string,
  declaration: WebhookDeclaration,
): Promise<{ row: WebhookRow; changed: boolean }> {
  const tenant = await getTenant(sql, workspace);
  const [existing] = await sql.query<{
    id: string;
    generation: string;
    url: string;
    events: string[];
    enabled: boolean;
    signing_secret: string;
  }>(
    'select id, generation, url, events, enabled, signing_secret from webhooks where tenant_id = $1 and namespace = $2 and name = $3',
    [tenant.id, namespace, name],
  );
  if (!existing) {
    const [count] = await sql.query<{ webhooks: number | string }>(
      'select count(*) as webhooks from webhooks where tenant_id = $1',
      [tenant.id],
    );
    if (Number(count?.webhooks ?? 0) >= MAX_WEBHOOKS_PER_TENANT) {
      const message = `a tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one, or send more events to one receiver`;
      throw new CmkError('INVALID_ARGUMENT', message, {
        problems: [{ field: 'metadata.name', reason: 'TooManyWebhooks', message }],
      });
    }
    await sql.query(
      `insert into webhooks (id, tenant_id, namespace, name, generation, url, events, signing_secret, enabled, cursor)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, (select coalesce(max(id), 0) from audit_events))`,
      [
        randomUUID(),
        tenant.id,
        namespace,
        name,
        declaration.generation,
        declaration.url,
        declaration.events,
        declaration.signingSecret,
        declaration.enabled,
      ],
    );
  } else if (
    Number(existing.generation) !== declaration.generation ||
    existing.url !== declaration.url ||
    existing.events.join() !== declaration.events.join() ||
    existing.enabled !== declaration.enabled ||
    existing.signing_secret !== declaration.signingSecret
  ) {
    await sql.query(
      // Resuming starts from now: what happened while paused is not delivered later.
      `update webhooks set generation = $2, url = $3, events = $4, signing_secret = $5, enabled = $6,
              cursor = case when $6 and not enabled then (select coalesce(max(id), 0) from audit_events) else cursor end,
              revision = nextval('webhook_revisions') where id = $1`,
      [
        existing.id,
        declaration.generation,
        declaration.url,
        declaration.events,
        declaration.signingSecret,
        declaration.enabled,
      ],
    );
  } else return { row: await webhookRow(sql, workspace, namespace, name), changed: false };
  return { row: await webhookRow(sql, workspace, namespace, name), changed: true };
}

export async function forgetWebhook(
  sql: Sql,
  workspace: string,
  namespace: string,
  name: string,
): Promise<string | undefined> {
  const [row] = await sql.query<{ id: string }>(
    'delete from webhooks w using tenants t where t.id = w.tenant_id and t.workspace = $1 and w.namespace = $2 and w.name = $3 returning w.id',
    [workspace, namespace, name],
  );
  return row?.id;
}

/** Asks for a test delivery: an audited request the dispatcher delivers to this webhook only. */
export async function requestTestDelivery(
  sql: Sql,
  workspace: string,
  namespace: string,
  name: string,
  actor: Actor,
): Promise<WebhookRow> {
  const row = await webhookRow(sql, workspace, namespace, name);
  if (!row.enabled)
    throw new CmkError(
      'FAILED_PRECONDITION',
      `WebHookNotification "${name}" is paused (spec.enabled is false); enable it to send a test event`,
    );
  await recordAudit(sql, {
    tenantId: row.tenant_id,
    actor: actor.name,
    action: TEST_ACTION,
    subject: name,
    result: 'success',
    details: { namespace },
  });
  return row;
}

/** Webhooks whose delivery state changed after `revision`, oldest change first (the controller's feed). */
export async function webhookChanges(
  sql: Sql,
  after: number,
  limit: number,
): Promise<Array<{ workspace: string; namespace: string; name: string; revision: number }>> {
  const rows = await sql.query<{
    workspace: string;
    namespace: string;
    name: string;
    revision: string | number;
  }>(
    `select t.workspace, w.namespace, w.name, w.revision from webhooks w join tenants t on t.id = w.tenant_id
      where w.revision > $1 order by w.revision limit $2`,
    [after, limit],
  );
  return rows.map((row) => ({ ...row, revision: Number(row.revision) }));
}
