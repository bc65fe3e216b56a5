import { readFile } from 'node:fs/promises';
import { isWorkspacePath } from '@openkcm/auth';
import { KubeClient, KubeError, type KubeObject, resolveVirtualWorkspace } from '@openkcm/kube-client';
import { PluginError } from '@openkcm/plugin-sdk';
import { parse, type Static, Type } from '@openkcm/schema';

const Location = Type.Object({
  name: Type.String({ minLength: 1 }),
  path: Type.String({ minLength: 1 }),
  type: Type.String(),
});

/** The parts of Platform Mesh's AccountInfo (core.platform-mesh.io/v1alpha1) this plugin relies on. */
export const AccountInfoSpec = Type.Object({
  account: Location,
  organization: Location,
  parentAccount: Type.Optional(Location),
  oidc: Type.Optional(
    Type.Object({
      issuerUrl: Type.Optional(Type.String()),
      // A map of client name to client, as a JSON schema map (additionalProperties), like the CRD's.
      clients: Type.Optional(
        Type.Object({}, { additionalProperties: Type.Object({ clientId: Type.String({ minLength: 1 }) }) }),
      ),
    }),
  ),
});
export type AccountInfoSpec = Static<typeof AccountInfoSpec>;

const CACHE_MS = 30_000;

function unavailable(detail: string, cause?: unknown): PluginError {
  return new PluginError('UNAVAILABLE', `the Platform Mesh API is unreachable: ${detail}`, { cause });
}

/**
 * Reads the platform: the regions of kcp's shards (the `region` label, in the root workspace) and,
 * through the APIExport's virtual workspace (the AccountInfo permission claim), each workspace's
 * AccountInfo. Answers are kept 30 s, per workspace.
 */
export class PlatformGraph {
  private regions: { at: number; value: string[] } | undefined;
  private readonly accounts = new Map<string, { at: number; value: AccountInfoSpec | undefined }>();
  private view: Promise<string> | undefined;

  constructor(
    private readonly settings: {
      url: string;
      caFile?: string | undefined;
      tokenFile: string;
      endpointSlice: { workspace: string; name: string };
    },
    private readonly now: () => number = Date.now,
  ) {}

  /** A client with the token read afresh (projected tokens rotate). */
  private async client(baseUrl: string): Promise<KubeClient> {
    const [token, ca] = await Promise.all([
      readFile(this.settings.tokenFile, 'utf8').catch((error: unknown) => {
        throw unavailable(`cannot read the token file ${this.settings.tokenFile}`, error);
      }),
      this.settings.caFile ? readFile(this.settings.caFile, 'utf8') : Promise.resolve(undefined),
    ]);
    return new KubeClient(baseUrl, token.trim(), ca);
  }

  /** The export's virtual workspace, from its endpoint slice (looked up once, again after a failure). */
  private viewUrl(): Promise<string> {
    const { workspace, name } = this.settings.endpointSlice;
    this.view ??= (async () => {
      const platform = await this.client(this.settings.url);
      return resolveVirtualWorkspace(platform, { workspace, name }, () => undefined, 5).catch(
        (error: unknown) => {
          throw unavailable(error instanceof Error ? error.message : String(error), error);
        },
      );
    })().catch((error: unknown) => {
      this.view = undefined;
      throw error;
    });
    return this.view;
  }

  /** The regions the platform runs in: the `region` labels of its shards. */
  async platformRegions(): Promise<string[]> {
    if (this.regions && this.now() - this.regions.at < CACHE_MS) return this.regions.value;
    const platform = await this.client(this.settings.url);
    const shards = await platform
      .request<{ items?: KubeObject[] }>('GET', '/clusters/root/apis/core.kcp.io/v1alpha1/shards')
      .catch((error: unknown) => {
        throw unavailable(
          `listing shards failed (${error instanceof Error ? error.message : String(error)})`,
          error,
        );
      });
    const value = [
      ...new Set((shards.items ?? []).flatMap((shard) => shard.metadata.labels?.region ?? [])),
    ].sort();
    this.regions = { at: this.now(), value };
    return value;
  }

  /** The AccountInfo of a workspace, or undefined when the workspace is not an account of the platform. */
  async accountInfo(workspace: string): Promise<AccountInfoSpec | undefined> {
    // The path goes into a URL of the platform API: a workspace path and nothing else.
    if (!isWorkspacePath(workspace)) return undefined;
    const cached = this.accounts.get(workspace);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.value;
    const view = await this.client(await this.viewUrl());
    const object = await view
      .get(`/clusters/${workspace}/apis/core.platform-mesh.io/v1alpha1/accountinfos/account`)
      .catch((error: unknown) => {
        if (error instanceof KubeError && error.status === 404) return undefined;
        throw unavailable(
          `reading the AccountInfo of ${workspace} failed (${error instanceof Error ? error.message : String(error)})`,
          error,
        );
      });
    let value: AccountInfoSpec | undefined;
    if (object) {
      try {
        value = parse(AccountInfoSpec, object.spec ?? {});
      } catch (error) {
        throw new PluginError(
          'INVALID_CONFIGURATION',
          `the AccountInfo of ${workspace} is not what Platform Mesh writes: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    this.accounts.set(workspace, { at: this.now(), value });
    return value;
  }
}
