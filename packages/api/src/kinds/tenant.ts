import { type Static, Type } from '@sinclair/typebox';
import { Conditions, ObservedGeneration } from '../common.js';
import { REGION, StringEnum, Timestamp } from '../schema-helpers.js';
import { AGE_COLUMN, type KindDefinition, READY_COLUMN } from './kind-definition.js';

export const TENANT_PHASES = ['Provisioning', 'Active', 'Suspended', 'Offboarding'] as const;

/** FR-101: a workspace's Tenant is named after it, e.g. tenant-root-orgs-acme. */
export function tenantName(workspace: string): string {
  return `tenant-${workspace.replaceAll(':', '-')}`;
}

export const TenantSpec = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 256, description: 'Name shown in the console.' })),
    region: Type.Optional(
      Type.String({
        pattern: REGION,
        maxLength: 64,
        description:
          "Region the tenant key material is kept in, e.g. eu-central-1: one of the platform's regions.",
      }),
    ),
    audiences: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        maxItems: 16,
        'x-kubernetes-list-type': 'set',
        description:
          "OIDC clients of the organisation whose tokens CMK accepts for this tenant (a token's aud or azp); none: any.",
      }),
    ),
  },
  { description: 'The tenant of a workspace where OpenKCM is enabled.' },
);

export const TenantStatus = Type.Object({
  phase: Type.Optional(
    StringEnum(TENANT_PHASES, {
      description:
        'Provisioning (grey), Active (green), Suspended (red), Offboarding (deleted: keys wait out the deletion period, then the tenant is purged).',
    }),
  ),
  purgeAfter: Type.Optional(
    Timestamp('While offboarding: when CMK destroys the keys and purges the tenant.'),
  ),
  workspace: Type.Optional(
    Type.String({ maxLength: 1024, description: 'The workspace path, e.g. root:orgs:acme.' }),
  ),
  cmkTenantID: Type.Optional(Type.String({ maxLength: 256, description: 'The tenant ID in CMK.' })),
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions),
});

export const tenantKind = {
  kind: 'Tenant',
  plural: 'tenants',
  singular: 'tenant',
  shortNames: ['kct'],
  description:
    'Tenant is the OpenKCM tenancy container of a workspace, created when OpenKCM is enabled there.',
  spec: TenantSpec,
  status: TenantStatus,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Region', type: 'string', jsonPath: '.spec.region' },
    { name: 'CMK Tenant', type: 'string', jsonPath: '.status.cmkTenantID', priority: 1 },
    READY_COLUMN,
    AGE_COLUMN,
  ],
} satisfies KindDefinition;

export type TenantSpec = Static<typeof TenantSpec>;
export type TenantStatus = Static<typeof TenantStatus>;
