/** Public client of the dev shell (authorization code + PKCE). */
export const SHELL_CLIENT = 'openkcm-shell';
/** The product's services, which authenticate with client credentials. */
export const SERVICE_CLIENTS = ['openkcm-controller', 'openkcm-cmk', 'openkcm-bff'] as const;
/** Scripts and tests: the only client allowed to use the dev-user grant. */
export const DEV_TOOLS_CLIENT = 'openkcm-dev-tools';
export const DEV_USER_GRANT = 'urn:openkcm:params:oauth:grant-type:dev-user';

/** The API every access token is for (RFC 8707 resource) and its audience. */
export const RESOURCE = 'urn:openkcm:api';
export const AUDIENCE = 'openkcm';
export const ISSUER_PATH = '/realms/platform-mesh';
