export type Page = 'keychain' | 'settings';

export interface Route {
  workspace: string | undefined;
  page: Page;
}

/** `/workspaces/root:orgs:acme/settings` → workspace and page; anything else → the defaults. */
export function parseRoute(pathname: string): Route {
  const match = /^\/workspaces\/([a-z0-9:-]+)(?:\/(keychain|settings))?\/?$/.exec(pathname);
  return { workspace: match?.[1], page: (match?.[2] as Page | undefined) ?? 'keychain' };
}

export function routePath(route: { workspace: string; page: Page }): string {
  return `/workspaces/${route.workspace}/${route.page}`;
}
