import {
  PLATFORM_OIDC_CLIENTS,
  PLATFORM_REGIONS,
  type RunningPlatform,
  startPlatform,
} from '@openkcm/local-stack';
import { systemInformationContract } from '@openkcm/plugin-sdk/testing';
import { tempDir } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceGraphSystemInformation } from '../src/index.js';

const WORKSPACES = [
  'root:orgs:acme',
  'root:orgs:acme:team-a',
  'root:orgs:acme:team-b',
  'root:orgs:acme-evil',
  'root:orgs:globex',
];

async function platformAndPlugin(): Promise<{
  platform: RunningPlatform;
  plugin: ResourceGraphSystemInformation;
  cleanup(): Promise<void>;
}> {
  const dir = await tempDir('openkcm-resource-graph-');
  const platform = await startPlatform({
    dataDir: dir.path,
    issuerUrl: 'https://idp.example.org/realms/platform-mesh',
    workspaces: WORKSPACES,
  });
  const plugin = await platformPluginFor(platform);
  return {
    platform,
    plugin,
    async cleanup() {
      await platform.stop();
      await dir.remove();
    },
  };
}

systemInformationContract('the Platform Mesh resource-graph plugin', async () => {
  const { plugin, cleanup } = await platformAndPlugin();
  return {
    plugin,
    validTenant: { workspace: 'root:orgs:acme', region: 'eu-central-1', audiences: ['openkcm-shell'] },
    invalidRegion: 'mars-north-1',
    cleanup,
  };
});

describe('the resource-graph plugin reads the platform, not a list', () => {
  let subject: Awaited<ReturnType<typeof platformAndPlugin>>;
  beforeAll(async () => {
    subject = await platformAndPlugin();
  });
  afterAll(async () => {
    await subject?.cleanup();
  });

  it("takes regions from the shards' region labels and names them when refusing one", async () => {
    const refused = await subject.plugin.validateTenant({
      workspace: 'root:orgs:acme',
      region: 'mars-north-1',
    });
    expect(refused.problems[0]?.message).toContain([...PLATFORM_REGIONS].sort().join(', '));
    // A region the platform adds (a new shard) is valid for a plugin that reads it afresh.
    await subject.platform.client.request('POST', '/clusters/root/apis/core.kcp.io/v1alpha1/shards', {
      apiVersion: 'core.kcp.io/v1alpha1',
      kind: 'Shard',
      metadata: { name: 'mars', labels: { region: 'mars-north-1' } },
      spec: { baseURL: subject.platform.url },
    });
    const fresh = await platformPluginFor(subject.platform);
    expect((await fresh.validateTenant({ workspace: 'root:orgs:acme', region: 'mars-north-1' })).valid).toBe(
      true,
    );
  });

  it("accepts audiences that are OIDC clients of the workspace's organisation, naming them otherwise", async () => {
    for (const clientId of Object.values(PLATFORM_OIDC_CLIENTS))
      expect(
        (await subject.plugin.validateTenant({ workspace: 'root:orgs:acme:team-a', audiences: [clientId] }))
          .valid,
      ).toBe(true);
    const refused = await subject.plugin.validateTenant({
      workspace: 'root:orgs:acme',
      audiences: ['someone-else'],
    });
    expect(refused.problems).toEqual([
      expect.objectContaining({ field: 'audiences', message: expect.stringContaining('openkcm-shell') }),
    ]);
  });

  it('refuses a workspace that is not an account of the platform', async () => {
    const refused = await subject.plugin.validateTenant({ workspace: 'root:orgs:initech' });
    expect(refused.problems).toEqual([
      expect.objectContaining({ field: 'workspace', message: expect.stringContaining('no AccountInfo') }),
    ]);
  });

  it('says why a hierarchy is refused: another organisation, a child, a sibling', async () => {
    const reason = async (key: string, account: string) => {
      const decision = await subject.plugin.sameHierarchy(key, account);
      return decision.allowed ? 'allowed' : decision.reason;
    };
    expect(await reason('root:orgs:globex', 'root:orgs:acme')).toContain(
      'belongs to organisation acme, not globex',
    );
    expect(await reason('root:orgs:acme', 'root:orgs:acme:team-a')).toContain('not of a child');
    expect(await reason('root:orgs:acme:team-a', 'root:orgs:acme:team-b')).toContain('not a parent');
  });

  it('reports the platform unreachable as a retryable failure, and health says so', async () => {
    const plugin = new ResourceGraphSystemInformation();
    await plugin.configure({
      controlPlane: { url: 'https://127.0.0.1:1', tokenFile: '/nonexistent/token' },
    });
    await expect(
      plugin.validateTenant({ workspace: 'root:orgs:acme', region: 'eu-central-1' }),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
    });
    expect((await plugin.health()).status).toBe('unhealthy');
  });

  it('refuses a configuration with an http address or without a token file', async () => {
    await expect(
      new ResourceGraphSystemInformation().configure({
        controlPlane: { url: 'http://kcp:6443', tokenFile: '/t' },
      }),
    ).rejects.toThrow(/controlPlane.url/);
    await expect(
      new ResourceGraphSystemInformation().configure({ controlPlane: { url: 'https://kcp:6443' } }),
    ).rejects.toThrow(/tokenFile/);
  });
});

async function platformPluginFor(platform: RunningPlatform): Promise<ResourceGraphSystemInformation> {
  const plugin = new ResourceGraphSystemInformation();
  await plugin.configure({
    controlPlane: {
      url: platform.cmkEnv.CONTROL_PLANE_URL,
      caFile: platform.cmkEnv.CONTROL_PLANE_CA_FILE,
      tokenFile: platform.cmkEnv.CONTROL_PLANE_TOKEN_FILE,
    },
  });
  return plugin;
}
