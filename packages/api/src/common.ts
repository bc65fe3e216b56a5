import { type Static, Type } from '@sinclair/typebox';
import { StringEnum, Timestamp } from './schema-helpers.js';

/** metav1.Condition, as every kind reports its state. */
export const Condition = Type.Object(
  {
    type: Type.String({
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      description: 'Type of condition in CamelCase, e.g. Ready.',
    }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'Status of the condition.' }),
    observedGeneration: Type.Optional(
      Type.Integer({
        minimum: 0,
        format: 'int64',
        description: 'The .metadata.generation the condition was set from.',
      }),
    ),
    lastTransitionTime: Timestamp('When the condition last changed from one status to another.'),
    reason: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: 'Machine-readable CamelCase reason for the last transition.',
    }),
    message: Type.String({
      maxLength: 32768,
      description: 'Human-readable details, saying what to do when something is wrong.',
    }),
  },
  { description: 'A condition of the object, as metav1.Condition.' },
);
export type Condition = Static<typeof Condition>;

export const Conditions = Type.Array(Condition, {
  maxItems: 32,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  description: 'Standard conditions; Ready is always present once reconciled.',
});

export const ObservedGeneration = Type.Integer({
  minimum: 0,
  format: 'int64',
  description: 'The .metadata.generation the status was computed from.',
});

/** The metadata the typed resources carry (the CRD schema declares only `type: object`, as Kubernetes requires). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}
