import { type Static, Type } from '@sinclair/typebox';
import { Conditions, ObservedGeneration } from '../common.js';
import { StringEnum, Timestamp } from '../schema-helpers.js';
import { AGE_COLUMN, type KindDefinition, READY_COLUMN } from './kind-definition.js';

export const EDGE_PHASES = ['Pending', 'Enrolled', 'Connected', 'Disconnected'] as const;

/** The Secret the controller writes an edge's client certificate into: `<edge>-credentials`. */
export function edgeCredentialsSecret(edgeName: string): string {
  return `${edgeName}-credentials`;
}

/** The keys of that Secret, which the controller writes and an edge reads (or a pod mounts as files). */
export const EDGE_CREDENTIAL_KEYS = {
  cert: 'tls.crt',
  key: 'tls.key',
  cmkCa: 'ca.crt',
  cmkUrl: 'cmk-url',
} as const;

export const CryptoEdgeSpec = Type.Object(
  {
    certificateValidityHours: Type.Integer({
      minimum: 1,
      maximum: 720,
      default: 8,
      description:
        'Lifetime of the edge client certificates; the edge renews at two thirds of it, the controller renews the Secret too.',
    }),
  },
  { description: 'A Crypto Edge of this workspace: its enrollment with CMK.' },
);

export const CryptoEdgeStatus = Type.Object({
  phase: Type.Optional(StringEnum(EDGE_PHASES)),
  cmkEdgeID: Type.Optional(Type.String({ maxLength: 64, description: 'The edge registration in CMK.' })),
  secretName: Type.Optional(
    Type.String({
      maxLength: 253,
      description: 'The Secret with the client certificate (mount it into the edge).',
    }),
  ),
  certificateNotAfter: Type.Optional(Timestamp('When the certificate in the Secret expires.')),
  connected: Type.Optional(
    Type.Boolean({ description: 'Whether CMK heard from the edge in the last 45 seconds.' }),
  ),
  lastSeen: Type.Optional(Timestamp('When CMK last heard from the edge.')),
  activeWorkloads: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Distinct workloads that used keys of this workspace recently.',
    }),
  ),
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions),
});

export const cryptoEdgeKind = {
  kind: 'CryptoEdge',
  plural: 'cryptoedges',
  singular: 'cryptoedge',
  shortNames: ['edge'],
  description:
    'CryptoEdge enrolls a Crypto Edge of this workspace with CMK: the controller puts its client certificate (tenant in the SAN) in a Secret; deleting it revokes the edge.',
  spec: CryptoEdgeSpec,
  status: CryptoEdgeStatus,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Connected', type: 'boolean', jsonPath: '.status.connected' },
    { name: 'Last Seen', type: 'date', jsonPath: '.status.lastSeen' },
    // kubectl prints a date column as an age, which says nothing of a time still to come.
    { name: 'Certificate Expires', type: 'string', jsonPath: '.status.certificateNotAfter' },
    { name: 'Secret', type: 'string', jsonPath: '.status.secretName', priority: 1 },
    READY_COLUMN,
    AGE_COLUMN,
  ],
} satisfies KindDefinition;

export type CryptoEdgeSpec = Static<typeof CryptoEdgeSpec>;
export type CryptoEdgeStatus = Static<typeof CryptoEdgeStatus>;
