import { isWorkspacePath } from '@openkcm/auth';
import { parseEndpointSliceRef } from '@openkcm/kube-client';
import {
  type HierarchyDecision,
  healthNow,
  type PluginHealth,
  parseConfiguration,
  pluginErrors,
  type SystemInformationService,
  type TenantValidation,
} from '@openkcm/plugin-sdk';
import { Type } from '@openkcm/schema';
import { type AccountInfoSpec, PlatformGraph } from './platform-graph.js';

export const ResourceGraphConfiguration = Type.Object({
  controlPlane: Type.Object({
    url: Type.String({
      pattern: '^https://[^\\s/?#]+(:[0-9]+)?/?$',
      description: 'HTTPS address of the Platform Mesh (kcp) API.',
    }),
    caFile: Type.Optional(
      Type.String({ minLength: 1, description: 'PEM CA bundle of the API (a mounted file).' }),
    ),
    tokenFile: Type.String({
      minLength: 1,
      description: "CMK's service-account token (a projected, rotating file; read at every call).",
    }),
  }),
  apiExportEndpointSlice: Type.String({
    pattern: '^[a-z0-9:-]+/[a-z0-9.-]+$',
    default: 'root:openkcm/keychain.openkcm.io',
    description:
      "<workspace>/<name> of the APIExportEndpointSlice of OpenKCM's export: AccountInfos are read through its virtual workspace.",
  }),
});

/** The token audiences an AccountInfo allows: the client IDs of its organisation's OIDC clients. */
function audiencesOf(info: AccountInfoSpec): string[] {
  const clients = (info.oidc?.clients ?? {}) as Record<string, { clientId: string }>;
  return Object.values(clients).map((client) => client.clientId);
}

/**
 * FR-4.1, the ApeiroResourceGraphPlugin: what the platform says, read from its API rather than
 * configured. Regions are the regions of kcp's shards; a tenant's workspace is a Platform Mesh
 * account (its AccountInfo names the account, its organisation, its parent and the organisation's
 * OIDC clients, which are the audiences its tokens may carry); the tenant hierarchy is the chain
 * of parent accounts up to the organisation.
 */
export class ResourceGraphSystemInformation implements SystemInformationService {
  readonly type = 'SystemInformationService' as const;
  private graph: PlatformGraph | undefined;

  constructor(readonly name = 'system-information-resource-graph') {}

  async configure(configuration: unknown): Promise<void> {
    const config = parseConfiguration(ResourceGraphConfiguration, configuration);
    const endpointSlice = parseEndpointSliceRef(config.apiExportEndpointSlice);
    if (!endpointSlice)
      throw pluginErrors.invalidConfiguration('apiExportEndpointSlice must be <workspace>/<name>');
    this.graph = new PlatformGraph({ ...config.controlPlane, endpointSlice });
  }

  private platform(): PlatformGraph {
    if (!this.graph) throw pluginErrors.invalidConfiguration('the plugin is not configured');
    return this.graph;
  }

  async validateTenant(request: {
    workspace: string;
    region?: string;
    audiences?: string[];
  }): Promise<TenantValidation> {
    const problems: TenantValidation['problems'] = [];
    if (!isWorkspacePath(request.workspace)) {
      problems.push({
        field: 'workspace',
        message: `"${request.workspace}" is not a workspace path such as root:orgs:acme`,
      });
      return { valid: false, problems };
    }
    if (request.region !== undefined) {
      const regions = await this.platform().platformRegions();
      if (!regions.includes(request.region))
        problems.push({
          field: 'region',
          message: `region "${request.region}" is not a region of the platform; choose one of ${regions.join(', ') || '(none: the platform declares no regions)'}`,
        });
    }
    const info = await this.platform().accountInfo(request.workspace);
    if (!info) {
      problems.push({
        field: 'workspace',
        message: `${request.workspace} is not an account of the platform (it has no AccountInfo)`,
      });
    } else if (request.audiences !== undefined) {
      const allowed = audiencesOf(info);
      const unknown = request.audiences.filter((audience) => !allowed.includes(audience));
      if (unknown.length > 0)
        problems.push({
          field: 'audiences',
          message: `audiences ${unknown.join(', ')} are not OIDC clients of organisation ${info.organization.name}; choose from ${allowed.join(', ') || '(none)'}`,
        });
    }
    return { valid: problems.length === 0, problems };
  }

  async sameHierarchy(keyWorkspace: string, accountWorkspace: string): Promise<HierarchyDecision> {
    if (keyWorkspace === accountWorkspace) return { allowed: true };
    // Paths go into URLs of the platform API: only workspace paths, never anything else.
    for (const path of [keyWorkspace, accountWorkspace])
      if (!isWorkspacePath(path)) return { allowed: false, reason: `"${path}" is not a workspace path` };
    const [key, account] = await Promise.all([
      this.platform().accountInfo(keyWorkspace),
      this.platform().accountInfo(accountWorkspace),
    ]);
    if (!key || !account)
      return {
        allowed: false,
        reason: `${key ? accountWorkspace : keyWorkspace} is not an account of the platform`,
      };
    if (key.organization.path !== account.organization.path)
      return {
        allowed: false,
        reason: `${accountWorkspace} belongs to organisation ${account.organization.name}, not ${key.organization.name}`,
      };
    // Walk up the parent accounts of the key's workspace; the Account's workspace must be on the way.
    let current: AccountInfoSpec | undefined = key;
    for (let depth = 0; current?.parentAccount && depth < 32; depth++) {
      if (current.parentAccount.path === accountWorkspace) return { allowed: true };
      current = await this.platform().accountInfo(current.parentAccount.path);
    }
    const descendant = account.parentAccount !== undefined && accountWorkspace.startsWith(`${keyWorkspace}:`);
    return {
      allowed: false,
      reason: descendant
        ? `${accountWorkspace} is below ${keyWorkspace}; a key may use an Account of its own workspace or of a parent, not of a child`
        : `${accountWorkspace} is not a parent of ${keyWorkspace} (a sibling or another branch of ${key.organization.name}); use an Account of this workspace or of a parent workspace`,
    };
  }

  async health(): Promise<PluginHealth> {
    try {
      const regions = await this.platform().platformRegions();
      return healthNow('healthy', `platform regions ${regions.join(', ') || '(none)'}`, true);
    } catch (error) {
      return healthNow('unhealthy', error instanceof Error ? error.message : String(error), true);
    }
  }
}
