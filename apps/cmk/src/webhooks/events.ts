import type { NotificationEvent } from '@openkcm/api';

/**
 * Which audited change is which tenant event: every event type WebHookNotification offers comes
 * from the audit record written in the same transaction as the change itself.
 */
export const EVENT_OF_ACTION: Record<string, NotificationEvent> = {
  'key.create': 'KeyCreated',
  'key.rotate': 'KeyRotated',
  'key.enable': 'KeyEnabled',
  'key.disable': 'KeyDisabled',
  'key.delete': 'KeyDeletionScheduled',
  'key.cancel-deletion': 'KeyDeletionCancelled',
  'key.destroy': 'KeyDeleted',
  'account.register': 'AccountReady',
  'account.ready': 'AccountReady',
  'account.not-ready': 'AccountNotReady',
  'account.rekey.start': 'AccountReKeyStarted',
  'account.rekey.complete': 'AccountReKeyed',
  'tenant.provision': 'TenantActive',
  'tenant.resume': 'TenantActive',
  'tenant.suspend': 'TenantSuspended',
};

/** A test delivery asked for in the console: audited, and delivered to that one webhook whatever it subscribes to. */
export const TEST_ACTION = 'webhook.test';
export const TEST_EVENT = 'Test';

export const DELIVERED_ACTIONS = [...Object.keys(EVENT_OF_ACTION), TEST_ACTION];

const SUBJECT_KIND: Record<string, string> = {
  key: 'ServiceEncryptionKey',
  account: 'Account',
  tenant: 'Tenant',
  webhook: 'WebHookNotification',
};

/** The body of a delivery, in the Standard Webhooks shape (type, timestamp, data). */
export function payloadOf(
  event: {
    id: number;
    action: string;
    subject: string;
    actor: string;
    details: Record<string, unknown>;
    occurredAt: Date;
  },
  workspace: string,
): { type: string; timestamp: string; data: Record<string, unknown> } {
  const family = event.action.split('.')[0] ?? '';
  return {
    type: event.action === TEST_ACTION ? TEST_EVENT : (EVENT_OF_ACTION[event.action] ?? event.action),
    timestamp: event.occurredAt.toISOString(),
    data: {
      workspace,
      kind: SUBJECT_KIND[family] ?? family,
      name: event.subject,
      actor: event.actor,
      ...(Object.keys(event.details).length > 0 ? { details: event.details } : {}),
    },
  };
}
