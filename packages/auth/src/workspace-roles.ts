/**
 * Workspace roles travel in the token as realm roles `openkcm:<admin|viewer>:<workspace path>`.
 * A role on a workspace also covers every workspace below it, as kcp's workspace tree does.
 */
export type WorkspaceRole = 'Admin' | 'Viewer';

export interface WorkspaceGrant {
  workspace: string;
  role: WorkspaceRole;
}

/** Realm role that marks the product's own services (controller, CMK, BFF). */
export const SYSTEM_ROLE = 'openkcm:system';

const ROLE_PREFIX = 'openkcm:';
const ROLE_WORDS: Record<string, WorkspaceRole> = { admin: 'Admin', viewer: 'Viewer' };
const WORKSPACE_PATH = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(:[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

export function isWorkspacePath(path: string): boolean {
  return path.length <= 1024 && WORKSPACE_PATH.test(path);
}

export function grantsFromRealmRoles(roles: readonly string[]): WorkspaceGrant[] {
  const grants: WorkspaceGrant[] = [];
  for (const entry of roles) {
    if (!entry.startsWith(ROLE_PREFIX)) continue;
    const rest = entry.slice(ROLE_PREFIX.length);
    const separator = rest.indexOf(':');
    if (separator < 0) continue;
    const role = ROLE_WORDS[rest.slice(0, separator)];
    const workspace = rest.slice(separator + 1);
    if (role && isWorkspacePath(workspace)) grants.push({ workspace, role });
  }
  return grants;
}

export function realmRoleFor(grant: WorkspaceGrant): string {
  return `${ROLE_PREFIX}${grant.role.toLowerCase()}:${grant.workspace}`;
}

export function isSameOrDescendant(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}:`);
}

/** The strongest role the grants give in a workspace, or undefined when they give none. */
export function roleInWorkspace(
  grants: readonly WorkspaceGrant[],
  workspace: string,
): WorkspaceRole | undefined {
  let best: WorkspaceRole | undefined;
  for (const grant of grants) {
    if (!isSameOrDescendant(workspace, grant.workspace)) continue;
    if (grant.role === 'Admin') return 'Admin';
    best = 'Viewer';
  }
  return best;
}
