import { randomUUID } from 'node:crypto';
import { type ValidationCause, validate } from '@openkcm/schema';
import { StatusError, statusErrors } from '../http/status-error.js';
import { deepEqual, isRecord, type KubeObject, nowTimestamp, specPart } from '../kube-object.js';
import { apiVersionOf, type ResourceType, storageResource } from '../registry/resource-type.js';
import type { ObjectKey, ObjectStore } from '../storage/object-store.js';
import type { FieldSelector } from './field-selector.js';
import type { LabelSelector } from './label-selector.js';
import { finalizersOf, keepSystemMetadata, type NameRule, validateMetadata } from './object-meta.js';
import { jsonPatch, mergePatch, type PatchKind, strategicMergePatch } from './patch.js';
import { type RequesterAnnotations, stampRequester } from './requester-annotations.js';

/** Where a request operates: a workspace (logical cluster) and a resource type in it. */
export interface Scope {
  cluster: string;
  type: ResourceType;
  namespace: string | undefined;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Who asks, for the requester annotations. */
  requester: string;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
}

export interface ListOptions {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  limit: number | undefined;
  continueToken: string | undefined;
  /** Which objects the caller's view contains (an APIExport virtual workspace); all when absent. */
  visible?: (cluster: string, object: KubeObject) => boolean;
}

/** Behaviour particular to some kinds (workspaces, namespaces, CRDs), plugged into the generic flow. */
export interface LifecycleHooks {
  /** Fills in what the server owns on create, or refuses the create. */
  prepareCreate(scope: Scope, object: KubeObject): void;
  /** Runs after a change is durable, e.g. to create a workspace's default namespace. */
  afterChange(scope: Scope, before: KubeObject | undefined, after: KubeObject | undefined): Promise<void>;
  /** Objects that go with this one when it is deleted (namespace contents, a workspace's objects). */
  cascade(scope: Scope, object: KubeObject): Promise<void>;
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SERVER_CLUSTER = '@cluster';
export const CLUSTER_ANNOTATION = 'kcp.io/cluster';

function generatedSuffix(): string {
  let suffix = '';
  for (let index = 0; index < 5; index++) {
    suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  }
  return suffix;
}

/** A Secret's stringData is write-only: the API server merges it into data, base64-encoded, as Kubernetes does. */
function foldStringData(secret: KubeObject): KubeObject {
  const { stringData, ...rest } = secret as KubeObject & { stringData?: unknown; data?: unknown };
  if (!isRecord(stringData)) return secret;
  const data = isRecord(rest.data) ? { ...rest.data } : {};
  for (const [key, value] of Object.entries(stringData))
    if (typeof value === 'string') data[key] = Buffer.from(value, 'utf8').toString('base64');
  return { ...rest, data } as KubeObject;
}

function encodeContinue(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isRecord(parsed) && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw statusErrors.badRequest('the continue token is not valid; start the list again without it');
}

function causeToStatus(cause: ValidationCause): { reason: string; field: string; message: string } {
  return { reason: cause.reason, field: cause.field, message: cause.message };
}

/** The generic API machinery: every verb on every kind, with Kubernetes' semantics. */
export class ResourceService {
  constructor(
    private readonly store: ObjectStore,
    private readonly hooks: LifecycleHooks,
    private readonly requesterAnnotations: RequesterAnnotations = new Map(),
  ) {}

  keyOf(scope: Scope, name: string): ObjectKey {
    return {
      cluster: scope.type.global ? SERVER_CLUSTER : scope.cluster,
      resource: storageResource(scope.type),
      namespace: scope.type.namespaced ? (scope.namespace ?? '') : '',
      name,
    };
  }

  /** How a resource's objects are stored: used by watches to pick their events. */
  storageCluster(scope: Scope): string {
    return scope.type.global ? SERVER_CLUSTER : scope.cluster;
  }

  private present(scope: Scope, object: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(scope.type);
    if (object.apiVersion === apiVersion && object.kind === scope.type.kind) return object;
    return { ...object, apiVersion, kind: scope.type.kind };
  }

  private nameRule(scope: Scope): NameRule {
    const { group, plural } = scope.type;
    return group === '' && plural === 'namespaces'
      ? 'label'
      : group === 'tenancy.kcp.io'
        ? 'label'
        : 'subdomain';
  }

  get(scope: Scope, name: string): KubeObject {
    const object = this.store.get(this.keyOf(scope, name));
    if (!object) throw statusErrors.notFound(scope.type, name);
    return this.present(scope, object);
  }

  find(scope: Scope, name: string): KubeObject | undefined {
    const object = this.store.get(this.keyOf(scope, name));
    return object && this.present(scope, object);
  }

  list(
    scope: Scope,
    options: ListOptions,
  ): { items: KubeObject[]; resourceVersion: string; continueToken?: string } {
    const resourceVersion = String(this.store.resourceVersion);
    const cluster = scope.type.global ? SERVER_CLUSTER : scope.cluster;
    const namespace = scope.type.namespaced ? scope.namespace : undefined;
    const after = options.continueToken ? decodeContinue(options.continueToken) : undefined;
    const items: KubeObject[] = [];
    let continueToken: string | undefined;
    let lastPosition: string | undefined;
    for (const { key, object } of this.store.list(cluster, storageResource(scope.type), namespace)) {
      // Same order as the store's listing, so a continue token resumes exactly after the last item.
      const position = [key.cluster, key.namespace, key.name].join('\u0000');
      if (after !== undefined && position <= after) continue;
      if (!options.labelSelector(object.metadata.labels) || !options.fieldSelector(object)) continue;
      if (options.visible && !options.visible(key.cluster, object)) continue;
      if (options.limit !== undefined && items.length >= options.limit && lastPosition !== undefined) {
        continueToken = encodeContinue(lastPosition);
        break;
      }
      items.push(this.present(scope, object));
      lastPosition = position;
    }
    return { items, resourceVersion, ...(continueToken ? { continueToken } : {}) };
  }

  /** Validates against the type's schema (defaulting and pruning), leaving metadata to its own rules. */
  private conform(scope: Scope, written: KubeObject, fieldValidation: FieldValidation): WriteResult {
    const object =
      scope.type.group === '' && scope.type.kind === 'Secret' ? foldStringData(written) : written;
    const metadataCauses = validateMetadata(object.metadata, this.nameRule(scope));
    const name = object.metadata.name ?? object.metadata.generateName ?? '';
    if (!scope.type.schema) {
      if (metadataCauses.length > 0)
        throw statusErrors.invalid(scope.type.kind, scope.type.group, name, metadataCauses);
      return { object, warnings: [] };
    }
    const { metadata, ...body } = object;
    const result = validate(scope.type.schema, body, {
      applyDefaults: true,
      unknownFields: fieldValidation === 'Strict' ? 'reject' : 'prune',
    });
    const unknown = result.causes.filter((cause) => cause.reason === 'FieldValueUnknown');
    if (unknown.length > 0 && fieldValidation === 'Strict') {
      throw statusErrors.badRequest(
        `strict decoding error: ${unknown.map((cause) => cause.message).join(', ')}`,
      );
    }
    const causes = [
      ...metadataCauses,
      ...result.causes.filter((cause) => cause.reason !== 'FieldValueUnknown').map(causeToStatus),
    ];
    if (causes.length > 0) throw statusErrors.invalid(scope.type.kind, scope.type.group, name, causes);
    const warnings =
      fieldValidation === 'Warn' ? result.unknownFields.map((field) => `unknown field "${field}"`) : [];
    return { object: { ...(result.value as Record<string, unknown>), metadata } as KubeObject, warnings };
  }

  private checkIdentity(scope: Scope, body: unknown, name: string | undefined): KubeObject {
    if (!isRecord(body)) throw statusErrors.badRequest('the request body must be a JSON or YAML object');
    const metadata = body.metadata ?? {};
    if (!isRecord(metadata)) throw statusErrors.badRequest('metadata must be an object');
    const apiVersion = apiVersionOf(scope.type);
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw statusErrors.badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (body.kind !== undefined && body.kind !== scope.type.kind) {
      throw statusErrors.badRequest(
        `the kind in the data (${String(body.kind)}) does not match the expected kind (${scope.type.kind})`,
      );
    }
    // An empty namespace means "the request's", as the apiserver reads it (protobuf cannot tell it from unset).
    if (
      scope.type.namespaced &&
      metadata.namespace !== undefined &&
      metadata.namespace !== '' &&
      metadata.namespace !== scope.namespace
    ) {
      throw statusErrors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (name !== undefined && metadata.name !== undefined && metadata.name !== name) {
      throw statusErrors.badRequest(
        `the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    const copy = structuredClone(body) as KubeObject;
    copy.apiVersion = apiVersion;
    copy.kind = scope.type.kind;
    copy.metadata = { ...(copy.metadata ?? {}) };
    if (scope.type.namespaced) copy.metadata.namespace = scope.namespace;
    else delete copy.metadata.namespace;
    if (name !== undefined) copy.metadata.name = name;
    return copy;
  }

  private requireNamespace(scope: Scope): void {
    if (!scope.type.namespaced) return;
    if (!scope.namespace)
      throw statusErrors.badRequest(`${scope.type.plural} are namespaced: the request needs a namespace`);
    const key = { cluster: scope.cluster, resource: 'core/namespaces', namespace: '', name: scope.namespace };
    const namespace = this.store.get(key);
    if (!namespace)
      throw statusErrors.notFound({ group: '', plural: 'namespaces', kind: 'Namespace' }, scope.namespace);
    if (namespace.metadata.deletionTimestamp) {
      throw new StatusError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${scope.namespace} because it is being terminated`,
      );
    }
  }

  async create(scope: Scope, body: unknown, options: WriteOptions): Promise<WriteResult> {
    const object = this.checkIdentity(scope, body, undefined);
    const metadata = object.metadata;
    if (!metadata.name) {
      if (!metadata.generateName) {
        throw statusErrors.invalid(scope.type.kind, scope.type.group, '', [
          {
            reason: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ]);
      }
      metadata.name = `${metadata.generateName}${generatedSuffix()}`;
    }
    this.requireNamespace(scope);
    for (const field of [
      'uid',
      'resourceVersion',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'managedFields',
    ] as const) {
      delete metadata[field];
    }
    metadata.uid = randomUUID();
    metadata.creationTimestamp = nowTimestamp();
    metadata.generation = 1;
    // As kcp does, every object says which logical cluster it lives in: wildcard lists need it.
    if (!scope.type.global)
      metadata.annotations = { ...metadata.annotations, [CLUSTER_ANNOTATION]: scope.cluster };
    if (scope.type.hasStatus) delete object.status;
    stampRequester(this.requesterAnnotations, undefined, metadata, options.requester);
    const conformed = this.conform(scope, object, options.fieldValidation);
    this.hooks.prepareCreate(scope, conformed.object);
    const key = this.keyOf(scope, metadata.name);
    if (this.store.get(key)) throw statusErrors.alreadyExists(scope.type, metadata.name);
    if (options.dryRun) return conformed;
    const stored = await this.store.commit(key, conformed.object);
    await this.hooks.afterChange(scope, undefined, stored);
    return { object: this.present(scope, stored), warnings: conformed.warnings };
  }

  /**
   * The one path every modification takes (PUT, PATCH, status writes, finalizer removal):
   * optimistic concurrency, status subresource split, generation, finalizer rules, no-op detection.
   */
  async replace(
    scope: Scope,
    name: string,
    incoming: KubeObject,
    options: WriteOptions & { subresource: 'status' | undefined; requireResourceVersion: boolean },
  ): Promise<WriteResult> {
    const key = this.keyOf(scope, name);
    const existing = this.store.get(key);
    if (!existing) throw statusErrors.notFound(scope.type, name);
    const wantedVersion = incoming.metadata.resourceVersion;
    if (wantedVersion === undefined || wantedVersion === '') {
      if (options.requireResourceVersion && !scope.type.allowUnconditionalUpdate) {
        throw statusErrors.invalid(scope.type.kind, scope.type.group, name, [
          {
            reason: 'FieldValueInvalid',
            field: 'metadata.resourceVersion',
            message: 'Invalid value: 0x0: must be specified for an update',
          },
        ]);
      }
    } else if (wantedVersion !== existing.metadata.resourceVersion) {
      throw statusErrors.conflict(
        scope.type,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }

    let next: KubeObject;
    if (options.subresource === 'status') {
      next = { ...existing, status: incoming.status };
    } else {
      next = { ...incoming, metadata: keepSystemMetadata(incoming.metadata, existing.metadata) };
      stampRequester(this.requesterAnnotations, existing.metadata, next.metadata, options.requester);
      if (scope.type.hasStatus) {
        if (existing.status === undefined) delete next.status;
        else next.status = existing.status;
      }
    }
    next.apiVersion = existing.apiVersion;
    next.kind = existing.kind;

    const added = finalizersOf(next).filter((finalizer) => !finalizersOf(existing).includes(finalizer));
    if (existing.metadata.deletionTimestamp && added.length > 0) {
      throw statusErrors.invalid(scope.type.kind, scope.type.group, name, [
        {
          reason: 'FieldValueForbidden',
          field: 'metadata.finalizers',
          message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        },
      ]);
    }
    const conformed = this.conform(scope, next, options.fieldValidation);
    next = conformed.object;
    if (!deepEqual(specPart(next, scope.type.hasStatus), specPart(existing, scope.type.hasStatus))) {
      next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    }
    next.metadata.resourceVersion = existing.metadata.resourceVersion;
    if (deepEqual(next, existing))
      return { object: this.present(scope, existing), warnings: conformed.warnings };
    if (options.dryRun) return conformed;
    if (next.metadata.deletionTimestamp && finalizersOf(next).length === 0) {
      const removed = await this.store.commit(key, undefined);
      await this.hooks.afterChange(scope, existing, undefined);
      return {
        object: this.present(scope, {
          ...next,
          metadata: { ...next.metadata, resourceVersion: removed.metadata.resourceVersion },
        }),
        warnings: conformed.warnings,
      };
    }
    const stored = await this.store.commit(key, next);
    await this.hooks.afterChange(scope, existing, stored);
    return { object: this.present(scope, stored), warnings: conformed.warnings };
  }

  async update(
    scope: Scope,
    name: string,
    body: unknown,
    subresource: 'status' | undefined,
    options: WriteOptions,
  ) {
    const incoming = this.checkIdentity(scope, body, name);
    return this.replace(scope, name, incoming, { ...options, subresource, requireResourceVersion: true });
  }

  async patch(
    scope: Scope,
    name: string,
    kind: PatchKind,
    body: unknown,
    subresource: 'status' | undefined,
    options: WriteOptions & { fieldManager: string | undefined },
  ): Promise<WriteResult & { created: boolean }> {
    const existing = this.find(scope, name);
    if (kind === 'apply') {
      if (!options.fieldManager) {
        throw statusErrors.badRequest(
          'fieldManager is required for apply requests; pass ?fieldManager=<your tool>',
        );
      }
      if (!existing) {
        if (subresource) throw statusErrors.notFound(scope.type, name);
        const object = this.checkIdentity(scope, body, name);
        return { ...(await this.create(scope, object, options)), created: true };
      }
    }
    if (!existing) throw statusErrors.notFound(scope.type, name);
    const base = structuredClone(existing);
    let patched: unknown;
    switch (kind) {
      case 'json':
        patched = jsonPatch(base, body);
        break;
      case 'strategic':
        patched = strategicMergePatch(base, body);
        break;
      default:
        if (!isRecord(body)) throw statusErrors.badRequest('a merge patch must be a JSON object');
        patched = mergePatch(base, kind === 'apply' ? this.checkIdentity(scope, body, name) : body);
    }
    const incoming = this.checkIdentity(scope, patched, name);
    // A patch only checks the resourceVersion when the patch itself names one.
    const patchVersion =
      isRecord(body) && isRecord(body.metadata) ? body.metadata.resourceVersion : undefined;
    if (patchVersion === undefined) incoming.metadata.resourceVersion = existing.metadata.resourceVersion;
    const result = await this.replace(scope, name, incoming, {
      ...options,
      subresource,
      requireResourceVersion: false,
    });
    return { ...result, created: false };
  }

  async delete(
    scope: Scope,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string },
    dryRun: boolean,
  ): Promise<KubeObject> {
    const key = this.keyOf(scope, name);
    const existing = this.store.get(key);
    if (!existing) throw statusErrors.notFound(scope.type, name);
    if (preconditions.uid && preconditions.uid !== existing.metadata.uid) {
      throw statusErrors.conflict(
        scope.type,
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    if (
      preconditions.resourceVersion &&
      preconditions.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw statusErrors.conflict(
        scope.type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
    if (dryRun) return this.present(scope, existing);
    if (finalizersOf(existing).length > 0 || this.isNamespace(scope)) {
      if (existing.metadata.deletionTimestamp) return this.present(scope, existing);
      const marked: KubeObject = {
        ...existing,
        metadata: {
          ...existing.metadata,
          deletionTimestamp: nowTimestamp(),
          deletionGracePeriodSeconds: 0,
          generation: (existing.metadata.generation ?? 1) + 1,
        },
      };
      if (this.isNamespace(scope))
        marked.status = { ...(isRecord(existing.status) ? existing.status : {}), phase: 'Terminating' };
      const stored = await this.store.commit(key, marked);
      await this.hooks.afterChange(scope, existing, stored);
      await this.hooks.cascade(scope, stored);
      return this.present(scope, stored);
    }
    const removed = await this.store.commit(key, undefined);
    await this.hooks.afterChange(scope, existing, undefined);
    await this.hooks.cascade(scope, existing);
    return this.present(scope, removed);
  }

  private isNamespace(scope: Scope): boolean {
    return scope.type.group === '' && scope.type.plural === 'namespaces';
  }
}

export { SERVER_CLUSTER };
