export type Kind = 'Tenant' | 'Account' | 'ServiceEncryptionKey' | 'CryptoEdge' | 'WebHookNotification';

/** What the queue holds: a kind and where the object lives. */
export interface ObjectRef {
  kind: Kind;
  cluster: string;
  namespace: string;
  name: string;
}

export function keyOf(ref: ObjectRef): string {
  return [ref.kind, ref.cluster, ref.namespace, ref.name].join('|');
}

export function refOf(key: string): ObjectRef {
  const [kind = 'Tenant', cluster = '', namespace = '', name = ''] = key.split('|');
  return { kind: kind as Kind, cluster, namespace, name };
}
