import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EDGE_CREDENTIAL_KEYS, edgeCredentialsSecret } from '@openkcm/api';
import { type KubeClient, KubeError, keychainPath } from '@openkcm/kube-client';
import type { CredentialStore, EdgeCredentials } from './cmk-link.js';

function fromEntries(read: (key: string) => string | undefined, where: string): EdgeCredentials {
  const value = (key: string) => {
    const found = read(key)?.trim();
    if (!found) throw new Error(`${where} has no ${key}: is this the credentials Secret of a CryptoEdge?`);
    return found;
  };
  return {
    certPem: value(EDGE_CREDENTIAL_KEYS.cert),
    keyPem: value(EDGE_CREDENTIAL_KEYS.key),
    cmkCaPem: value(EDGE_CREDENTIAL_KEYS.cmkCa),
    cmkUrl: value(EDGE_CREDENTIAL_KEYS.cmkUrl),
  };
}

/** Credentials from a folder (the Secret mounted as a volume); renewals are written back when it is writable. */
export function directoryStore(dir: string): CredentialStore {
  return {
    async load() {
      const entries = new Map<string, string>();
      for (const key of Object.values(EDGE_CREDENTIAL_KEYS))
        entries.set(key, await readFile(join(dir, key), 'utf8').catch(() => ''));
      return fromEntries((key) => entries.get(key), dir);
    },
    async save(credentials) {
      await writeFile(join(dir, EDGE_CREDENTIAL_KEYS.cert), credentials.certPem, { mode: 0o644 });
      await writeFile(join(dir, EDGE_CREDENTIAL_KEYS.key), credentials.keyPem, { mode: 0o600 });
    },
  };
}

/**
 * Enrollment through the Kubernetes API, as a kubelet registers its Node: the edge declares its
 * CryptoEdge in its workspace if it is not there, and waits for the controller to put its
 * certificate in the credentials Secret. Deleting the CryptoEdge deregisters the edge.
 */
export function kubernetesStore(options: {
  kube: KubeClient;
  workspace: string;
  namespace: string;
  edgeName: string;
  log: (entry: Record<string, unknown>) => void;
  pollMs?: number;
}): CredentialStore {
  const edgePath = keychainPath(options.workspace, options.namespace, 'cryptoedges', options.edgeName);
  const secretPath = `/clusters/${options.workspace}/api/v1/namespaces/${options.namespace}/secrets/${edgeCredentialsSecret(options.edgeName)}`;
  const absent = (error: unknown) => error instanceof KubeError && error.status === 404;
  return {
    async load() {
      let announced = false;
      for (;;) {
        try {
          await options.kube.get(edgePath).catch(async (error: unknown) => {
            if (!absent(error)) throw error;
            await options.kube.request(
              'POST',
              keychainPath(options.workspace, options.namespace, 'cryptoedges'),
              {
                apiVersion: 'keychain.openkcm.io/v1alpha1',
                kind: 'CryptoEdge',
                metadata: { name: options.edgeName, namespace: options.namespace },
                spec: {},
              },
            );
            options.log({
              level: 'info',
              msg: 'CryptoEdge declared; waiting for the controller to enroll it',
              edge: options.edgeName,
            });
          });
          const secret = await options.kube.get(secretPath);
          const data = (secret as { data?: Record<string, string> }).data ?? {};
          return fromEntries(
            (key) => (data[key] ? Buffer.from(data[key], 'base64').toString('utf8') : undefined),
            secretPath,
          );
        } catch (error) {
          if (!announced)
            options.log({
              level: 'info',
              msg: 'waiting for enrollment (OpenKCM enabled in the workspace, CryptoEdge provisioned by the controller)',
              workspace: options.workspace,
              reason: (error as Error).message,
            });
          announced = true;
          await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
        }
      }
    },
    async save() {
      throw new Error(
        'the controller renews the credentials Secret; the edge keeps its own renewal in memory',
      );
    },
  };
}
