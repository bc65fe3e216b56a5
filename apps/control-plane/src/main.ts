import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateServingCertificate } from '@openkcm/pki';
import { parseRequesterAnnotations } from './api/requester-annotations.js';
import { startControlPlane } from './server.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env.OPENKCM_DATA_DIR ?? '.openkcm' },
    host: { type: 'string', default: process.env.CONTROL_PLANE_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.CONTROL_PLANE_PORT ?? '0' },
    'oidc-issuer': { type: 'string', default: process.env.OIDC_ISSUER },
    'oidc-audience': { type: 'string', default: process.env.OIDC_AUDIENCE ?? 'openkcm' },
    'service-account': { type: 'string', multiple: true, default: ['openkcm-controller'] },
    'requester-annotation': { type: 'string', multiple: true, default: [] },
    // Service accounts that may list /clusters/* directly; none by default, as in kcp.
    'shard-admin': { type: 'string', multiple: true, default: [] },
  },
});

const dataDir = resolve(values['data-dir']);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a TCP port number (0 picks a free one), got "${values.port}"\n`);
  process.exit(2);
}

const tls = await loadOrCreateServingCertificate(
  join(dataDir, 'control-plane', 'tls'),
  'openkcm-control-plane',
);
const controlPlane = await startControlPlane({
  storageDir: join(dataDir, 'control-plane'),
  tls,
  host: values.host,
  port,
  ...(values['oidc-issuer']
    ? { oidc: { issuer: values['oidc-issuer'], audience: values['oidc-audience'] } }
    : {}),
  requesterAnnotations: parseRequesterAnnotations(values['requester-annotation']),
  shardAdmins: values['shard-admin'],
  serviceAccounts: values['service-account'].map((name) => ({
    name,
    file: join(dataDir, 'secrets', `${name}.token`),
  })),
});
process.stdout.write(`OPENKCM_READY ${JSON.stringify({ name: 'controlPlane', url: controlPlane.url })}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void controlPlane.close().then(() => process.exit(0));
  });
}
