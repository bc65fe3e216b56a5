import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import { DEV_TOOLS_CLIENT, DEV_USER_GRANT, RESOURCE, SHELL_CLIENT } from './clients.js';
import { findUser } from './demo-users.js';

/**
 * A development-only grant for scripts and tests: the dev-tools client names a demo user and gets
 * the access token that user would get by logging in to the shell (same claims, azp = shell).
 */
export function registerDevUserGrant(provider: Provider, resourceServer: ResourceServer): void {
  provider.registerGrantType(
    DEV_USER_GRANT,
    async (ctx: KoaContextWithOIDC) => {
      if (ctx.oidc.client?.clientId !== DEV_TOOLS_CLIENT) {
        throw new errors.UnauthorizedClient('only the dev tools client may use this grant');
      }
      const username = String(ctx.oidc.params?.username ?? '');
      const user = findUser({ username });
      if (!user) throw new errors.InvalidGrant(`unknown demo user "${username}"`);
      const shell = await provider.Client.find(SHELL_CLIENT);
      if (!shell) throw new errors.InvalidClient('the shell client is not configured');
      const token = new provider.AccessToken({
        accountId: user.id,
        client: shell,
        grantId: `dev-user-${user.id}`,
        gty: DEV_USER_GRANT,
        scope: resourceServer.scope,
      });
      token.resourceServer = new provider.ResourceServer(RESOURCE, resourceServer);
      const value = await token.save();
      ctx.body = {
        access_token: value,
        token_type: 'Bearer',
        expires_in: token.expiration,
        scope: token.scope,
      };
    },
    ['username'],
  );
}
