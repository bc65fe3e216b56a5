import { randomBytes, randomUUID } from 'node:crypto';
import { structuralProblems } from '@openkcm/schema';
import { statusErrors } from '../http/status-error.js';
import { isRecord, type KubeObject, nowTimestamp } from '../kube-object.js';
import {
  API_BINDING_TYPE,
  API_EXPORT_ENDPOINT_SLICE_TYPE,
  API_EXPORT_TYPE,
  CRD_TYPE,
  NAMESPACE_TYPE,
  WORKSPACE_TYPE,
} from '../registry/builtin-types.js';
import { storageResource } from '../registry/resource-type.js';
import type { TypeRegistry } from '../registry/type-registry.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { LifecycleHooks, ResourceService, Scope } from './resource-service.js';
import { boundExport, virtualWorkspaceUrl } from './virtual-workspace.js';

function is(scope: Scope, type: { group: string; plural: string }): boolean {
  return scope.type.group === type.group && scope.type.plural === type.plural;
}

function readyCondition(type: string, reason: string, message: string) {
  return { type, status: 'True', reason, message, lastTransitionTime: nowTimestamp() };
}

export function childWorkspacePath(parent: string, name: string): string {
  return `${parent}:${name}`;
}

/**
 * What the built-in kinds do beyond storage: a Workspace brings a logical cluster with a
 * `default` namespace, a Namespace takes its contents with it, a CRD starts or stops serving
 * its kind, an APIBinding reports itself bound.
 */
export class BuiltinLifecycle implements LifecycleHooks {
  private service: ResourceService | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: TypeRegistry,
    private readonly baseUrl: () => string,
  ) {}

  attach(service: ResourceService): void {
    this.service = service;
  }

  /** A workspace exists when its parent holds a Workspace object for it; `root` always does. */
  workspaceExists(path: string): boolean {
    if (path === 'root') return true;
    const separator = path.lastIndexOf(':');
    if (separator < 0) return false;
    const parent = path.slice(0, separator);
    const name = path.slice(separator + 1);
    const workspace = this.store.get({
      cluster: parent,
      resource: storageResource(WORKSPACE_TYPE),
      namespace: '',
      name,
    });
    return workspace !== undefined && !workspace.metadata.deletionTimestamp;
  }

  loadStoredCrds(): void {
    for (const { object } of this.store.list('*', storageResource(CRD_TYPE))) {
      this.registry.setCrd(object.metadata.name ?? '', object);
    }
  }

  prepareCreate(scope: Scope, object: KubeObject): void {
    if (is(scope, WORKSPACE_TYPE)) this.prepareWorkspace(scope, object);
    else if (is(scope, NAMESPACE_TYPE)) object.status = { phase: 'Active' };
    else if (is(scope, API_BINDING_TYPE)) this.prepareBinding(scope, object);
    else if (is(scope, API_EXPORT_ENDPOINT_SLICE_TYPE)) this.prepareEndpointSlice(scope, object);
    else if (is(scope, CRD_TYPE)) this.prepareCrd(object);
  }

  private prepareWorkspace(scope: Scope, object: KubeObject): void {
    const path = childWorkspacePath(scope.cluster, object.metadata.name ?? '');
    const spec = isRecord(object.spec) ? object.spec : {};
    object.spec = {
      ...spec,
      type: isRecord(spec.type) ? spec.type : { name: 'universal', path: 'root' },
      cluster: randomBytes(8).toString('hex'),
      URL: `${this.baseUrl()}/clusters/${path}`,
    };
    object.metadata.annotations = { ...object.metadata.annotations, 'kcp.io/path': path };
    object.status = {
      phase: 'Ready',
      conditions: [readyCondition('WorkspaceInitialized', 'Initialized', 'the logical cluster is ready')],
    };
  }

  /**
   * An APIBinding is Bound when the APIExport it names exists (kcp's APIExportValid); its status
   * lists the claims the export makes, and only those its spec accepts reach the provider.
   */
  private prepareBinding(scope: Scope, object: KubeObject): void {
    const spec = isRecord(object.spec) ? object.spec : {};
    const reference = isRecord(spec.reference) ? spec.reference : {};
    const exported = isRecord(reference.export) ? reference.export : {};
    if (typeof exported.name !== 'string' || exported.name.length === 0) {
      throw statusErrors.invalid('APIBinding', 'apis.kcp.io', object.metadata.name ?? '', [
        {
          reason: 'FieldValueRequired',
          field: 'spec.reference.export.name',
          message: 'Required value: name the APIExport to bind',
        },
      ]);
    }
    const ref = boundExport(object, scope.cluster);
    const apiExport = ref
      ? this.store.get({
          cluster: ref.cluster,
          resource: storageResource(API_EXPORT_TYPE),
          namespace: '',
          name: ref.name,
        })
      : undefined;
    if (!ref || !apiExport) {
      object.status = {
        phase: 'Binding',
        conditions: [
          {
            ...readyCondition(
              'APIExportValid',
              'APIExportNotFound',
              `APIExport ${ref?.cluster}:${exported.name} does not exist; check spec.reference.export.path and name`,
            ),
            status: 'False',
          },
        ],
      };
      return;
    }
    const exportSpec = isRecord(apiExport.spec) ? apiExport.spec : {};
    object.status = {
      phase: 'Bound',
      apiExportClusterName: ref.cluster,
      exportPermissionClaims: Array.isArray(exportSpec.permissionClaims) ? exportSpec.permissionClaims : [],
      conditions: [
        readyCondition('APIExportValid', 'Valid', `APIExport ${ref.cluster}:${ref.name} exists`),
        readyCondition('Ready', 'Bound', `bound to APIExport ${ref.name}`),
      ],
    };
  }

  /** kcp's endpoint-slice controller: one endpoint, the export's virtual workspace on this server. */
  private prepareEndpointSlice(scope: Scope, object: KubeObject): void {
    const spec = isRecord(object.spec) ? object.spec : {};
    const exported = isRecord(spec.export) ? spec.export : {};
    if (typeof exported.name !== 'string' || exported.name.length === 0) {
      throw statusErrors.invalid('APIExportEndpointSlice', 'apis.kcp.io', object.metadata.name ?? '', [
        {
          reason: 'FieldValueRequired',
          field: 'spec.export.name',
          message: 'Required value: name the APIExport',
        },
      ]);
    }
    const cluster = typeof exported.path === 'string' ? exported.path : scope.cluster;
    object.status = {
      endpoints: [{ url: virtualWorkspaceUrl(this.baseUrl(), { cluster, name: exported.name }) }],
    };
  }

  private prepareCrd(object: KubeObject): void {
    const name = object.metadata.name ?? '';
    const spec = isRecord(object.spec) ? object.spec : {};
    const names = isRecord(spec.names) ? spec.names : {};
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
    const causes: Array<{ reason: string; field: string; message: string }> = [];
    const require = (value: unknown, field: string) => {
      if (typeof value !== 'string' || value.length === 0)
        causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
    };
    require(spec.group, 'spec.group');
    require(names.plural, 'spec.names.plural');
    require(names.kind, 'spec.names.kind');
    if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
      causes.push({
        reason: 'FieldValueNotSupported',
        field: 'spec.scope',
        message: `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
      });
    }
    if (name !== `${String(names.plural)}.${String(spec.group)}`) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
      });
    }
    if (versions.length === 0)
      causes.push({
        reason: 'FieldValueRequired',
        field: 'spec.versions',
        message: 'Required value: must have exactly one version marked as storage version',
      });
    if (versions.filter((version) => version.storage === true).length !== 1) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.versions',
        message: 'Invalid value: must have exactly one version marked as storage version',
      });
    }
    versions.forEach((version, index) => {
      const schema = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
      if (!isRecord(schema)) {
        causes.push({
          reason: 'FieldValueRequired',
          field: `spec.versions[${index}].schema.openAPIV3Schema`,
          message: 'Required value: schemas are required',
        });
        return;
      }
      for (const problem of structuralProblems(schema)) {
        causes.push({
          reason: 'FieldValueForbidden',
          field: `spec.versions[${index}].schema.openAPIV3Schema`,
          message: problem,
        });
      }
    });
    if (
      typeof spec.group === 'string' &&
      typeof names.plural === 'string' &&
      this.registry.conflictsWith(name, spec.group, names.plural)
    ) {
      causes.push({
        reason: 'FieldValueDuplicate',
        field: 'spec.names.plural',
        message: `Duplicate value: "${names.plural}" is already served in group ${spec.group}`,
      });
    }
    if (causes.length > 0)
      throw statusErrors.invalid('CustomResourceDefinition', 'apiextensions.k8s.io', name, causes);
    object.status = {
      conditions: [
        readyCondition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        readyCondition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
      acceptedNames: names,
      storedVersions: versions.filter((version) => version.storage === true).map((version) => version.name),
    };
  }

  async afterChange(
    scope: Scope,
    before: KubeObject | undefined,
    after: KubeObject | undefined,
  ): Promise<void> {
    if (is(scope, CRD_TYPE)) {
      const name = (after ?? before)?.metadata.name ?? '';
      this.registry.setCrd(name, after);
      if (!after && before) await this.removeCustomResources(before);
    } else if (is(scope, WORKSPACE_TYPE) && after && !before) {
      await this.createDefaultNamespace(childWorkspacePath(scope.cluster, after.metadata.name ?? ''));
    } else if (!after && scope.type.namespaced && scope.namespace) {
      await this.finishNamespaceIfEmpty(scope.cluster, scope.namespace);
    }
  }

  async cascade(scope: Scope, object: KubeObject): Promise<void> {
    if (is(scope, NAMESPACE_TYPE)) await this.emptyNamespace(scope, object.metadata.name ?? '');
    else if (is(scope, WORKSPACE_TYPE))
      await this.removeWorkspaceContents(childWorkspacePath(scope.cluster, object.metadata.name ?? ''));
  }

  /** Every workspace has a `default` namespace, as in kcp. */
  async createDefaultNamespace(cluster: string): Promise<void> {
    const key = { cluster, resource: storageResource(NAMESPACE_TYPE), namespace: '', name: 'default' };
    if (this.store.get(key)) return;
    await this.store.commit(key, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'default', uid: randomUUID(), creationTimestamp: nowTimestamp(), generation: 1 },
      status: { phase: 'Active' },
    });
  }

  private async emptyNamespace(scope: Scope, namespace: string): Promise<void> {
    const service = this.service;
    if (!service) return;
    for (const type of this.registry.all().filter((candidate) => candidate.namespaced)) {
      const contentScope: Scope = { cluster: scope.cluster, type, namespace };
      for (const { key } of this.store.list(scope.cluster, storageResource(type), namespace)) {
        await service.delete(contentScope, key.name, {}, false).catch(() => undefined);
      }
    }
    await this.finishNamespaceIfEmpty(scope.cluster, namespace);
  }

  private async finishNamespaceIfEmpty(cluster: string, namespace: string): Promise<void> {
    const key = { cluster, resource: storageResource(NAMESPACE_TYPE), namespace: '', name: namespace };
    const stored = this.store.get(key);
    if (!stored?.metadata.deletionTimestamp) return;
    const hasContent = this.registry
      .all()
      .some(
        (type) => type.namespaced && this.store.list(cluster, storageResource(type), namespace).length > 0,
      );
    if (!hasContent) await this.store.commit(key, undefined);
  }

  private async removeWorkspaceContents(path: string): Promise<void> {
    const clusters = new Set<string>();
    for (const { key } of this.store.list('*', storageResource(NAMESPACE_TYPE))) {
      if (key.cluster === path || key.cluster.startsWith(`${path}:`)) clusters.add(key.cluster);
    }
    clusters.add(path);
    for (const cluster of clusters) {
      for (const key of this.store.keysInCluster(cluster)) await this.store.commit(key, undefined);
    }
  }

  private async removeCustomResources(crd: KubeObject): Promise<void> {
    const spec = isRecord(crd.spec) ? crd.spec : {};
    const names = isRecord(spec.names) ? spec.names : {};
    const resource = storageResource({ group: String(spec.group ?? ''), plural: String(names.plural ?? '') });
    for (const { key } of this.store.list('*', resource)) await this.store.commit(key, undefined);
  }
}
