import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigurationError } from './plugins/profile.js';
import { startCmk } from './server.js';
import { EgressRuleError, parseEgressRules } from './webhooks/egress.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env.OPENKCM_DATA_DIR ?? '.openkcm' },
    config: {
      type: 'string',
      default: process.env.CMK_CONFIG ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'config.yaml'),
    },
    profile: { type: 'string', default: process.env.CMK_PROFILE ?? 'local-profile' },
    host: { type: 'string', default: process.env.CMK_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.CMK_PORT ?? '0' },
    'edge-port': { type: 'string', default: process.env.CMK_EDGE_PORT ?? '0' },
    'edge-url': { type: 'string', default: process.env.CMK_EDGE_URL },
    'edge-tls-dir': { type: 'string', default: process.env.CMK_EDGE_TLS_DIR },
    // Comma-separated hosts, host:port, IP addresses or CIDR ranges tenant webhooks may reach although
    // internal, and over http: empty by default, so webhooks reach only public https addresses.
    'webhook-allow': { type: 'string', default: process.env.OPENKCM_WEBHOOK_ALLOW ?? '' },
    // Alerts: an edge silent this long is lost (the edges' own partition bound, same variable), and a
    // re-key running this long is stuck.
    'edge-partition-bound-seconds': {
      type: 'string',
      default: process.env.EDGE_PARTITION_BOUND_SECONDS ?? '300',
    },
    'rekey-stuck-after-seconds': {
      type: 'string',
      default: process.env.CMK_REKEY_STUCK_AFTER_SECONDS ?? '1800',
    },
  },
});

/** A whole number of seconds from a flag, or CMK does not start, naming the flag. */
function seconds(flag: string, value: string): number {
  const parsed = /^\d{1,7}$/.test(value) ? Number(value) : 0;
  if (parsed < 1)
    throw new ConfigurationError(
      'command line or environment',
      `--${flag}`,
      `"${value}" is not a whole number of seconds (1 or more)`,
    );
  return parsed;
}

const dataDir = resolve(values['data-dir']);
/** The local keystore's passphrase is generated once, like the other development secrets. */
async function ensureLocalPassphrase(): Promise<void> {
  const file = join(dataDir, 'secrets', 'local-keystore.passphrase');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
}

try {
  await ensureLocalPassphrase();
  const cmk = await startCmk({
    dataDir,
    configFile: resolve(values.config),
    profile: values.profile,
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    host: values.host,
    port: Number(values.port),
    edge: {
      port: Number(values['edge-port']),
      ...(values['edge-url'] ? { advertiseUrl: values['edge-url'] } : {}),
      ...(values['edge-tls-dir'] ? { tlsDir: resolve(values['edge-tls-dir']) } : {}),
    },
    webhooks: { rules: parseEgressRules(values['webhook-allow'].split(',')) },
    alerts: {
      edgePartitionBoundSeconds: seconds(
        'edge-partition-bound-seconds',
        values['edge-partition-bound-seconds'],
      ),
      rekeyStuckAfterSeconds: seconds('rekey-stuck-after-seconds', values['rekey-stuck-after-seconds']),
    },
  });
  process.stdout.write(
    `OPENKCM_READY ${JSON.stringify({ name: 'cmk', url: cmk.url, edgeUrl: cmk.edgeUrl })}\n`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void cmk.close().then(() => process.exit(0)));
} catch (error) {
  const message =
    error instanceof ConfigurationError
      ? `CMK cannot start: ${error.message}`
      : error instanceof EgressRuleError
        ? `CMK cannot start: --webhook-allow / OPENKCM_WEBHOOK_ALLOW: ${error.message}`
        : `CMK cannot start: ${(error as Error).stack}`;
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: message })}\n`);
  process.exit(1);
}
