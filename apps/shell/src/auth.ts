import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { ShellConfig } from './config.js';

/** The API's tokens are for this resource (the dev IdP and Keycloak issue JWTs for it). */
const RESOURCE = 'urn:openkcm:api';

export function createUserManager(config: ShellConfig): UserManager {
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${location.origin}/callback`,
    silent_redirect_uri: `${location.origin}/silent-renew.html`,
    post_logout_redirect_uri: `${location.origin}/callback`,
    response_type: 'code',
    scope: 'openid profile email',
    extraQueryParams: { resource: RESOURCE },
    extraTokenParams: { resource: RESOURCE },
    // Renews in a hidden iframe a minute before the access token expires.
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
}

/** Finishes a login redirect, or starts one; resolves with the signed-in user. */
export async function signIn(manager: UserManager): Promise<User> {
  if (location.pathname === '/callback') {
    const params = new URLSearchParams(location.search);
    if (params.has('error'))
      throw new Error(`Sign-in failed: ${params.get('error_description') ?? params.get('error')}`);
    if (!params.has('code')) {
      // Back from signing out: start over.
      await manager.signinRedirect();
      return new Promise(() => undefined);
    }
    const user = await manager.signinRedirectCallback();
    const target = typeof user.state === 'string' && user.state.startsWith('/') ? user.state : '/';
    history.replaceState(null, '', target);
    return user;
  }
  const user = await manager.getUser();
  if (user && !user.expired) return user;
  await manager.signinRedirect({ state: `${location.pathname}${location.search}` });
  return new Promise(() => undefined);
}
