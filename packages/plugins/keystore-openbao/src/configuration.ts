import { KEY_REFERENCE_FORMATS, OpenBaoSettings } from '@openkcm/api';
import { parseAccessData, parseConfiguration, pluginErrors } from '@openkcm/plugin-sdk';
import { type Static, Type } from '@openkcm/schema';

const NAMESPACE = '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/?$';
const MOUNT = '^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(/[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$';
const DNS_NAME = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$';

/**
 * The operator's configuration of the OpenBao keystore (config.yaml). Shaped after the review of
 * the OpenShift Vault KMS API: auth is a union with one method chosen and only that method's block
 * set, credentials and the CA bundle are references (mounted files), never values.
 */
export const OpenBaoKeystoreConfiguration = Type.Object({
  address: Type.String({
    pattern: '^https://[^\\s/?#]+(:[0-9]+)?/?$',
    maxLength: 512,
    description:
      'HTTPS address of the OpenBao server (plain HTTP is refused: tokens and key material cross it).',
  }),
  namespace: Type.Optional(
    Type.String({
      pattern: NAMESPACE,
      maxLength: 256,
      description: 'Namespace CMK logs in to; Accounts may use it or a namespace below it.',
    }),
  ),
  tls: Type.Optional(
    Type.Object({
      caBundleFile: Type.Optional(
        Type.String({ minLength: 1, description: 'PEM CA bundle, e.g. a mounted ConfigMap key.' }),
      ),
      serverName: Type.Optional(
        Type.String({ pattern: DNS_NAME, maxLength: 253, description: 'Name the certificate must carry.' }),
      ),
    }),
  ),
  auth: Type.Object({
    method: Type.Unsafe<'AppRole' | 'Kubernetes'>({ type: 'string', enum: ['AppRole', 'Kubernetes'] }),
    appRole: Type.Optional(
      Type.Object({
        mountPath: Type.String({ pattern: MOUNT, maxLength: 256, default: 'approle' }),
        roleIdFile: Type.String({
          minLength: 1,
          description: 'File holding role_id (a mounted Secret key).',
        }),
        secretIdFile: Type.String({
          minLength: 1,
          description: 'File holding secret_id (a mounted Secret key); read again at every login.',
        }),
      }),
    ),
    kubernetes: Type.Optional(
      Type.Object({
        mountPath: Type.String({ pattern: MOUNT, maxLength: 256, default: 'kubernetes' }),
        role: Type.String({ minLength: 1, maxLength: 256 }),
        serviceAccountTokenFile: Type.String({
          minLength: 1,
          default: '/var/run/secrets/kubernetes.io/serviceaccount/token',
          description: 'Projected service-account token; read again at every login, as kubelet rotates it.',
        }),
      }),
    ),
  }),
  /** What CMK asks for when renewing its token; the server caps it at the role's TTL and max TTL. */
  renewIncrementSeconds: Type.Integer({ minimum: 60, maximum: 14_400, default: 3600 }),
  requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
});
export type OpenBaoKeystoreConfiguration = Static<typeof OpenBaoKeystoreConfiguration>;

const AUTH_BLOCKS = { AppRole: 'appRole', Kubernetes: 'kubernetes' } as const;

/** Parses the configuration; the auth union's rule (its method's block, and no other) is checked here. */
export function parseOpenBaoConfiguration(configuration: unknown): OpenBaoKeystoreConfiguration {
  const parsed = parseConfiguration(OpenBaoKeystoreConfiguration, configuration);
  const chosen = AUTH_BLOCKS[parsed.auth.method];
  for (const [method, block] of Object.entries(AUTH_BLOCKS)) {
    const present = parsed.auth[block] !== undefined;
    if (block === chosen && !present)
      throw pluginErrors.invalidConfiguration(`auth.${block}: Required value: auth.method is ${method}`);
    if (block !== chosen && present)
      throw pluginErrors.invalidConfiguration(
        `auth.${block}: Forbidden: only auth.${chosen} may be set when auth.method is ${parsed.auth.method}`,
      );
  }
  return parsed;
}

export interface TransitKeyPath {
  mount: string;
  name: string;
}

const KEY_PATH = new RegExp(KEY_REFERENCE_FORMATS.OpenBao.pattern);

/** `<mount>/keys/<name>`, validated with the same pattern as the Account CRD. */
export function parseKeyPath(reference: string): TransitKeyPath {
  if (!KEY_PATH.test(reference))
    throw pluginErrors.invalidKeyAccessData(
      `key reference "${reference}" is not a Transit key path <mount>/keys/<name> (e.g. ${KEY_REFERENCE_FORMATS.OpenBao.example})`,
    );
  const at = reference.lastIndexOf('/keys/');
  return { mount: reference.slice(0, at), name: reference.slice(at + '/keys/'.length) };
}

export const normaliseNamespace = (namespace: string | undefined) => (namespace ?? '').replace(/\/+$/, '');

/**
 * What an Account may say about its OpenBao (its spec.openBao): the same server the operator
 * configured (CMK never dials an address a tenant typed) and a namespace at or below the configured
 * one. Login, CA and server name are the operator's alone: a tenant cannot point CMK elsewhere. Returns the namespace its requests use.
 */
export function accessNamespace(
  accessData: Record<string, unknown> | undefined,
  configuration: OpenBaoKeystoreConfiguration,
): string {
  const configured = normaliseNamespace(configuration.namespace);
  if (!accessData || Object.keys(accessData).length === 0) return configured;
  const settings = parseAccessData(OpenBaoSettings, accessData);
  if (new URL(settings.address).origin !== new URL(configuration.address).origin)
    throw pluginErrors.invalidKeyAccessData(
      `address ${settings.address} is not the OpenBao server this CMK is configured for (${configuration.address}); an operator must configure CMK for that server`,
    );
  const requested = normaliseNamespace(settings.namespace) || configured;
  if (configured && requested !== configured && !requested.startsWith(`${configured}/`))
    throw pluginErrors.invalidKeyAccessData(
      `namespace "${requested}" is outside "${configured}", the namespace CMK logs in to`,
    );
  return requested;
}
