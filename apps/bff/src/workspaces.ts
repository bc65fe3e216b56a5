import { type Principal, roleInWorkspace, type WorkspaceRole } from '@openkcm/auth';
import { type KubeClient, KubeError } from '@openkcm/kube-client';

export interface VisibleWorkspace {
  path: string;
  role: WorkspaceRole;
}

/** Enough for any real tree a person picks from; deeper or wider trees are cut, not an error. */
const MAX_WORKSPACES = 200;

/**
 * The workspaces the caller may open: each one a grant names, and every workspace below it, as the
 * control plane lists them with the caller's own token (so the answer never exceeds what they can read).
 */
export async function visibleWorkspaces(principal: Principal, kube: KubeClient): Promise<VisibleWorkspace[]> {
  const found = new Map<string, WorkspaceRole>();
  const queue = principal.grants.map((grant) => grant.workspace);
  while (queue.length > 0 && found.size < MAX_WORKSPACES) {
    const path = queue.shift() ?? '';
    const role = roleInWorkspace(principal.grants, path);
    if (!role || found.has(path)) continue;
    const children = await kube
      .request<{ items: Array<{ metadata: { name: string } }> }>(
        'GET',
        `/clusters/${path}/apis/tenancy.kcp.io/v1alpha1/workspaces`,
      )
      .catch((error: unknown) => {
        if (error instanceof KubeError && (error.status === 404 || error.status === 403)) return undefined;
        throw error;
      });
    if (!children) continue;
    found.set(path, role);
    for (const child of children.items) queue.push(`${path}:${child.metadata.name}`);
  }
  return [...found].map(([path, role]) => ({ path, role })).sort((a, b) => a.path.localeCompare(b.path));
}
