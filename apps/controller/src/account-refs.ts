import { isSameOrDescendant } from '@openkcm/auth';
import { clusterOf, type KubeObject } from '@openkcm/kube-client';
import type { Caches } from './context.js';

export interface AccountLocation {
  cluster: string;
  namespace: string;
  name: string;
}

/** The Account a key names: in its own workspace unless `accountRef.workspace` says a parent. */
export function accountOf(key: KubeObject): AccountLocation {
  const reference = (key.spec?.accountRef ?? {}) as { name?: string; workspace?: string };
  return {
    cluster: reference.workspace ?? clusterOf(key),
    namespace: key.metadata.namespace ?? 'default',
    name: reference.name ?? '',
  };
}

/** `root:orgs:acme:team-a` → `root:orgs:acme`: the organisation a workspace belongs to. */
function organisationOf(workspace: string): string {
  return workspace.split(':').slice(0, 3).join(':');
}

/**
 * FR-4.3 as the controller checks it before asking CMK (which decides from the platform's
 * AccountInfos): a key's Account is in its own workspace or a parent in the same organisation.
 */
export function hierarchyProblem(keyCluster: string, accountCluster: string): string | undefined {
  if (accountCluster === keyCluster) return undefined;
  if (organisationOf(accountCluster) !== organisationOf(keyCluster))
    return `${accountCluster} is in another organisation than ${keyCluster}; a key may only use Accounts of its own organisation`;
  if (isSameOrDescendant(accountCluster, keyCluster))
    return `${accountCluster} is below ${keyCluster}; a key may use an Account of its own workspace or of a parent, not of a child`;
  if (!isSameOrDescendant(keyCluster, accountCluster))
    return `${accountCluster} is not a parent of ${keyCluster}; use an Account of this workspace or of a parent workspace`;
  return undefined;
}

/** The keys that use an Account: in its workspace and in the workspaces below it. */
export function keysUsing(caches: Caches, account: AccountLocation): KubeObject[] {
  return caches
    .keyClusters()
    .filter((cluster) => isSameOrDescendant(cluster, account.cluster))
    .flatMap((cluster) => caches.keys(cluster))
    .filter((key) => {
      const used = accountOf(key);
      return (
        used.cluster === account.cluster && used.namespace === account.namespace && used.name === account.name
      );
    });
}
