import { AGE_COLUMN, type ResourceType } from './resource-type.js';

type BuiltinInput = Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'> &
  Partial<Omit<ResourceType, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>>;

function builtin(input: BuiltinInput): ResourceType {
  return {
    listKind: `${input.kind}List`,
    singular: input.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    hasStatus: false,
    schema: undefined,
    printerColumns: [AGE_COLUMN],
    access: 'workspace',
    global: false,
    allowUnconditionalUpdate: true,
    ...input,
  };
}

export const CRD_TYPE = builtin({
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  hasStatus: true,
  access: 'system',
  global: true,
  printerColumns: [
    { name: 'Created At', type: 'date', jsonPath: '.metadata.creationTimestamp', format: 'date-time' },
  ],
});

export const NAMESPACE_TYPE = builtin({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  hasStatus: true,
  printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }, AGE_COLUMN],
});

export const WORKSPACE_TYPE = builtin({
  group: 'tenancy.kcp.io',
  version: 'v1alpha1',
  kind: 'Workspace',
  plural: 'workspaces',
  namespaced: false,
  shortNames: ['ws'],
  hasStatus: true,
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type.name' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'URL', type: 'string', jsonPath: '.spec.URL' },
    AGE_COLUMN,
  ],
});

export const API_BINDING_TYPE = builtin({
  group: 'apis.kcp.io',
  version: 'v1alpha1',
  kind: 'APIBinding',
  plural: 'apibindings',
  namespaced: false,
  hasStatus: true,
  printerColumns: [
    { name: 'Export', type: 'string', jsonPath: '.spec.reference.export.name' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    AGE_COLUMN,
  ],
});

export const API_EXPORT_TYPE = builtin({
  group: 'apis.kcp.io',
  version: 'v1alpha1',
  kind: 'APIExport',
  plural: 'apiexports',
  namespaced: false,
  hasStatus: true,
});

export const API_EXPORT_ENDPOINT_SLICE_TYPE = builtin({
  group: 'apis.kcp.io',
  version: 'v1alpha1',
  kind: 'APIExportEndpointSlice',
  plural: 'apiexportendpointslices',
  namespaced: false,
  hasStatus: true,
  printerColumns: [
    { name: 'Export', type: 'string', jsonPath: '.spec.export.name' },
    { name: 'URL', type: 'string', jsonPath: '.status.endpoints[0].url' },
    AGE_COLUMN,
  ],
});

/**
 * kcp's shards, in the root workspace: where the platform runs, each labelled with its region
 * (`region: eu-central-1`), as kcp's Partitions select them. Read by anyone, written by operators.
 */
export const SHARD_TYPE = builtin({
  group: 'core.kcp.io',
  version: 'v1alpha1',
  kind: 'Shard',
  plural: 'shards',
  namespaced: false,
  access: 'system',
  printerColumns: [
    { name: 'Region', type: 'string', jsonPath: '.metadata.labels.region' },
    { name: 'URL', type: 'string', jsonPath: '.spec.baseURL' },
    AGE_COLUMN,
  ],
});

export const BUILTIN_TYPES: ResourceType[] = [
  NAMESPACE_TYPE,
  builtin({
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    access: 'workspace-admin',
    printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, AGE_COLUMN],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    namespaced: true,
    shortNames: ['cm'],
  }),
  builtin({
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.type' },
      { name: 'Reason', type: 'string', jsonPath: '.reason' },
      { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' },
      { name: 'Message', type: 'string', jsonPath: '.message' },
      AGE_COLUMN,
    ],
  }),
  builtin({
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
    printerColumns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }, AGE_COLUMN],
  }),
  CRD_TYPE,
  WORKSPACE_TYPE,
  API_BINDING_TYPE,
  API_EXPORT_TYPE,
  API_EXPORT_ENDPOINT_SLICE_TYPE,
  SHARD_TYPE,
];
