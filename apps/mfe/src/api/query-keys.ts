/** Every query of the Key Chain, per workspace: the events stream invalidates exactly these keys. */
export const keychainKeys = {
  all: (workspace: string) => ['keychain', workspace] as const,
  me: () => ['keychain-me'] as const,
  status: (workspace: string) => [...keychainKeys.all(workspace), 'status'] as const,
  overview: (workspace: string) => [...keychainKeys.all(workspace), 'overview'] as const,
  topology: (workspace: string) => [...keychainKeys.all(workspace), 'topology'] as const,
  accounts: (workspace: string) => [...keychainKeys.all(workspace), 'accounts'] as const,
  account: (workspace: string, name: string) => [...keychainKeys.accounts(workspace), name] as const,
  keys: (workspace: string) => [...keychainKeys.all(workspace), 'keys'] as const,
  key: (workspace: string, name: string) => [...keychainKeys.keys(workspace), name] as const,
  events: (workspace: string, kind: string, name: string) =>
    [...keychainKeys.all(workspace), 'events', kind, name] as const,
  audit: (workspace: string, filters: Record<string, string> = {}) =>
    [...keychainKeys.all(workspace), 'audit', filters] as const,
  pendingDeletion: (workspace: string) => [...keychainKeys.all(workspace), 'pending-deletion'] as const,
  webhooks: (workspace: string) => [...keychainKeys.all(workspace), 'webhooks'] as const,
};

/**
 * The queries a change of one object makes stale. Lists are matched exactly, not by prefix (a key
 * change must not reload every key page); the audit trail, whatever its filters, by prefix.
 */
export function affectedBy(
  workspace: string,
  kind: string,
  name: string,
): Array<{ queryKey: readonly unknown[]; exact: boolean }> {
  const exact = (queryKey: readonly unknown[]) => ({ queryKey, exact: true });
  const views = [
    exact(keychainKeys.overview(workspace)),
    exact(keychainKeys.topology(workspace)),
    exact(keychainKeys.events(workspace, kind, name)),
    exact(keychainKeys.pendingDeletion(workspace)),
    { queryKey: [...keychainKeys.all(workspace), 'audit'], exact: false },
  ];
  switch (kind) {
    case 'Tenant':
      return [exact(keychainKeys.status(workspace)), exact(keychainKeys.overview(workspace))];
    case 'Account':
      return [
        ...views,
        exact(keychainKeys.accounts(workspace)),
        exact(keychainKeys.account(workspace, name)),
      ];
    case 'ServiceEncryptionKey':
      return [...views, exact(keychainKeys.keys(workspace)), exact(keychainKeys.key(workspace, name))];
    case 'WebHookNotification':
      return [exact(keychainKeys.webhooks(workspace))];
    default:
      return [{ queryKey: keychainKeys.all(workspace), exact: false }];
  }
}
