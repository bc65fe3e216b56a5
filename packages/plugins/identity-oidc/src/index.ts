import { createTokenVerifier, type Principal, type TokenVerifier } from '@openkcm/auth';
import {
  healthNow,
  type IdentityManagementService,
  type PluginHealth,
  parseConfiguration,
  pluginErrors,
} from '@openkcm/plugin-sdk';
import { Type } from '@openkcm/schema';

export const OidcIdentityConfiguration = Type.Object({
  issuer: Type.String({
    pattern: '^https?://',
    description: 'The OIDC issuer, exactly as in the tokens (Keycloak realm URL).',
  }),
  audience: Type.String({ minLength: 1, default: 'openkcm' }),
  jwksUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
});

/** FR-1: users and services by OIDC bearer token; workspace roles from the Keycloak realm roles. */
export class OidcIdentity implements IdentityManagementService {
  readonly type = 'IdentityManagementService' as const;
  private verifier: TokenVerifier | undefined;
  private issuer = '';

  constructor(readonly name = 'identity-oidc') {}

  async configure(configuration: unknown): Promise<void> {
    const config = parseConfiguration(OidcIdentityConfiguration, configuration);
    this.issuer = config.issuer;
    this.verifier = createTokenVerifier(config);
  }

  authenticate(bearerToken: string | undefined): Promise<Principal> {
    if (!this.verifier) throw pluginErrors.invalidConfiguration('the identity plugin is not configured');
    return this.verifier.verify(bearerToken);
  }

  async health(): Promise<PluginHealth> {
    try {
      const response = await fetch(`${this.issuer}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(3000),
      });
      if (!response.ok)
        return healthNow('unhealthy', `the issuer ${this.issuer} answered ${response.status}`, true);
      return healthNow('healthy', `tokens from ${this.issuer}`, true);
    } catch {
      return healthNow(
        'unhealthy',
        `the issuer ${this.issuer} is unreachable; tokens cannot be verified`,
        true,
      );
    }
  }
}
