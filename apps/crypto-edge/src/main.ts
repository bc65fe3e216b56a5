import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClient } from '@openkcm/kube-client';
import { edgeAudience } from '@openkcm/spiffe';
import { directoryStore, kubernetesStore } from './credentials.js';
import { startEdge } from './edge.js';

const env = process.env;
const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: env.OPENKCM_DATA_DIR ?? '.openkcm' },
    workspace: { type: 'string', default: env.EDGE_WORKSPACE },
    name: { type: 'string', default: env.EDGE_NAME ?? 'edge' },
    namespace: { type: 'string', default: env.EDGE_NAMESPACE ?? 'default' },
    credentials: { type: 'string', default: env.EDGE_CREDENTIALS_DIR },
    'control-plane': { type: 'string', default: env.EDGE_CONTROL_PLANE },
    'control-plane-ca': { type: 'string', default: env.EDGE_CONTROL_PLANE_CA },
    'token-file': { type: 'string', default: env.EDGE_TOKEN_FILE },
    'trust-bundle': { type: 'string', default: env.EDGE_TRUST_BUNDLE },
    'trust-domain': { type: 'string', default: env.EDGE_TRUST_DOMAIN ?? 'openkcm.local' },
    audience: { type: 'string', default: env.EDGE_AUDIENCE },
    host: { type: 'string', default: env.EDGE_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: env.EDGE_PORT ?? '0' },
    'mtls-port': { type: 'string', default: env.EDGE_MTLS_PORT },
    'kms-socket': { type: 'string', default: env.EDGE_KMS_SOCKET },
    'kms-key': { type: 'string', default: env.EDGE_KMS_KEY },
    'kms-workload': { type: 'string', default: env.EDGE_KMS_WORKLOAD },
    'partition-bound-seconds': { type: 'string', default: env.EDGE_PARTITION_BOUND_SECONDS ?? '300' },
    'usage-flush-seconds': { type: 'string', default: env.EDGE_USAGE_FLUSH_SECONDS ?? '10' },
    'max-payload-bytes': { type: 'string', default: env.EDGE_MAX_PAYLOAD_BYTES ?? '65536' },
  },
});

function fail(message: string): never {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', msg: `the Crypto Edge cannot start: ${message}` })}\n`,
  );
  process.exit(1);
}

function positive(name: string, raw: string | undefined, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max)
    fail(`--${name} must be a whole number from 0 to ${max}, got "${raw}"`);
  return value;
}

const log = (entry: Record<string, unknown>) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
const dataDir = resolve(values['data-dir']);
const workspace = values.workspace;
if (!values['trust-bundle'])
  fail('--trust-bundle (the SPIFFE trust bundle file of the workloads) is required');
if (!values.credentials && !(values['control-plane'] && values['token-file'] && workspace))
  fail(
    'give --credentials <folder of the mounted credentials Secret>, or --control-plane, --token-file and --workspace to enroll through the Kubernetes API',
  );
const audience = values.audience ?? (workspace ? edgeAudience(workspace, values.name) : undefined);
if (!audience) fail('--audience (what workload tokens must name) or --workspace is required');
const trustDomain = values['trust-domain'];
const store = values.credentials
  ? directoryStore(resolve(values.credentials))
  : kubernetesStore({
      kube: new KubeClient(
        values['control-plane'] ?? '',
        (await readFile(values['token-file'] ?? '', 'utf8')).trim(),
        values['control-plane-ca'] ? await readFile(values['control-plane-ca'], 'utf8') : undefined,
      ),
      workspace: workspace ?? '',
      namespace: values.namespace,
      edgeName: values.name,
      log,
    });

try {
  const edge = await startEdge({
    store,
    trustBundleFile: resolve(values['trust-bundle']),
    trustDomain,
    audience,
    host: values.host,
    port: positive('port', values.port, 65535),
    ...(values['mtls-port'] !== undefined
      ? {
          mtls: {
            port: positive('mtls-port', values['mtls-port'], 65535),
            tlsDir: join(dataDir, 'crypto-edge', values.name, 'tls'),
          },
        }
      : {}),
    ...(values['kms-socket']
      ? {
          kms: {
            socketPath: resolve(values['kms-socket']),
            keyName:
              values['kms-key'] ??
              fail('--kms-key names the ServiceEncryptionKey the KMS socket encrypts with'),
            workload: values['kms-workload'] ?? `spiffe://${trustDomain}/kube-apiserver`,
          },
        }
      : {}),
    partitionBoundMs: positive('partition-bound-seconds', values['partition-bound-seconds'], 86_400) * 1000,
    usageFlushMs: Math.max(1, positive('usage-flush-seconds', values['usage-flush-seconds'], 3600)) * 1000,
    maxPayloadBytes: Math.max(
      1,
      positive('max-payload-bytes', values['max-payload-bytes'], 16 * 1024 * 1024),
    ),
    log,
  });
  process.stdout.write(
    `OPENKCM_READY ${JSON.stringify({ name: 'crypto-edge', url: edge.url, mtlsUrl: edge.mtlsUrl, kmsSocket: edge.kmsSocket, audience })}\n`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void edge.close().then(() => process.exit(0)));
} catch (error) {
  fail((error as Error).message);
}
