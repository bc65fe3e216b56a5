import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Webhook as Signer } from 'standardwebhooks';
import { AUDITED } from '../keychain/audit.js';
import type { Database } from '../storage/database.js';
import { type EgressRule, postOutbound } from './egress.js';
import { DELIVERED_ACTIONS, EVENT_OF_ACTION, payloadOf, TEST_ACTION } from './events.js';
import { type WebhookRow, webhookById } from './webhooks.js';

export interface DeliveryPolicy {
  /** The operator's exceptions to the egress rules (internal addresses, http). */
  rules: EgressRule[];
  /** How long one attempt may take, connection to the end of the answer. */
  timeoutMs: number;
  /** How long an event is retried before it is dropped (and counted). */
  retryForMs: number;
  /** The first retry's delay; each next one doubles, up to maxRetryDelayMs, with jitter. */
  firstRetryDelayMs: number;
  maxRetryDelayMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  rules: [],
  timeoutMs: 15_000,
  retryForMs: 3_600_000,
  firstRetryDelayMs: 1_000,
  maxRetryDelayMs: 300_000,
};

/** How often an idle webhook looks at the trail without being woken (another CMK replica's events). */
const IDLE_POLL_MS = 30_000;
const BATCH = 50;

interface AuditedEvent {
  id: string | number;
  action: string;
  subject: string;
  actor: string;
  details: Record<string, unknown>;
  occurred_at: Date;
}

interface Attempt {
  succeeded: boolean;
  httpStatus: number | null;
  message: string | null;
}

/** A sleep that a wake or a stop ends early. */
class Alarm {
  private ring: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ring = undefined;
        resolve();
      }, ms);
      this.ring = () => {
        clearTimeout(timer);
        this.ring = undefined;
        resolve();
      };
    });
  }

  wake(): void {
    this.ring?.();
  }
}

/**
 * Delivers each webhook's events from the audit trail, in order, one worker per webhook: a slow or
 * failing receiver waits only for itself, never for another webhook or another tenant.
 */
class WebhookWorker {
  private stopped = false;
  /** New events: ends an idle wait, never a backoff. */
  readonly events = new Alarm();
  /** The declaration changed (a fixed URL) or CMK stops: also ends a backoff. */
  readonly declaration = new Alarm();
  readonly done: Promise<void>;

  constructor(
    readonly id: string,
    readonly tenantId: string,
    private readonly dispatcher: WebhookDispatcher,
  ) {
    this.done = this.run().catch((error: unknown) =>
      dispatcher.log({
        level: 'error',
        msg: 'webhook worker stopped',
        webhook: id,
        error: (error as Error).message,
      }),
    );
  }

  stop(): void {
    this.stopped = true;
    this.events.wake();
    this.declaration.wake();
  }

  private async run(): Promise<void> {
    const { db } = this.dispatcher;
    while (!this.stopped) {
      const row = await webhookById(db, this.id);
      if (!row) return;
      if (!row.enabled) {
        // Paused until declared again (resuming moves the cursor to the present).
        await this.declaration.sleep(IDLE_POLL_MS);
        continue;
      }
      const events = await db.query<AuditedEvent>(
        `select id, action, subject, actor, details, occurred_at from audit_events
          where tenant_id = $1 and id > $2 and action = any($3) order by id limit ${BATCH}`,
        [row.tenant_id, row.cursor, DELIVERED_ACTIONS],
      );
      if (events.length === 0) {
        await Promise.race([this.events.sleep(IDLE_POLL_MS), this.declaration.sleep(IDLE_POLL_MS)]);
        this.events.wake();
        this.declaration.wake();
        continue;
      }
      // A delivery moves the cursor with its outcome; events this webhook does not want, once per batch.
      let skipped: string | number | undefined;
      for (const event of events) {
        if (this.stopped) break;
        const wanted =
          event.action === TEST_ACTION
            ? event.subject === row.name && event.details.namespace === row.namespace
            : row.events.includes(EVENT_OF_ACTION[event.action] ?? '');
        if (!wanted) {
          skipped = event.id;
          continue;
        }
        if (!(await this.deliver(row, event))) return;
        skipped = undefined;
      }
      if (skipped !== undefined)
        await db.query('update webhooks set cursor = greatest(cursor, $2) where id = $1', [row.id, skipped]);
    }
  }

  /**
   * Attempts until the receiver takes it or the retry period ends, each retry with the webhook as
   * declared then (a fixed URL counts at once); false when the webhook went away, was paused, or
   * CMK stops, so the caller looks at the webhook again before anything else.
   */
  private async deliver(declared: WebhookRow, event: AuditedEvent): Promise<boolean> {
    const { db, policy } = this.dispatcher;
    const started = Date.now();
    for (let attempt = 0; !this.stopped; attempt++) {
      const row = attempt === 0 ? declared : await webhookById(db, this.id);
      if (!row?.enabled) return false;
      const outcome = await this.attempt(row, event);
      const expired = !outcome.succeeded && Date.now() - started >= policy.retryForMs;
      await db.query(
        `update webhooks set last_attempt_at = now(), last_event = $2, last_http_status = $3, last_succeeded = $4,
                last_message = $5, consecutive_failures = case when $4 then 0 else consecutive_failures + 1 end,
                delivered = delivered + case when $4 then 1 else 0 end, dropped = dropped + case when $6 then 1 else 0 end,
                cursor = case when $4 or $6 then greatest(cursor, $7) else cursor end,
                revision = nextval('webhook_revisions') where id = $1`,
        [
          row.id,
          payloadOf(eventOf(event), row.workspace).type,
          outcome.httpStatus,
          outcome.succeeded,
          outcome.message,
          expired,
          event.id,
        ],
      );
      this.dispatcher.changed();
      if (outcome.succeeded) return true;
      if (expired) {
        this.dispatcher.log({
          level: 'warn',
          msg: 'webhook event dropped after retrying',
          workspace: row.workspace,
          webhook: `${row.namespace}/${row.name}`,
          event: event.action,
          retriedForMs: Date.now() - started,
        });
        return true;
      }
      const backoff = Math.min(policy.maxRetryDelayMs, policy.firstRetryDelayMs * 2 ** attempt);
      const jittered = backoff * (0.5 + Math.random() / 2);
      await this.declaration.sleep(
        Math.min(jittered, Math.max(0, policy.retryForMs - (Date.now() - started))),
      );
    }
    return false;
  }

  private async attempt(row: WebhookRow, event: AuditedEvent): Promise<Attempt> {
    const { policy } = this.dispatcher;
    const body = JSON.stringify(payloadOf(eventOf(event), row.workspace));
    // The same ID on every attempt of one event to one webhook: receivers deduplicate by it.
    const id = `msg_${createHash('sha256').update(`${row.id}:${event.id}`).digest('base64url').slice(0, 27)}`;
    const timestamp = new Date();
    try {
      const signature = new Signer(row.signing_secret).sign(id, timestamp, body);
      const response = await postOutbound(
        row.url,
        body,
        {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
          'User-Agent': 'OpenKCM-Webhooks/1.0',
        },
        { rules: policy.rules, timeoutMs: policy.timeoutMs },
      );
      if (response.status >= 200 && response.status < 300)
        return { succeeded: true, httpStatus: response.status, message: null };
      const said = response.text.replace(/\s+/g, ' ').trim().slice(0, 200);
      return {
        succeeded: false,
        httpStatus: response.status,
        message: `the receiver answered ${response.status}${said ? `: ${said}` : ''}`,
      };
    } catch (error) {
      return { succeeded: false, httpStatus: null, message: (error as Error).message.slice(0, 1000) };
    }
  }
}

function eventOf(event: AuditedEvent) {
  return {
    id: Number(event.id),
    action: event.action,
    subject: event.subject,
    actor: event.actor,
    details: event.details,
    occurredAt: event.occurred_at,
  };
}

/** Runs a worker per webhook and wakes a tenant's workers when an audited change of the tenant commits. */
export class WebhookDispatcher {
  private readonly workers = new Map<string, WebhookWorker>();
  private readonly feed = new EventEmitter().setMaxListeners(0);
  private readonly unlisten: () => void;

  constructor(
    readonly db: Database,
    readonly policy: DeliveryPolicy,
    readonly log: (entry: Record<string, unknown>) => void,
  ) {
    this.unlisten = db.listen(AUDITED, (tenantId) => {
      for (const worker of this.workers.values()) if (worker.tenantId === tenantId) worker.events.wake();
    });
  }

  async start(): Promise<void> {
    const rows = await this.db.query<{ id: string; tenant_id: string }>('select id, tenant_id from webhooks');
    for (const row of rows) this.declared(row.id, row.tenant_id);
  }

  /** A webhook was declared or changed: its worker starts, or looks again at once. */
  declared(id: string, tenantId: string): void {
    const worker = this.workers.get(id);
    if (worker) {
      worker.declaration.wake();
      worker.events.wake();
      return;
    }
    const started = new WebhookWorker(id, tenantId, this);
    this.workers.set(id, started);
    void started.done.then(() => {
      if (this.workers.get(id) === started) this.workers.delete(id);
    });
  }

  forgotten(id: string): void {
    this.workers.get(id)?.stop();
    this.workers.delete(id);
  }

  /** Delivery state moved: the controller's feed answers. */
  changed(): void {
    this.feed.emit('changed');
  }

  /** Waits until delivery state moves, or `ms` pass. */
  nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.feed.off('changed', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.feed.once('changed', done);
    });
  }

  async close(): Promise<void> {
    this.unlisten();
    const workers = [...this.workers.values()];
    for (const worker of workers) worker.stop();
    this.workers.clear();
    await Promise.all(workers.map((worker) => worker.done));
  }
}
