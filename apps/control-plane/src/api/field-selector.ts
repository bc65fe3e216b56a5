import { statusErrors } from '../http/status-error.js';
import { isRecord, type KubeObject } from '../kube-object.js';

export type FieldSelector = (object: KubeObject) => boolean;

/** Fields every kind supports, plus the ones Kubernetes offers for Events and Secrets. */
const FIELD_READERS: Record<string, (object: KubeObject) => unknown> = {
  'metadata.name': (object) => object.metadata.name,
  'metadata.namespace': (object) => object.metadata.namespace ?? '',
  'involvedObject.kind': (object) =>
    isRecord(object.involvedObject) ? object.involvedObject.kind : undefined,
  'involvedObject.name': (object) =>
    isRecord(object.involvedObject) ? object.involvedObject.name : undefined,
  'involvedObject.namespace': (object) =>
    isRecord(object.involvedObject) ? object.involvedObject.namespace : undefined,
  'involvedObject.uid': (object) => (isRecord(object.involvedObject) ? object.involvedObject.uid : undefined),
  reason: (object) => object.reason,
  type: (object) => object.type,
};

export function parseFieldSelector(text: string | null, kind: string): FieldSelector {
  if (!text) return () => true;
  const tests = text
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term.length > 0)
    .map((term) => {
      const match = /^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!match) throw statusErrors.badRequest(`invalid field selector term "${term}"`);
      const [, field = '', op, expected = ''] = match;
      const read = FIELD_READERS[field];
      const kindSpecific = field.startsWith('involvedObject.') || field === 'reason' || field === 'type';
      if (!read || (kindSpecific && kind !== 'Event' && !(field === 'type' && kind === 'Secret'))) {
        throw statusErrors.badRequest(
          `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
        );
      }
      return (object: KubeObject) => (String(read(object) ?? '') === expected) === (op !== '!=');
    });
  return (object) => tests.every((test) => test(object));
}
