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
};

/** The queries a change of one object makes stale; lists are matched exactly, not by prefix. */
export function affectedBy(workspace: string, kind: string, name: string): Array<readonly unknown[]> {
  const views = [keychainKeys.overview(workspace), keychainKeys.topology(workspace)];
  switch (kind) {
    case 'Tenant':
      return [keychainKeys.status(workspace), keychainKeys.overview(workspace)];
    case 'Account':
      return [...views, keychainKeys.accounts(workspace), keychainKeys.account(workspace, name)];
    case 'ServiceEncryptionKey':
      return [...views, keychainKeys.keys(workspace), keychainKeys.key(workspace, name)];
    default:
      return [keychainKeys.all(workspace)];
  }
}
