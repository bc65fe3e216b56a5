import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type EndpointSliceRef, parseEndpointSliceRef } from '@openkcm/kube-client';
import { startController } from './server.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env.OPENKCM_DATA_DIR ?? '.openkcm' },
    'control-plane': { type: 'string', default: process.env.CONTROL_PLANE_URL },
    cmk: { type: 'string', default: process.env.CMK_URL },
    'oidc-issuer': { type: 'string', default: process.env.OIDC_ISSUER },
    port: { type: 'string', default: process.env.CONTROLLER_PORT ?? '0' },
    // <workspace>/<name> of the APIExportEndpointSlice whose URL is the export's virtual workspace.
    'api-export-endpoint-slice': {
      type: 'string',
      default: process.env.API_EXPORT_ENDPOINT_SLICE ?? 'root:openkcm/keychain.openkcm.io',
    },
  },
});

function required(name: string, value: string | undefined): string {
  if (!value) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: `the controller needs --${name}` })}\n`);
    process.exit(2);
  }
  return value;
}

function endpointSlice(value: string): EndpointSliceRef {
  const slice = parseEndpointSliceRef(value);
  if (!slice) {
    process.stderr.write(
      `${JSON.stringify({ level: 'error', msg: `--api-export-endpoint-slice must be <workspace>/<name>, e.g. root:openkcm/keychain.openkcm.io (got "${value}")` })}\n`,
    );
    process.exit(2);
  }
  return slice;
}

const dataDir = resolve(values['data-dir']);
const controller = await startController({
  controlPlaneUrl: required('control-plane', values['control-plane']),
  controlPlaneCa: await readFile(
    process.env.CONTROL_PLANE_CA_FILE ?? join(dataDir, 'control-plane', 'tls', 'ca.crt'),
    'utf8',
  ),
  serviceAccountToken: (
    await readFile(
      process.env.CONTROLLER_TOKEN_FILE ?? join(dataDir, 'secrets', 'openkcm-controller.token'),
      'utf8',
    )
  ).trim(),
  cmkUrl: required('cmk', values.cmk),
  apiExportEndpointSlice: endpointSlice(values['api-export-endpoint-slice']),
  oidc: {
    issuer: required('oidc-issuer', values['oidc-issuer']),
    clientId: 'openkcm-controller',
    clientSecret: required('OIDC_CLIENT_SECRET environment variable', process.env.OIDC_CLIENT_SECRET),
  },
  port: Number(values.port),
  ...(process.env.CONTROLLER_LEASE_SECONDS
    ? { leaseSeconds: Number(process.env.CONTROLLER_LEASE_SECONDS) }
    : {}),
  ...(process.env.CONTROLLER_REVALIDATE_SECONDS
    ? { revalidateMs: Number(process.env.CONTROLLER_REVALIDATE_SECONDS) * 1000 }
    : {}),
});
process.stdout.write(`OPENKCM_READY ${JSON.stringify({ name: 'controller', url: controller.url })}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void controller.close().then(() => process.exit(0)));
