import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type OpenBaoDouble, type PolicyRules, startOpenBaoDouble, tempDir } from '@openkcm/testkit';
import { OpenBaoKeystore } from '../src/index.js';

export const SERVICE_ACCOUNT_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.service-account.cmk';

/** Everything a contract or lifecycle test needs: the same calls also serve as a guide to set up a real server. */
export interface OpenBaoFixture {
  bao: OpenBaoDouble;
  files: string;
  /** Writes role_id/secret_id files for an AppRole and returns a configuration using them. */
  appRoleConfiguration(
    role: string,
    options?: {
      namespace?: string;
      policies?: string[];
      ttl?: number;
      maxTtl?: number;
      noDefaultPolicy?: boolean;
    },
  ): Promise<Record<string, unknown>>;
  kubernetesConfiguration(
    role: string,
    namespace: string,
    policies: string[],
  ): Promise<Record<string, unknown>>;
  keystore(configuration: Record<string, unknown>): Promise<OpenBaoKeystore>;
  close(): Promise<void>;
}

export async function openBaoFixture(): Promise<OpenBaoFixture> {
  const bao = await startOpenBaoDouble();
  const dir = await tempDir('openbao-plugin-');
  const tls = { caBundleFile: bao.caFile, serverName: bao.serverName };
  const keystores: OpenBaoKeystore[] = [];
  return {
    bao,
    files: dir.path,
    async appRoleConfiguration(role, options = {}) {
      const namespace = options.namespace ?? '';
      const { roleId, secretId } = bao.addAppRole(namespace, role, {
        policies: options.policies ?? ['openkcm'],
        ...(options.ttl ? { ttl: options.ttl } : {}),
        ...(options.maxTtl ? { maxTtl: options.maxTtl } : {}),
        ...(options.noDefaultPolicy ? { noDefaultPolicy: true } : {}),
      });
      const roleIdFile = join(dir.path, `${role}.role-id`);
      const secretIdFile = join(dir.path, `${role}.secret-id`);
      await writeFile(roleIdFile, `${roleId}\n`);
      await writeFile(secretIdFile, `${secretId}\n`);
      return {
        address: bao.address,
        ...(namespace ? { namespace } : {}),
        tls,
        auth: { method: 'AppRole', appRole: { roleIdFile, secretIdFile } },
      };
    },
    async kubernetesConfiguration(role, namespace, policies) {
      bao.addKubernetesRole(namespace, role, { policies, serviceAccountToken: SERVICE_ACCOUNT_TOKEN });
      const serviceAccountTokenFile = join(dir.path, 'sa-token');
      await writeFile(serviceAccountTokenFile, SERVICE_ACCOUNT_TOKEN);
      return {
        address: bao.address,
        namespace,
        tls,
        auth: { method: 'Kubernetes', kubernetes: { role, serviceAccountTokenFile } },
      };
    },
    async keystore(configuration) {
      const plugin = new OpenBaoKeystore('keystore-openbao', bao.now);
      await plugin.configure(configuration);
      keystores.push(plugin);
      return plugin;
    },
    async close() {
      await Promise.all(keystores.map((plugin) => plugin.close()));
      await bao.close();
      await dir.remove();
    },
  };
}

/** The minimum policy as docs/keystores/openbao.md publishes it, so the tests check what users are told. */
export async function documentedMinimumPolicy(): Promise<PolicyRules> {
  const doc = await readFile(new URL('../../../../docs/keystores/openbao.md', import.meta.url), 'utf8');
  const block = /```hcl\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/keystores/openbao.md has no hcl policy block');
  const rules: PolicyRules = {};
  for (const match of block.matchAll(/path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g)) {
    const capabilities = [...(match[2] ?? '').matchAll(/"([a-z]+)"/g)].map((item) => item[1]);
    rules[match[1] ?? ''] = capabilities as PolicyRules[string];
  }
  return rules;
}
