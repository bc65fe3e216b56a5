import { stringify } from 'yaml';
import { GROUP } from '../group.js';
import { KINDS } from '../kinds/index.js';
import { toCustomResourceDefinition } from './to-crd.js';

/** kcp names schemas `<prefix>.<plural>.<group>` and never changes one: a new schema gets a new prefix. */
export const SCHEMA_PREFIX = 'v1alpha1';

const HEADER = (what: string) =>
  `# Generated from packages/api: ${what}.\n# Do not edit: change packages/api/src and run \`pnpm run crds\`.\n`;

/** The kinds as kcp APIResourceSchemas: the CRDs' spec under kcp's kind. */
function apiResourceSchemas() {
  return KINDS.map((definition) => {
    const { spec } = toCustomResourceDefinition(definition);
    return {
      apiVersion: 'apis.kcp.io/v1alpha1',
      kind: 'APIResourceSchema',
      metadata: { name: `${SCHEMA_PREFIX}.${definition.plural}.${GROUP}` },
      spec: { group: spec.group, names: spec.names, scope: spec.scope, versions: spec.versions },
    };
  });
}

/** The claims the provider needs in a bound workspace, each for one reason. */
export const PERMISSION_CLAIMS = [
  // CryptoEdge: the controller writes the edge's client certificate into a Secret;
  // WebHookNotification: it reads the signing Secret the webhook names.
  { group: '', resource: 'secrets', all: true },
  // Every reconciler records Events on the objects it acts on.
  { group: '', resource: 'events', all: true },
  // CMK's system-information plugin reads the workspace's Platform Mesh AccountInfo: its
  // organisation, parent account and OIDC clients (FR-4.2, FR-4.3).
  { group: 'core.platform-mesh.io', resource: 'accountinfos', all: true },
] as const;

/** Where the APIExport lives: the provider's own workspace. */
export const EXPORT_WORKSPACE = 'root:openkcm';

export function apiExport() {
  return {
    apiVersion: 'apis.kcp.io/v1alpha1',
    kind: 'APIExport',
    metadata: { name: GROUP },
    spec: {
      latestResourceSchemas: KINDS.map((definition) => `${SCHEMA_PREFIX}.${definition.plural}.${GROUP}`),
      permissionClaims: PERMISSION_CLAIMS,
    },
  };
}

/** Where the controller finds the export's virtual workspace URL (in its status, set by kcp). */
export function apiExportEndpointSlice() {
  return {
    apiVersion: 'apis.kcp.io/v1alpha1',
    kind: 'APIExportEndpointSlice',
    metadata: { name: GROUP },
    spec: { export: { path: EXPORT_WORKSPACE, name: GROUP } },
  };
}

/** The APIBinding a workspace creates to enable OpenKCM, accepting the export's claims. */
export function openKcmBinding(name = 'openkcm') {
  return {
    apiVersion: 'apis.kcp.io/v1alpha1',
    kind: 'APIBinding',
    metadata: { name },
    spec: {
      reference: { export: { path: EXPORT_WORKSPACE, name: GROUP } },
      permissionClaims: PERMISSION_CLAIMS.map((claim) => ({ ...claim, state: 'Accepted' })),
    },
  };
}

function providerMetadata() {
  return {
    apiVersion: 'ui.platform-mesh.io/v1alpha1',
    kind: 'ProviderMetadata',
    metadata: { name: GROUP },
    spec: {
      displayName: 'OpenKCM Key Chain Manager',
      description:
        'Bring your own root of trust: Accounts (L2) wrapped by your keystore, service keys (L3) that rotate on schedule, for workloads through the Crypto Edge.',
      tags: ['security', 'encryption', 'key-management'],
      contacts: [{ displayName: 'OpenKCM', email: 'openkcm@example.org', role: ['owner'] }],
      documentation: { url: 'https://github.com/openkcm' },
    },
  };
}

/**
 * The Console's tab: a Luigi node on every account (workspace) that bound the export, loading the
 * microfrontend's Luigi page. The URL is where the deployment serves openkcm-resource-mfe.
 */
function contentConfiguration(mfeUrl: string) {
  const content = {
    name: 'openkcm-key-chain',
    luigiConfigFragment: {
      data: {
        nodes: [
          {
            pathSegment: 'key-chain',
            label: 'Key Chain',
            icon: 'key',
            order: 700,
            entityType: 'main.core_platform-mesh_io_account',
            url: `${mfeUrl}/luigi.html`,
            loadingIndicator: { enabled: true },
            context: { accountId: ':core_platform-mesh_io_accountId' },
          },
        ],
      },
    },
  };
  return {
    apiVersion: 'ui.platform-mesh.io/v1alpha1',
    kind: 'ContentConfiguration',
    metadata: {
      name: 'openkcm-key-chain',
      labels: {
        'ui.platform-mesh.io/content-for': GROUP,
        'ui.platform-mesh.io/entity': 'core_platform-mesh_io_account',
      },
    },
    spec: { inlineConfiguration: { contentType: 'json', content: JSON.stringify(content, null, 2) } },
  };
}

/** deploy/platform-mesh: what a Platform Mesh installation applies to offer the Key Chain. */
export function renderPlatformMeshFiles(
  mfeUrl = '/providers/openkcm/ui',
): Array<{ file: string; content: string }> {
  const documents = (items: unknown[]) =>
    items.map((item) => stringify(item, { lineWidth: 0 })).join('---\n');
  return [
    {
      file: 'apiresourceschemas.yaml',
      content: HEADER('the kinds as kcp APIResourceSchemas') + documents(apiResourceSchemas()),
    },
    {
      file: 'apiexport.yaml',
      content: HEADER('the APIExport workspaces bind to enable OpenKCM') + documents([apiExport()]),
    },
    {
      file: 'apiexportendpointslice.yaml',
      content:
        HEADER("where the controller finds the export's virtual workspace") +
        documents([apiExportEndpointSlice()]),
    },
    {
      file: 'providermetadata.yaml',
      content: HEADER('how the Console lists the provider') + documents([providerMetadata()]),
    },
    {
      file: 'contentconfiguration.yaml',
      content: `${HEADER('the Key Chain tab of the Console')}# The node's url assumes the Console proxies the microfrontend at /providers/openkcm/ui.\n${documents([contentConfiguration(mfeUrl)])}`,
    },
  ];
}
