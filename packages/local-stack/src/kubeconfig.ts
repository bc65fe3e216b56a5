import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { CONTROLLER_SERVICE_ACCOUNT, DEMO_CONTEXTS } from './demo-users.js';

export interface KubeconfigInput {
  controlPlaneUrl: string;
  dataDir: string;
  /** Absolute path of scripts/dev-token.mjs, which kubectl runs to get a fresh token per user. */
  devTokenScript: string;
  /** The controller's service-account token; the kubeconfig is written 0600 into the data folder. */
  controllerToken: string;
  /** PEM of the CA that signed the control plane's serving certificate. */
  controlPlaneCa: string;
}

function clusterName(workspace: string): string {
  return workspace.replaceAll(':', '-');
}

/**
 * One context per demo user (its token fetched by an exec credential plugin, so it never
 * expires in the file) and one for the controller's service account, which acts everywhere.
 */
export function buildKubeconfig(input: KubeconfigInput): string {
  const workspaces = [...new Set(['root', ...DEMO_CONTEXTS.map((context) => context.workspace)])];
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': DEMO_CONTEXTS[0].user,
    clusters: workspaces.map((workspace) => ({
      name: clusterName(workspace),
      cluster: {
        server: `${input.controlPlaneUrl}/clusters/${workspace}`,
        'certificate-authority-data': Buffer.from(input.controlPlaneCa).toString('base64'),
      },
    })),
    users: [
      ...DEMO_CONTEXTS.map(({ user }) => ({
        name: user,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: process.execPath,
            args: [input.devTokenScript, '--exec-credential', user],
            env: [{ name: 'OPENKCM_DATA_DIR', value: input.dataDir }],
            interactiveMode: 'Never',
            provideClusterInfo: false,
          },
        },
      })),
      { name: CONTROLLER_SERVICE_ACCOUNT, user: { token: input.controllerToken } },
    ],
    contexts: [
      ...DEMO_CONTEXTS.map(({ user, workspace }) => ({
        name: user,
        context: { cluster: clusterName(workspace), user, namespace: 'default' },
      })),
      {
        name: 'controller',
        context: { cluster: 'root', user: CONTROLLER_SERVICE_ACCOUNT, namespace: 'default' },
      },
    ],
  };
  return stringify(config);
}

export async function writeKubeconfig(path: string, input: KubeconfigInput): Promise<void> {
  await writeFile(path, buildKubeconfig(input), { mode: 0o600 });
}
