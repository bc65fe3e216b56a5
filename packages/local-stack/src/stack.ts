import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openKcmBinding, ROTATE_NOW_ANNOTATION, ROTATE_NOW_REQUESTER_ANNOTATION } from '@openkcm/api';
import { readClientSecret } from '@openkcm/idp';
import { LocalSpiffeIssuer } from '@openkcm/spiffe/local-issuer';
import { type RunningProcess, startProcess } from './child-process.js';
import {
  CMK_SERVICE_ACCOUNT,
  CONTROLLER_SERVICE_ACCOUNT,
  EDGE_SERVICE_ACCOUNT,
  EDGE_WORKSPACE,
  SEED_WORKSPACES,
} from './demo-users.js';
import { type Endpoints, writeEndpoints } from './endpoints.js';
import { freePort } from './free-port.js';
import { writeKubeconfig } from './kubeconfig.js';
import { seedPlatform } from './platform.js';
import { REPO_ROOT } from './repo-root.js';
import { type ApiClient, applyCrds, controlPlaneClient, seedProvider, seedWorkspaces } from './seed.js';

export { REPO_ROOT } from './repo-root.js';

export interface StackOptions {
  dataDir: string;
  /** 0 picks a free port; tests always do. `cmkEdge` is CMK's mTLS listener for Crypto Edges. */
  ports?: Partial<Record<ProcessName | 'cmkEdge', number>>;
  /** Called with each stderr line of the processes (npm start shows warnings and errors). */
  echo?: (name: string, line: string) => void;
}

export interface RunningStack {
  dataDir: string;
  endpoints: Endpoints;
  kubeconfig: string;
  controllerToken: string;
  /** The CA clients of the control plane trust. */
  controlPlaneCa: string;
  processes: RunningProcess[];
  /** Restarts one process on the same port and data (durability tests), doing `whileStopped` in between. */
  restart(name: ProcessName, signal?: NodeJS.Signals, whileStopped?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** Where CMK's system-information plugin reads the platform (the control plane, with CMK's own token). */
function platformAccess(endpoints: Partial<Record<string, string>>, dataDir: string): Record<string, string> {
  return {
    CONTROL_PLANE_URL: endpoints.controlPlane ?? '',
    CONTROL_PLANE_CA_FILE: join(dataDir, 'control-plane', 'tls', 'ca.crt'),
    CONTROL_PLANE_TOKEN_FILE: join(dataDir, 'secrets', `${CMK_SERVICE_ACCOUNT}.token`),
  };
}

export type ProcessName = 'idp' | 'controlPlane' | 'cmk' | 'controller' | 'edge' | 'bff' | 'mfe' | 'shell';

/** Where the local stack's Crypto Edge serves Kubernetes KMS v2 (unix sockets allow ~100 characters). */
export function edgeKmsSocket(dataDir: string): string {
  return join(dataDir, 'crypto-edge', 'kms.sock');
}

/** The ServiceEncryptionKey the local edge's KMS socket encrypts with, once someone creates it. */
export const EDGE_KMS_KEY = 'kube-secrets';

/** The product's processes in start order: each may use the URLs of the ones before it. */
const PROCESSES: Array<{
  name: ProcessName;
  entry: string;
  args: (dataDir: string, port: string, endpoints: Endpoints, web: WebOrigins) => string[];
  env?: (endpoints: Endpoints, dataDir: string, web: WebOrigins) => Promise<Record<string, string>>;
}> = [
  {
    name: 'idp',
    entry: 'apps/idp/src/main.ts',
    args: (dataDir, port, _endpoints, web) => [
      '--data-dir',
      dataDir,
      '--port',
      port,
      '--shell-redirect-uri',
      `${web.shell}/callback`,
      '--shell-redirect-uri',
      `${web.shell}/silent-renew.html`,
      '--shell-origin',
      web.shell,
    ],
  },
  {
    name: 'controlPlane',
    entry: 'apps/control-plane/src/main.ts',
    args: (dataDir, port, endpoints) => [
      '--data-dir',
      dataDir,
      '--port',
      port,
      '--oidc-issuer',
      endpoints.idp ?? '',
      '--service-account',
      CONTROLLER_SERVICE_ACCOUNT,
      '--service-account',
      EDGE_SERVICE_ACCOUNT,
      '--service-account',
      CMK_SERVICE_ACCOUNT,
      '--requester-annotation',
      `${ROTATE_NOW_ANNOTATION}=${ROTATE_NOW_REQUESTER_ANNOTATION}`,
    ],
  },
  {
    name: 'cmk',
    entry: 'apps/cmk/src/main.ts',
    args: (dataDir, port, _endpoints, web) => [
      '--data-dir',
      dataDir,
      '--port',
      port,
      '--edge-port',
      String(web.cmkEdgePort),
    ],
    env: async (endpoints, dataDir) => ({
      OIDC_ISSUER: endpoints.idp ?? '',
      ...platformAccess(endpoints, dataDir),
    }),
  },
  {
    name: 'controller',
    entry: 'apps/controller/src/main.ts',
    args: (dataDir, port, endpoints) => [
      '--data-dir',
      dataDir,
      '--port',
      port,
      '--control-plane',
      endpoints.controlPlane ?? '',
      '--cmk',
      endpoints.cmk ?? '',
      '--oidc-issuer',
      endpoints.idp ?? '',
    ],
    env: async (_endpoints, dataDir) => ({
      OIDC_CLIENT_SECRET: await readClientSecret(dataDir, 'openkcm-controller'),
    }),
  },
  {
    // The Crypto Edge of the demo organisation: it enrolls itself through the Kubernetes API once
    // OpenKCM is enabled in its workspace, and serves nothing before.
    name: 'edge',
    entry: 'apps/crypto-edge/src/main.ts',
    args: (dataDir, port, endpoints) => [
      '--data-dir',
      dataDir,
      '--port',
      port,
      '--workspace',
      EDGE_WORKSPACE,
      '--name',
      'edge',
      '--control-plane',
      endpoints.controlPlane ?? '',
      '--control-plane-ca',
      join(dataDir, 'control-plane', 'tls', 'ca.crt'),
      '--token-file',
      join(dataDir, 'secrets', `${EDGE_SERVICE_ACCOUNT}.token`),
      '--trust-bundle',
      join(dataDir, 'spiffe', 'bundle.json'),
      '--kms-socket',
      edgeKmsSocket(dataDir),
      '--kms-key',
      EDGE_KMS_KEY,
    ],
  },
  {
    name: 'bff',
    entry: 'apps/bff/src/main.ts',
    args: (dataDir, port, endpoints, web) => [
      '--data-dir',
      dataDir,
      '--port',
      port,
      '--control-plane',
      endpoints.controlPlane ?? '',
      '--cmk',
      endpoints.cmk ?? '',
      '--oidc-issuer',
      endpoints.idp ?? '',
      '--allowed-origin',
      web.shell,
      '--allowed-origin',
      web.mfe,
    ],
  },
  {
    name: 'mfe',
    entry: 'apps/mfe/server/main.ts',
    args: (_dataDir, port, endpoints, web) => [
      '--port',
      port,
      '--bff',
      endpoints.bff ?? '',
      '--console-origin',
      web.shell,
    ],
  },
  {
    name: 'shell',
    entry: 'apps/shell/server/main.ts',
    args: (_dataDir, port, endpoints) => [
      '--port',
      port,
      '--oidc-issuer',
      endpoints.idp ?? '',
      '--bff',
      endpoints.bff ?? '',
      '--mfe',
      endpoints.mfe ?? '',
    ],
  },
];

/**
 * What must be fixed before the processes start: the browser apps' origins (the IdP and the BFF
 * must know them) and CMK's edge port (enrolled edges keep its URL across CMK restarts).
 */
interface WebOrigins {
  shell: string;
  mfe: string;
  cmkEdgePort: number;
}

function portOf(url: string): string {
  return new URL(url).port;
}

/** What the product needs in a fresh control plane: its CRDs and export, the workspaces and the platform around them. */
async function seedControlPlane(
  client: ApiClient,
  url: string,
  issuerUrl: string,
  workspaces: readonly string[],
): Promise<void> {
  await applyCrds(client, join(REPO_ROOT, 'deploy/crds'));
  await seedProvider(client);
  await seedWorkspaces(client, workspaces);
  await seedPlatform(client, { issuerUrl, shardUrl: url, workspaces });
}

export interface RunningPlatform {
  url: string;
  /** What CMK's system-information plugin needs to read this platform (config.yaml's variables). */
  cmkEnv: Record<string, string>;
  /** A client of the control plane as the product's controller. */
  client: ApiClient;
  stop(): Promise<void>;
}

/**
 * The control plane alone, seeded like `npm start` seeds it and with OpenKCM bound in the given
 * workspaces: the platform a CMK under test reads, without the rest of the product.
 */
export async function startPlatform(options: {
  dataDir: string;
  issuerUrl: string;
  workspaces: readonly string[];
}): Promise<RunningPlatform> {
  const dataDir = resolve(options.dataDir);
  const definition = PROCESSES.find((candidate) => candidate.name === 'controlPlane');
  if (!definition) throw new Error('no control plane process');
  const web: WebOrigins = { shell: '', mfe: '', cmkEdgePort: 0 };
  const running = await startProcess(
    {
      name: 'controlPlane',
      entry: join(REPO_ROOT, definition.entry),
      args: definition.args(dataDir, '0', { idp: options.issuerUrl }, web),
    },
    { cwd: REPO_ROOT, logDir: join(dataDir, 'logs') },
  );
  try {
    const token = (
      await readFile(join(dataDir, 'secrets', `${CONTROLLER_SERVICE_ACCOUNT}.token`), 'utf8')
    ).trim();
    const ca = await readFile(join(dataDir, 'control-plane', 'tls', 'ca.crt'), 'utf8');
    const client = controlPlaneClient(running.url, token, ca);
    const parents = [...new Set(options.workspaces.flatMap((path) => ancestorsOf(path)))];
    await seedControlPlane(client, running.url, options.issuerUrl, [
      ...new Set([...parents, ...options.workspaces]),
    ]);
    for (const path of options.workspaces) {
      const bound = await client.request(
        'POST',
        `/clusters/${path}/apis/apis.kcp.io/v1alpha1/apibindings`,
        openKcmBinding(),
      );
      if (bound.status !== 201 && bound.status !== 409)
        throw new Error(`could not bind ${path}: ${bound.status}`);
    }
    return {
      url: running.url,
      cmkEnv: platformAccess({ controlPlane: running.url }, dataDir),
      client,
      stop: () => running.stop(),
    };
  } catch (error) {
    await running.stop();
    throw error;
  }
}

/** `root:orgs:acme:team-a` → `root:orgs`, `root:orgs:acme` (the workspaces that must exist first). */
function ancestorsOf(path: string): string[] {
  const segments = path.split(':');
  const ancestors: string[] = [];
  for (let length = 2; length < segments.length; length++)
    ancestors.push(segments.slice(0, length).join(':'));
  return ancestors;
}

/** Starts every process of the product on loopback, seeds the control plane and writes endpoints.json and the kubeconfig. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logDir = join(dataDir, 'logs');
  const endpoints: Endpoints = {};
  const ports: Partial<Record<ProcessName, number>> = {
    ...options.ports,
    mfe: options.ports?.mfe || (await freePort()),
    shell: options.ports?.shell || (await freePort()),
  };
  const web: WebOrigins = {
    shell: `http://127.0.0.1:${ports.shell}`,
    mfe: `http://127.0.0.1:${ports.mfe}`,
    cmkEdgePort: options.ports?.cmkEdge || (await freePort()),
  };
  const launch = async (name: ProcessName, port: string) => {
    const definition = PROCESSES.find((candidate) => candidate.name === name);
    if (!definition) throw new Error(`unknown process ${name}`);
    return startProcess(
      {
        name,
        entry: join(REPO_ROOT, definition.entry),
        args: definition.args(dataDir, port, endpoints, web),
        ...(definition.env ? { env: await definition.env(endpoints, dataDir, web) } : {}),
      },
      {
        cwd: REPO_ROOT,
        logDir,
        ...(options.echo ? { echo: (line: string) => options.echo?.(name, line) } : {}),
      },
    );
  };

  const controllerTokenFile = join(dataDir, 'secrets', `${CONTROLLER_SERVICE_ACCOUNT}.token`);
  let controllerToken = '';
  let controlPlaneCa = '';
  const processes: RunningProcess[] = [];
  // Workloads' identities: the bundle must exist before the edge starts.
  await LocalSpiffeIssuer.open(join(dataDir, 'spiffe'));
  await mkdir(join(dataDir, 'crypto-edge'), { recursive: true, mode: 0o700 });
  try {
    for (const definition of PROCESSES) {
      const running = await launch(definition.name, String(ports[definition.name] ?? 0));
      processes.push(running);
      endpoints[definition.name] = running.url;
      if (definition.name === 'controlPlane') {
        // The API must exist before the controller and the BFF watch it.
        controllerToken = (await readFile(controllerTokenFile, 'utf8')).trim();
        controlPlaneCa = await readFile(join(dataDir, 'control-plane', 'tls', 'ca.crt'), 'utf8');
        await seedControlPlane(
          controlPlaneClient(running.url, controllerToken, controlPlaneCa),
          running.url,
          endpoints.idp ?? '',
          SEED_WORKSPACES,
        );
      }
    }
  } catch (error) {
    await Promise.all(processes.map((running) => running.stop()));
    throw error;
  }

  const kubeconfig = join(dataDir, 'kubeconfig');
  endpoints.edgeKmsSocket = edgeKmsSocket(dataDir);
  await writeEndpoints(dataDir, endpoints);
  await writeKubeconfig(kubeconfig, {
    controlPlaneUrl: endpoints.controlPlane ?? '',
    dataDir,
    devTokenScript: join(REPO_ROOT, 'scripts/dev-token.mjs'),
    controllerToken,
    controlPlaneCa,
  });

  return {
    dataDir,
    endpoints,
    kubeconfig,
    controllerToken,
    controlPlaneCa,
    processes,
    async restart(name, signal = 'SIGTERM', whileStopped) {
      const index = processes.findIndex((running) => running.name === name);
      const running = processes[index];
      if (!running) throw new Error(`${name} is not running`);
      await running.stop(signal);
      await whileStopped?.();
      processes[index] = await launch(name, portOf(running.url));
    },
    async stop() {
      for (const running of [...processes].reverse()) await running.stop();
    },
  };
}
