import { join } from 'node:path';
import { REPO_ROOT } from './repo-root.js';
import { type ApiClient, applyCrds, ensure, seedWorkspaces } from './seed.js';

/** Where the local platform "runs": one kcp Shard per region, as a multi-region kcp labels them. */
export const PLATFORM_REGIONS = ['eu-central-1', 'eu-west-1', 'us-east-1', 'ap-southeast-1'] as const;

/** The OIDC clients each organisation's AccountInfo names (the dev IdP's console and tools clients). */
export const PLATFORM_OIDC_CLIENTS = { console: 'openkcm-shell', tools: 'openkcm-dev-tools' } as const;

const ORGS = 'root:orgs';

function location(path: string, type: 'org' | 'account') {
  return { name: path.slice(path.lastIndexOf(':') + 1), path, type };
}

/**
 * What Platform Mesh's account-operator writes into an account workspace: the account, its
 * organisation (the workspace right below root:orgs), its parent account and the OIDC clients.
 */
export function accountInfo(path: string, issuerUrl: string) {
  const segments = path.split(':');
  const organization = segments.slice(0, 3).join(':');
  const parent = segments.slice(0, -1).join(':');
  const isOrg = path === organization;
  return {
    apiVersion: 'core.platform-mesh.io/v1alpha1',
    kind: 'AccountInfo',
    metadata: { name: 'account' },
    spec: {
      account: location(path, isOrg ? 'org' : 'account'),
      organization: location(organization, 'org'),
      ...(isOrg ? {} : { parentAccount: location(parent, parent === organization ? 'org' : 'account') }),
      oidc: {
        issuerUrl,
        clients: Object.fromEntries(
          Object.entries(PLATFORM_OIDC_CLIENTS).map(([name, clientId]) => [name, { clientId }]),
        ),
      },
    },
  };
}

/** Creates an account workspace of the platform: the Workspace and its AccountInfo. */
export async function seedAccountWorkspace(
  client: ApiClient,
  path: string,
  issuerUrl: string,
): Promise<void> {
  if (!path.startsWith(`${ORGS}:`)) throw new Error(`${path} is not below ${ORGS}`);
  await seedWorkspaces(client, [path]);
  await ensure(
    client,
    `/clusters/${path}/apis/core.platform-mesh.io/v1alpha1/accountinfos`,
    accountInfo(path, issuerUrl),
  );
}

/**
 * The platform around OpenKCM, as `npm start` and the tests need it: Platform Mesh's AccountInfo
 * type, the regional shards, and an AccountInfo in every account workspace given.
 */
export async function seedPlatform(
  client: ApiClient,
  options: { issuerUrl: string; shardUrl: string; workspaces: readonly string[] },
): Promise<void> {
  await applyCrds(client, join(REPO_ROOT, 'packages/local-stack/platform-mesh'));
  for (const region of PLATFORM_REGIONS) {
    await ensure(client, '/clusters/root/apis/core.kcp.io/v1alpha1/shards', {
      apiVersion: 'core.kcp.io/v1alpha1',
      kind: 'Shard',
      metadata: { name: region, labels: { region } },
      spec: { baseURL: options.shardUrl },
    } as { metadata: { name: string } });
  }
  for (const path of options.workspaces) {
    if (path.startsWith(`${ORGS}:`)) await seedAccountWorkspace(client, path, options.issuerUrl);
  }
}
