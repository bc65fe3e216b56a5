import { isRecord, type KubeObject } from '../kube-object.js';
import { API_BINDING_TYPE, API_EXPORT_TYPE } from '../registry/builtin-types.js';
import { type ResourceType, storageResource } from '../registry/resource-type.js';
import type { ObjectStore, StoreEvent } from '../storage/object-store.js';

/** Where kcp serves an APIExport's virtual workspace: `<base>/services/apiexport/<cluster>/<export>`. */
export const VIRTUAL_WORKSPACE_PREFIX = '/services/apiexport/';

export interface ExportRef {
  cluster: string;
  name: string;
}

export function virtualWorkspaceUrl(baseUrl: string, ref: ExportRef): string {
  return `${baseUrl}${VIRTUAL_WORKSPACE_PREFIX}${ref.cluster}/${ref.name}`;
}

/** Splits `/services/apiexport/<cluster>/<export>/<rest>`; undefined for any other path. */
export function parseVirtualWorkspacePath(pathname: string): { ref: ExportRef; rest: string } | undefined {
  if (!pathname.startsWith(VIRTUAL_WORKSPACE_PREFIX)) return undefined;
  const [cluster, name, ...rest] = pathname.slice(VIRTUAL_WORKSPACE_PREFIX.length).split('/');
  if (!cluster || !name) return undefined;
  return { ref: { cluster, name }, rest: `/${rest.join('/')}` };
}

interface Claim {
  group: string;
  resource: string;
}

const sameClaim = (a: Claim, b: Claim) => a.group === b.group && a.resource === b.resource;

function claimsOf(value: unknown): Array<Claim & { state?: unknown; all?: unknown }> {
  return Array.isArray(value)
    ? value
        .filter(isRecord)
        .map((claim) => ({
          group: typeof claim.group === 'string' ? claim.group : '',
          resource: typeof claim.resource === 'string' ? claim.resource : '',
          state: claim.state,
          all: claim.all,
        }))
        .filter((claim) => claim.resource.length > 0)
    : [];
}

/** `v1alpha1.tenants.keychain.openkcm.io` → the resource and group an APIResourceSchema defines. */
function schemaResource(schemaName: string): Claim | undefined {
  const [, resource, ...group] = schemaName.split('.');
  return resource && group.length > 0 ? { resource, group: group.join('.') } : undefined;
}

/** What an APIBinding's spec.reference.export names; a binding without a path binds in its own workspace. */
export function boundExport(binding: KubeObject, bindingCluster: string): ExportRef | undefined {
  const reference = isRecord(binding.spec) && isRecord(binding.spec.reference) ? binding.spec.reference : {};
  const exported = isRecord(reference.export) ? reference.export : {};
  if (typeof exported.name !== 'string') return undefined;
  return { cluster: typeof exported.path === 'string' ? exported.path : bindingCluster, name: exported.name };
}

/**
 * The view an APIExport's provider has, as kcp's APIExport virtual workspace gives it: only the
 * workspaces whose APIBinding to the export is Bound, and in them only the exported resources,
 * the resources of permission claims that binding accepted, and the bindings themselves (read-only).
 */
export class ApiExportView {
  readonly exported: KubeObject;
  private readonly resources: Claim[];
  private readonly claims: Claim[];

  constructor(
    private readonly store: ObjectStore,
    readonly ref: ExportRef,
  ) {
    const exported = store.get({
      cluster: ref.cluster,
      resource: storageResource(API_EXPORT_TYPE),
      namespace: '',
      name: ref.name,
    });
    if (!exported) throw new Error(`APIExport ${ref.cluster}:${ref.name} does not exist`);
    this.exported = exported;
    const spec = isRecord(exported.spec) ? exported.spec : {};
    const schemas = Array.isArray(spec.latestResourceSchemas) ? spec.latestResourceSchemas : [];
    this.resources = schemas.flatMap((name) => {
      const resource = typeof name === 'string' ? schemaResource(name) : undefined;
      return resource ? [resource] : [];
    });
    this.claims = claimsOf(spec.permissionClaims);
  }

  /** Whether the binding is to this export and Bound. */
  binds(binding: KubeObject | undefined, cluster: string): boolean {
    if (!binding || binding.metadata.deletionTimestamp) return false;
    const ref = boundExport(binding, cluster);
    const status = isRecord(binding.status) ? binding.status : {};
    return ref?.cluster === this.ref.cluster && ref.name === this.ref.name && status.phase === 'Bound';
  }

  /** Each bound workspace with the claims its binding accepted. */
  boundClusters(): Map<string, Claim[]> {
    const bound = new Map<string, Claim[]>();
    for (const { key, object } of this.store.list('*', storageResource(API_BINDING_TYPE))) {
      if (!this.binds(object, key.cluster)) continue;
      const accepted = claimsOf(isRecord(object.spec) ? object.spec.permissionClaims : undefined).filter(
        (claim) => claim.state === 'Accepted' && this.claims.some((offered) => sameClaim(offered, claim)),
      );
      bound.set(key.cluster, [...(bound.get(key.cluster) ?? []), ...accepted]);
    }
    return bound;
  }

  /** Whether the type is served at all in this view (before asking which workspaces). */
  serves(type: ResourceType): boolean {
    const resource = { group: type.group, resource: type.plural };
    return (
      this.isBindings(type) ||
      this.resources.some((item) => sameClaim(item, resource)) ||
      this.claims.some((item) => sameClaim(item, resource))
    );
  }

  isBindings(type: ResourceType): boolean {
    return type.group === API_BINDING_TYPE.group && type.plural === API_BINDING_TYPE.plural;
  }

  /** The workspaces in which the type is visible, given the current bindings. */
  visibleClusters(type: ResourceType): Set<string> {
    const resource = { group: type.group, resource: type.plural };
    const exported = this.isBindings(type) || this.resources.some((item) => sameClaim(item, resource));
    const visible = new Set<string>();
    for (const [cluster, accepted] of this.boundClusters()) {
      if (exported || accepted.some((claim) => sameClaim(claim, resource))) visible.add(cluster);
    }
    return visible;
  }

  /** Whether a store event changes which workspaces this view contains (a binding of this export). */
  affectsBindings(event: StoreEvent): boolean {
    if (event.key.resource !== storageResource(API_BINDING_TYPE)) return false;
    const mine = (object: KubeObject | undefined) => {
      const ref = object ? boundExport(object, event.key.cluster) : undefined;
      return ref?.cluster === this.ref.cluster && ref.name === this.ref.name;
    };
    return mine(event.object) || mine(event.previous);
  }

  /** Only this export's bindings are visible in the view, as in kcp. */
  bindingVisible(binding: KubeObject, cluster: string): boolean {
    const ref = boundExport(binding, cluster);
    return ref?.cluster === this.ref.cluster && ref.name === this.ref.name;
  }
}
