import { type Static, Type } from '@sinclair/typebox';
import { Conditions, ObservedGeneration } from '../common.js';
import { ROTATION_SCHEDULE_HELP, ROTATION_SCHEDULE_PATTERN } from '../rotation-schedule.js';
import { LocalObjectReference, StringEnum, Timestamp } from '../schema-helpers.js';
import { AGE_COLUMN, type KindDefinition, READY_COLUMN } from './kind-definition.js';

export const ALGORITHMS = ['AES-GCM-256'] as const;
export const KEY_STATES = ['Enabled', 'Disabled'] as const;
export const KEY_PHASES = ['Pending', 'Active', 'Disabled', 'Failed'] as const;
export const SPIFFE_ID_PATTERN =
  "^spiffe://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*$";

export const ServiceEncryptionKeySpec = Type.Object(
  {
    accountRef: Type.Object(
      {
        name: LocalObjectReference('').properties.name,
        workspace: Type.Optional(
          Type.String({
            pattern: '^root(:[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$',
            maxLength: 1024,
            description:
              'Workspace of the Account when it is not this one: a parent workspace in the same organisation (e.g. root:orgs:acme for a key in root:orgs:acme:team-a). Anything else is refused.',
          }),
        ),
      },
      { description: 'The Account (L2) that wraps this key: of this workspace, or of a parent workspace.' },
    ),
    algorithm: StringEnum(ALGORITHMS, {
      default: 'AES-GCM-256',
      description: 'Encryption algorithm of the key.',
    }),
    rotationSchedule: Type.String({
      pattern: ROTATION_SCHEDULE_PATTERN,
      default: '30d',
      maxLength: 16,
      description: `How often a new version is created: ${ROTATION_SCHEDULE_HELP}.`,
    }),
    state: StringEnum(KEY_STATES, {
      default: 'Enabled',
      description: 'Disabled evicts the key everywhere; decryption fails.',
    }),
    allowedWorkloads: Type.Optional(
      Type.Array(Type.String({ pattern: SPIFFE_ID_PATTERN, maxLength: 2048 }), {
        maxItems: 64,
        'x-kubernetes-list-type': 'set',
        description: 'SPIFFE IDs of the workloads that may use the key at the Crypto Edge.',
      }),
    ),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { description: 'A versioned service key (L3), wrapped by its Account.' },
);

export const ServiceEncryptionKeyStatus = Type.Object({
  phase: Type.Optional(StringEnum(KEY_PHASES)),
  cmkKeyID: Type.Optional(Type.String({ maxLength: 256 })),
  currentVersion: Type.Optional(
    Type.Integer({ minimum: 0, description: 'The version new data is encrypted with.' }),
  ),
  rotationPeriod: Type.Optional(
    Type.String({
      maxLength: 16,
      description: 'The period spec.rotationSchedule means, in the short form (Daily is 1d, Monthly 30d).',
    }),
  ),
  lastRotation: Type.Optional(Timestamp('When the current version was created.')),
  nextRotation: Type.Optional(Timestamp('When the next version is due.')),
  activeClients: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Workloads that used the key recently.' }),
  ),
  activeWorkloads: Type.Optional(
    Type.Array(Type.String({ maxLength: 2048 }), {
      maxItems: 32,
      description:
        'SPIFFE IDs of the workloads that used the key at a Crypto Edge in the last 15 minutes (the first 32).',
    }),
  ),
  observedRotateRequest: Type.Optional(
    Type.String({ maxLength: 256, description: 'The last rotate-now annotation value acted on.' }),
  ),
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions),
});

export const serviceEncryptionKeyKind = {
  kind: 'ServiceEncryptionKey',
  plural: 'serviceencryptionkeys',
  singular: 'serviceencryptionkey',
  shortNames: ['sek'],
  description:
    'ServiceEncryptionKey is a versioned service key (L3) wrapped by an Account, used by workloads through the Crypto Edge.',
  spec: ServiceEncryptionKeySpec,
  status: ServiceEncryptionKeyStatus,
  printerColumns: [
    { name: 'Account', type: 'string', jsonPath: '.spec.accountRef.name' },
    { name: 'State', type: 'string', jsonPath: '.spec.state' },
    { name: 'Schedule', type: 'string', jsonPath: '.spec.rotationSchedule' },
    { name: 'Version', type: 'integer', jsonPath: '.status.currentVersion' },
    { name: 'Next Rotation', type: 'string', jsonPath: '.status.nextRotation' },
    { name: 'Clients', type: 'integer', jsonPath: '.status.activeClients' },
    READY_COLUMN,
    AGE_COLUMN,
  ],
} satisfies KindDefinition;

export type ServiceEncryptionKeySpec = Static<typeof ServiceEncryptionKeySpec>;
export type ServiceEncryptionKeyStatus = Static<typeof ServiceEncryptionKeyStatus>;
