import { type Static, Type } from '@sinclair/typebox';
import { Conditions, ObservedGeneration } from '../common.js';
import { SecretKeyRef, Timestamp } from '../schema-helpers.js';
import { AGE_COLUMN, type KindDefinition, READY_COLUMN } from './kind-definition.js';

/** What a tenant can be told about; `AccountReKeyed` is a finished re-key, `KeyDeleted` a destroyed key. */
export const NOTIFICATION_EVENTS = [
  'KeyCreated',
  'KeyRotated',
  'KeyEnabled',
  'KeyDisabled',
  'KeyDeletionScheduled',
  'KeyDeletionCancelled',
  'KeyDeleted',
  'AccountReady',
  'AccountNotReady',
  'AccountReKeyStarted',
  'AccountReKeyed',
  'TenantActive',
  'TenantSuspended',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const WebHookNotificationSpec = Type.Object(
  {
    // URL and event types are checked by the controller and CMK, not here: what is wrong with them
    // (http, an internal address, an unknown type) is a condition that says how to fix it.
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        'HTTPS endpoint that receives signed event notifications. Internal addresses and http are refused unless the operator allows the host.',
    }),
    events: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 32,
      'x-kubernetes-list-type': 'set',
      description: `Events to deliver: ${NOTIFICATION_EVENTS.join(', ')}.`,
    }),
    signingSecretRef: SecretKeyRef('Secret key holding the HMAC key that signs each delivery.'),
    enabled: Type.Boolean({ default: true, description: 'Pause deliveries without deleting the webhook.' }),
  },
  { description: 'A tenant webhook that receives key chain events.' },
);

export const WebHookNotificationStatus = Type.Object({
  lastDelivery: Type.Optional(
    Type.Object({
      time: Timestamp('When the last delivery was attempted.'),
      event: Type.String({ maxLength: 64 }),
      httpStatus: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
      succeeded: Type.Boolean(),
      message: Type.Optional(Type.String({ maxLength: 1024 })),
    }),
  ),
  consecutiveFailures: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Failed attempts since the last delivery that succeeded.' }),
  ),
  deliveredEvents: Type.Optional(Type.Integer({ minimum: 0, description: 'Events the receiver took.' })),
  droppedEvents: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Events given up after retrying for the whole retry period.' }),
  ),
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions),
});

export const webHookNotificationKind = {
  kind: 'WebHookNotification',
  plural: 'webhooknotifications',
  singular: 'webhooknotification',
  shortNames: ['whn'],
  description: 'WebHookNotification delivers key chain events of the tenant to an HTTPS endpoint.',
  spec: WebHookNotificationSpec,
  status: WebHookNotificationStatus,
  printerColumns: [
    { name: 'URL', type: 'string', jsonPath: '.spec.url' },
    { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled' },
    READY_COLUMN,
    AGE_COLUMN,
  ],
} satisfies KindDefinition;

export type WebHookNotificationSpec = Static<typeof WebHookNotificationSpec>;
export type WebHookNotificationStatus = Static<typeof WebHookNotificationStatus>;
