import protobuf from 'protobufjs';
import { statusErrors } from './status-error.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The `k8s\0` prefix Kubernetes puts before every protobuf-encoded object. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/**
 * The messages kubectl sends as protobuf (`kubectl create configmap|secret|namespace`), with the
 * field numbers of k8s.io/api/core/v1 and apimachinery's generated.proto. Fields the server sets
 * itself (uid, resourceVersion, timestamps, managed fields) are left out: decoding skips them.
 */
const DESCRIPTOR = {
  nested: {
    TypeMeta: { fields: { apiVersion: { type: 'string', id: 1 }, kind: { type: 'string', id: 2 } } },
    Unknown: {
      fields: {
        typeMeta: { type: 'TypeMeta', id: 1 },
        raw: { type: 'bytes', id: 2 },
        contentEncoding: { type: 'string', id: 3 },
        contentType: { type: 'string', id: 4 },
      },
    },
    OwnerReference: {
      fields: {
        kind: { type: 'string', id: 1 },
        name: { type: 'string', id: 3 },
        uid: { type: 'string', id: 4 },
        apiVersion: { type: 'string', id: 5 },
        controller: { type: 'bool', id: 6 },
        blockOwnerDeletion: { type: 'bool', id: 7 },
      },
    },
    ObjectMeta: {
      fields: {
        name: { type: 'string', id: 1 },
        generateName: { type: 'string', id: 2 },
        namespace: { type: 'string', id: 3 },
        labels: { keyType: 'string', type: 'string', id: 11 },
        annotations: { keyType: 'string', type: 'string', id: 12 },
        ownerReferences: { rule: 'repeated', type: 'OwnerReference', id: 13 },
        finalizers: { rule: 'repeated', type: 'string', id: 14 },
      },
    },
    ConfigMap: {
      fields: {
        metadata: { type: 'ObjectMeta', id: 1 },
        data: { keyType: 'string', type: 'string', id: 2 },
        binaryData: { keyType: 'string', type: 'bytes', id: 3 },
        immutable: { type: 'bool', id: 4 },
      },
    },
    Secret: {
      fields: {
        metadata: { type: 'ObjectMeta', id: 1 },
        data: { keyType: 'string', type: 'bytes', id: 2 },
        type: { type: 'string', id: 3 },
        stringData: { keyType: 'string', type: 'string', id: 4 },
        immutable: { type: 'bool', id: 5 },
      },
    },
    NamespaceSpec: { fields: { finalizers: { rule: 'repeated', type: 'string', id: 1 } } },
    Namespace: {
      fields: {
        metadata: { type: 'ObjectMeta', id: 1 },
        spec: { type: 'NamespaceSpec', id: 2 },
      },
    },
  },
};
const root = protobuf.Root.fromJSON(DESCRIPTOR);

const KINDS = new Set(['ConfigMap', 'Secret', 'Namespace']);

/**
 * A protobuf body, as kubectl sends built-in objects, turned into the object's JSON form (bytes
 * as base64, as JSON carries them). Kinds other than the ones kubectl creates this way are
 * refused with what to send instead.
 */
export function decodeKubernetesProtobuf(raw: Buffer): unknown {
  if (raw.length < MAGIC.length || !raw.subarray(0, MAGIC.length).equals(MAGIC))
    throw statusErrors.badRequest('the protobuf body does not start with the Kubernetes "k8s\\0" prefix');
  let envelope: {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
    contentEncoding?: string;
  };
  try {
    envelope = root
      .lookupType('Unknown')
      .toObject(root.lookupType('Unknown').decode(raw.subarray(MAGIC.length)));
  } catch (error) {
    throw statusErrors.badRequest(`the protobuf body cannot be decoded: ${(error as Error).message}`);
  }
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  if (apiVersion !== 'v1' || !KINDS.has(kind))
    throw statusErrors.unsupportedMediaType(
      `protobuf bodies are understood for v1 ConfigMap, Secret and Namespace only (got ${apiVersion || '?'} ${kind || '?'}); send application/json`,
    );
  if (envelope.contentEncoding)
    throw statusErrors.unsupportedMediaType(
      `protobuf content encoding "${envelope.contentEncoding}" is not supported`,
    );
  const type = root.lookupType(kind);
  try {
    const object = type.toObject(type.decode(envelope.raw ?? new Uint8Array()), {
      bytes: String,
      longs: Number,
      defaults: false,
    });
    // Protobuf has no "unset" for strings: an empty one in the metadata means none was given.
    const metadata = Object.fromEntries(
      Object.entries((object.metadata ?? {}) as Record<string, unknown>).filter(([, value]) => value !== ''),
    );
    return { apiVersion, kind, ...object, metadata };
  } catch (error) {
    throw statusErrors.badRequest(`the protobuf ${kind} cannot be decoded: ${(error as Error).message}`);
  }
}
