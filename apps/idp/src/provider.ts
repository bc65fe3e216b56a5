import { SYSTEM_ROLE } from '@openkcm/auth';
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import {
  AUDIENCE,
  DEV_TOOLS_CLIENT,
  DEV_USER_GRANT,
  ISSUER_PATH,
  RESOURCE,
  SERVICE_CLIENTS,
  SHELL_CLIENT,
} from './clients.js';
import { findUser, userClaims } from './demo-users.js';
import { registerDevUserGrant } from './dev-user-grant.js';
import { escapeHtml, idpPage, logoutPage, signedOutPage } from './login-page.js';
import type { IdpSecrets } from './secrets.js';

export interface ProviderOptions {
  issuer: string;
  secrets: IdpSecrets;
  shellRedirectUris: string[];
  shellOrigins: string[];
  accessTokenTtlSeconds: number;
}

/** Until the shell tells its own URL, its client still needs one to be a valid client. */
const DEFAULT_SHELL_REDIRECT = 'http://127.0.0.1:4200/callback';
const OIDC_SCOPES = 'openid profile email offline_access';
/** What the API's access tokens may carry; the shell asks for `openid profile email`. */
const RESOURCE_SCOPES = 'profile email';

function serviceAccountClaims(clientId: string) {
  return {
    preferred_username: `service-account-${clientId}`,
    realm_access: { roles: [SYSTEM_ROLE] },
    resource_access: { openkcm: { roles: [SYSTEM_ROLE] } },
  };
}

export function createProvider(options: ProviderOptions): Provider {
  const { secrets } = options;
  const resourceServer = {
    scope: RESOURCE_SCOPES,
    audience: AUDIENCE,
    accessTokenFormat: 'jwt',
    accessTokenTTL: options.accessTokenTtlSeconds,
    jwt: { sign: { alg: 'RS256' } },
  } as const;
  const configuration: Configuration = {
    clients: [
      {
        client_id: SHELL_CLIENT,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris:
          options.shellRedirectUris.length > 0 ? options.shellRedirectUris : [DEFAULT_SHELL_REDIRECT],
        post_logout_redirect_uris:
          options.shellRedirectUris.length > 0 ? options.shellRedirectUris : [DEFAULT_SHELL_REDIRECT],
      },
      ...SERVICE_CLIENTS.map((clientId) => ({
        client_id: clientId,
        client_secret: secrets.clientSecrets[clientId],
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
      {
        client_id: DEV_TOOLS_CLIENT,
        client_secret: secrets.clientSecrets[DEV_TOOLS_CLIENT],
        grant_types: [DEV_USER_GRANT],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: secrets.signingKeys },
    cookies: { keys: secrets.cookieKeys },
    claims: {
      openid: ['sub'],
      profile: [
        'name',
        'given_name',
        'family_name',
        'preferred_username',
        'realm_access',
        'resource_access',
        'groups',
      ],
      email: ['email', 'email_verified'],
    },
    async findAccount(_ctx, sub) {
      const user = findUser({ id: sub });
      if (!user) return undefined;
      return { accountId: user.id, claims: async () => ({ sub: user.id, ...userClaims(user) }) };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // oidc-provider's own pages import a web font from a public CDN: ours fetch nothing.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = signedOutPage();
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== RESOURCE)
            throw new errors.InvalidTarget(`unknown resource ${resource}; use ${RESOURCE}`);
          return resourceServer;
        },
      },
    },
    pkce: { required: () => true },
    ttl: {
      AccessToken: options.accessTokenTtlSeconds,
      ClientCredentials: options.accessTokenTtlSeconds,
      IdToken: 3600,
      Grant: 14 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    interactions: { url: (_ctx, interaction) => `${ISSUER_PATH}/interaction/${interaction.uid}` },
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === SHELL_CLIENT && options.shellOrigins.includes(origin),
    /** The shell and the services are first-party: consent is implied, so no consent screen. */
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const client = ctx.oidc.client;
      const session = ctx.oidc.session;
      if (!client || !session?.accountId) return undefined;
      const existing = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (existing) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(OIDC_SCOPES);
      grant.addResourceScope(RESOURCE, RESOURCE_SCOPES);
      await grant.save();
      return grant;
    },
    async extraTokenClaims(_ctx, token) {
      const accountId = Reflect.get(token, 'accountId');
      const clientId = (Reflect.get(token, 'clientId') as string | undefined) ?? '';
      const user = typeof accountId === 'string' ? findUser({ id: accountId }) : undefined;
      const base = { typ: 'Bearer', azp: clientId };
      if (user) return { ...base, ...userClaims(user) };
      return { ...base, ...serviceAccountClaims(clientId) };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = idpPage(
        'Sign-in error',
        `<h1>Sign-in error</h1><p class="error" role="alert">${escapeHtml(String(out.error_description ?? out.error))}</p>`,
      );
    },
  };
  const provider = new Provider(options.issuer, configuration);
  registerDevUserGrant(provider, resourceServer);
  return provider;
}
