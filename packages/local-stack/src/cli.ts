import { join } from 'node:path';
import { DEMO_CONTEXTS } from './demo-users.js';
import { preferredPort } from './free-port.js';
import { REPO_ROOT, startStack } from './stack.js';

const DEFAULT_PORTS = {
  idp: 5556,
  controlPlane: 6443,
  cmk: 8090,
  cmkEdge: 8093,
  edge: 8094,
  controller: 8091,
  bff: 8100,
  shell: 4200,
  mfe: 4201,
};

function envPort(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a TCP port number (0 picks a free one), got "${value}"`);
  }
  return port;
}

async function start(): Promise<void> {
  const dataDir = process.env.OPENKCM_DATA_DIR ?? join(REPO_ROOT, '.openkcm');
  process.stderr.write(`[openkcm] starting the product on loopback (data folder ${dataDir})\n`);
  const stack = await startStack({
    dataDir,
    ports: {
      idp: await preferredPort(envPort('IDP_PORT', DEFAULT_PORTS.idp)),
      controlPlane: await preferredPort(envPort('CONTROL_PLANE_PORT', DEFAULT_PORTS.controlPlane)),
      cmk: await preferredPort(envPort('CMK_PORT', DEFAULT_PORTS.cmk)),
      cmkEdge: await preferredPort(envPort('CMK_EDGE_PORT', DEFAULT_PORTS.cmkEdge)),
      edge: await preferredPort(envPort('EDGE_PORT', DEFAULT_PORTS.edge)),
      controller: await preferredPort(envPort('CONTROLLER_PORT', DEFAULT_PORTS.controller)),
      bff: await preferredPort(envPort('BFF_PORT', DEFAULT_PORTS.bff)),
      shell: await preferredPort(envPort('SHELL_PORT', DEFAULT_PORTS.shell)),
      mfe: await preferredPort(envPort('MFE_PORT', DEFAULT_PORTS.mfe)),
    },
    echo: (name, line) => {
      if (/"level":"(error|warn)"/.test(line)) process.stderr.write(`[${name}] ${line}\n`);
    },
  });
  const kubeconfig = stack.kubeconfig;
  const lines = [
    '',
    'OpenKCM Key Chain Manager is running.',
    '',
    `  Open the console:  ${stack.endpoints.shell}   (sign in as alice / alice)`,
    '',
    `  Key Chain microfrontend (remote) ${stack.endpoints.mfe}/remoteEntry.js   (Luigi page: ${stack.endpoints.mfe}/luigi.html)`,
    `  Control plane (Kubernetes API)  ${stack.endpoints.controlPlane}/clusters/<workspace>`,
    `  Identity provider (dev IdP)     ${stack.endpoints.idp}`,
    `  CMK service (key hierarchy)     ${stack.endpoints.cmk}   (API: ${stack.endpoints.cmk}/api/v1/openapi.json)`,
    `  Controller (health, metrics)    ${stack.endpoints.controller}/metrics`,
    `  Crypto Edge of root:orgs:acme   ${stack.endpoints.edge}/v1/openapi.json   (KMS v2: ${stack.endpoints.edgeKmsSocket}; serves once OpenKCM is enabled in acme)`,
    `  BFF (API for the console)       ${stack.endpoints.bff}/api/v1/workspaces/root:orgs:acme/overview`,
    '',
    'Demo users (password = user name; dev IdP only):',
    ...DEMO_CONTEXTS.map((context) => `  ${context.user.padEnd(8)} ${context.role}`),
    '',
    'Try it:',
    `  kubectl --kubeconfig ${kubeconfig} --context alice get accounts.keychain.openkcm.io -A`,
    `  kubectl --kubeconfig ${kubeconfig} --context victor get serviceencryptionkeys`,
    '  npm run --silent dev-token -- alice      # an access token for scripts',
    '  npm run --silent workload-token -- spiffe://openkcm.local/ns/default/sa/orders   # a JWT-SVID for the edge',
    '',
    `Endpoints: ${join(stack.dataDir, 'endpoints.json')}   Logs: ${join(stack.dataDir, 'logs')}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = async (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\n[openkcm] stopping...\n');
    await stack.stop();
    process.stderr.write('[openkcm] stopped; data kept in the data folder.\n');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  for (const running of stack.processes) {
    void running.exited.then((code) => {
      if (stopping) return;
      process.stderr.write(
        `[openkcm] ${running.name} exited unexpectedly (code ${code}); see ${join(stack.dataDir, 'logs', `${running.name}.log`)}\n`,
      );
      void shutdown(1);
    });
  }
}

const [command] = process.argv.slice(2);
if (command !== 'start') {
  process.stderr.write('usage: tsx packages/local-stack/src/cli.ts start\n');
  process.exit(2);
}
start().catch((error: unknown) => {
  process.stderr.write(`[openkcm] could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
