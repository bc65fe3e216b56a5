import type { StatusCause } from '../http/status-error.js';
import { isRecord, type KubeObject, type ObjectMeta } from '../kube-object.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

export type NameRule = 'label' | 'subdomain';

export function nameProblem(name: string, rule: NameRule): string | undefined {
  if (rule === 'label') {
    if (name.length > 63) return 'must be no more than 63 characters';
    if (!DNS1123_LABEL.test(name)) {
      return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    }
    return undefined;
  }
  if (name.length > 253) return 'must be no more than 253 characters';
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return undefined;
}

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && nameProblem(prefix, 'subdomain'))
    return 'prefix part must be a DNS-1123 subdomain';
  if (name.length === 0 || name.length > 63) return 'name part must be no more than 63 characters';
  if (!QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

function stringMap(value: unknown, field: string, causes: StatusCause[]): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || Object.values(value).some((item) => typeof item !== 'string')) {
    causes.push({ reason: 'FieldValueTypeInvalid', field, message: 'must be a map of strings to strings' });
    return undefined;
  }
  return value as Record<string, string>;
}

/** Checks the metadata fields users set; the system-owned ones are overwritten by the caller. */
export function validateMetadata(metadata: ObjectMeta, rule: NameRule): StatusCause[] {
  const causes: StatusCause[] = [];
  if (metadata.name !== undefined) {
    const problem = typeof metadata.name === 'string' ? nameProblem(metadata.name, rule) : 'must be a string';
    if (problem) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: ${JSON.stringify(metadata.name)}: ${problem}`,
      });
    }
  }
  const labels = stringMap(metadata.labels, 'metadata.labels', causes);
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem)
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: `Invalid value: "${key}": ${keyProblem}`,
      });
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `metadata.labels`,
        message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, at most 63 characters`,
      });
    }
  }
  const annotations = stringMap(metadata.annotations, 'metadata.annotations', causes);
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.annotations',
        message: `Invalid value: "${key}": ${keyProblem}`,
      });
    }
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (annotationBytes > MAX_ANNOTATIONS_BYTES) {
    causes.push({
      reason: 'FieldValueTooLong',
      field: 'metadata.annotations',
      message: `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes`,
    });
  }
  if (metadata.finalizers !== undefined) {
    if (!Array.isArray(metadata.finalizers) || metadata.finalizers.some((item) => typeof item !== 'string')) {
      causes.push({
        reason: 'FieldValueTypeInvalid',
        field: 'metadata.finalizers',
        message: 'must be a list of strings',
      });
    } else {
      metadata.finalizers.forEach((finalizer, index) => {
        const problem = qualifiedNameProblem(finalizer);
        if (problem) {
          causes.push({
            reason: 'FieldValueInvalid',
            field: `metadata.finalizers[${index}]`,
            message: `Invalid value: "${finalizer}": ${problem}`,
          });
        }
      });
    }
  }
  return causes;
}

/** The parts of metadata only the server sets, taken over from the stored object. */
export function keepSystemMetadata(incoming: ObjectMeta, stored: ObjectMeta): ObjectMeta {
  const merged: ObjectMeta = {
    ...incoming,
    name: stored.name,
    uid: stored.uid,
    creationTimestamp: stored.creationTimestamp,
    generation: stored.generation,
    resourceVersion: stored.resourceVersion,
  };
  const cluster = stored.annotations?.['kcp.io/cluster'];
  if (cluster !== undefined) merged.annotations = { ...merged.annotations, 'kcp.io/cluster': cluster };
  if (stored.namespace !== undefined) merged.namespace = stored.namespace;
  else delete merged.namespace;
  if (stored.deletionTimestamp !== undefined) {
    merged.deletionTimestamp = stored.deletionTimestamp;
    merged.deletionGracePeriodSeconds = stored.deletionGracePeriodSeconds ?? 0;
  } else {
    delete merged.deletionTimestamp;
    delete merged.deletionGracePeriodSeconds;
  }
  return merged;
}

export function finalizersOf(object: KubeObject): string[] {
  return Array.isArray(object.metadata.finalizers) ? object.metadata.finalizers : [];
}
