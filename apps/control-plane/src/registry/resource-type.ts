import type { JsonSchema } from '@openkcm/schema';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** Who may do what with a resource, on top of the caller's workspace role. */
export type AccessPolicy =
  /** Viewers read, Admins write: the default for workspace content. */
  | 'workspace'
  /** Only Admins read or write (Secrets, as Kubernetes' `view` role leaves them out). */
  | 'workspace-admin'
  /** Any authenticated caller reads; only the product's own services write (CRDs). */
  | 'system';

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** `status` is a subresource: the main resource ignores status changes and vice versa. */
  hasStatus: boolean;
  /** Validates and defaults the object (CRDs); built-ins without one accept any fields. */
  schema: JsonSchema | undefined;
  printerColumns: PrinterColumn[];
  access: AccessPolicy;
  /** Stored once for the whole control plane rather than per workspace (CRDs, as in Kubernetes). */
  global: boolean;
  /** Custom resources must name the resourceVersion they update; some built-ins may not. */
  allowUnconditionalUpdate: boolean;
}

export function storageResource(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group || 'core'}/${type.plural}`;
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};
