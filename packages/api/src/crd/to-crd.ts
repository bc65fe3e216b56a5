import type { JsonSchema } from '@openkcm/schema';
import { GROUP, VERSION } from '../group.js';
import type { KindDefinition } from '../kinds/kind-definition.js';

/** What a stored CRD looks like without TypeBox's symbol-keyed annotations. */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** The whole object's schema, as the API server validates it. */
export function objectSchema(definition: KindDefinition): JsonSchema {
  return {
    type: 'object',
    description: definition.description,
    required: ['spec'],
    properties: {
      apiVersion: {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      },
      kind: {
        type: 'string',
        description: 'Kind is a string value representing the REST resource this object represents.',
      },
      metadata: { type: 'object' },
      spec: plain(definition.spec),
      status: plain(definition.status),
    },
  };
}

export function toCustomResourceDefinition(definition: KindDefinition) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${definition.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'openkcm' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: definition.kind,
        listKind: `${definition.kind}List`,
        plural: definition.plural,
        singular: definition.singular,
        shortNames: definition.shortNames,
        categories: ['openkcm'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: definition.printerColumns,
          schema: { openAPIV3Schema: objectSchema(definition) },
        },
      ],
    },
  };
}
