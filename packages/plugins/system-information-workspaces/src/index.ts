import { isSameOrDescendant, isWorkspacePath } from '@openkcm/auth';
import {
  healthNow,
  type PluginHealth,
  parseConfiguration,
  type SystemInformationService,
  type TenantValidation,
} from '@openkcm/plugin-sdk';
import { Type } from '@openkcm/schema';

export const WorkspaceInformationConfiguration = Type.Object({
  regions: Type.Array(Type.String({ pattern: '^[a-z]{2,}(-[a-z0-9]+)*$' }), {
    minItems: 1,
    description: 'Regions tenants may choose.',
  }),
  audiences: Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1,
    default: ['openkcm'],
    description: 'Token audiences tenants may name.',
  }),
});

/**
 * FR-4 from the workspace tree: a tenant is a workspace, and an Account serves its own workspace
 * and the workspaces below it (root and nested tenants), never a sibling or a parent.
 */
export class WorkspaceSystemInformation implements SystemInformationService {
  readonly type = 'SystemInformationService' as const;
  private regions: string[] = [];
  private audiences: string[] = [];

  constructor(readonly name = 'system-information-workspaces') {}

  async configure(configuration: unknown): Promise<void> {
    const config = parseConfiguration(WorkspaceInformationConfiguration, configuration);
    this.regions = config.regions;
    this.audiences = config.audiences;
  }

  async validateTenant(request: {
    workspace: string;
    region?: string;
    audiences?: string[];
  }): Promise<TenantValidation> {
    const problems: TenantValidation['problems'] = [];
    if (!isWorkspacePath(request.workspace))
      problems.push({
        field: 'workspace',
        message: `"${request.workspace}" is not a workspace path such as root:orgs:acme`,
      });
    if (request.region !== undefined && !this.regions.includes(request.region)) {
      problems.push({
        field: 'region',
        message: `region "${request.region}" is not offered; choose one of ${this.regions.join(', ')}`,
      });
    }
    const unknown = (request.audiences ?? []).filter((audience) => !this.audiences.includes(audience));
    if (unknown.length > 0)
      problems.push({
        field: 'audiences',
        message: `audiences ${unknown.join(', ')} are not known; allowed: ${this.audiences.join(', ')}`,
      });
    return { valid: problems.length === 0, problems };
  }

  async sameHierarchy(keyWorkspace: string, accountWorkspace: string): Promise<boolean> {
    return isSameOrDescendant(keyWorkspace, accountWorkspace);
  }

  async health(): Promise<PluginHealth> {
    return healthNow('healthy', `regions ${this.regions.join(', ')}`, true);
  }
}
