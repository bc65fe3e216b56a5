import { type Principal, roleInWorkspace } from '@openkcm/auth';
import type { Verb } from '../http/request-info.js';
import { statusErrors } from '../http/status-error.js';
import type { ResourceType } from '../registry/resource-type.js';

const READ_VERBS: ReadonlySet<Verb> = new Set(['get', 'list', 'watch']);

function who(principal: Principal): string {
  return principal.kind === 'service' ? `"${principal.username}"` : `"${principal.username}"`;
}

function where(type: ResourceType, namespace: string | undefined, workspace: string): string {
  const group = `in API group "${type.group}"`;
  return type.namespaced && namespace
    ? `${group} in the namespace "${namespace}" of workspace ${workspace}`
    : `${group} in workspace ${workspace}`;
}

/**
 * Workspace roles from the token decide: Viewers read, Admins write, nobody reaches a workspace
 * they hold no role in. The product's own services act everywhere.
 */
export function authorize(
  principal: Principal,
  verb: Verb,
  type: ResourceType,
  workspace: string,
  namespace: string | undefined,
  name: string | undefined,
): void {
  if (principal.system) return;
  const deny = (why: string) => {
    throw statusErrors.forbidden(
      type,
      name,
      `User ${who(principal)} cannot ${verb} resource "${type.plural}" ${where(type, namespace, workspace)}: ${why}`,
    );
  };
  if (workspace === '*') deny('only the product services may list across all workspaces');
  const reading = READ_VERBS.has(verb);
  if (type.access === 'system') {
    if (reading) return;
    deny('only the OpenKCM operator installs API definitions');
  }
  const role = roleInWorkspace(principal.grants, workspace);
  if (!role) deny(`no role in workspace ${workspace}`);
  if (role === 'Admin') return;
  if (type.access === 'workspace-admin')
    deny(`the ${role} role of workspace ${workspace} cannot read ${type.plural}`);
  if (!reading) deny(`the ${role} role of workspace ${workspace} allows reading only`);
}

/** Discovery and OpenAPI: any authenticated caller with a role in the workspace, or a service. */
export function authorizeDiscovery(principal: Principal, workspace: string): void {
  if (principal.system) return;
  if (workspace !== '*' && roleInWorkspace(principal.grants, workspace)) return;
  throw statusErrors.forbidden(
    undefined,
    undefined,
    `User "${principal.username}" has no role in workspace ${workspace}`,
  );
}
