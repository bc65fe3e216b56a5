import { type Static, Type } from '@sinclair/typebox';
import { Conditions, ObservedGeneration } from '../common.js';
import { SecretKeyRef, StringEnum, Timestamp } from '../schema-helpers.js';
import { AGE_COLUMN, type KindDefinition, READY_COLUMN } from './kind-definition.js';

export const NOTIFICATION_EVENTS = [
  'KeyCreated',
  'KeyRotated',
  'KeyEnabled',
  'KeyDisabled',
  'KeyDeleted',
  'AccountReady',
  'AccountNotReady',
  'AccountReKeyed',
  'TenantActive',
  'TenantSuspended',
] as const;

export const WebHookNotificationSpec = Type.Object(
  {
    url: Type.String({
      pattern: '^https://[^\\s/?#]+(:[0-9]+)?(/[^\\s]*)?$',
      maxLength: 2048,
      description: 'HTTPS endpoint that receives signed event notifications.',
    }),
    events: Type.Array(StringEnum(NOTIFICATION_EVENTS), {
      minItems: 1,
      maxItems: NOTIFICATION_EVENTS.length,
      'x-kubernetes-list-type': 'set',
      description: 'Events to deliver.',
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
  consecutiveFailures: Type.Optional(Type.Integer({ minimum: 0 })),
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
