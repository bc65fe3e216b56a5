import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startIdp } from './server.js';

const list = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : [];

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env.OPENKCM_DATA_DIR ?? '.openkcm' },
    host: { type: 'string', default: process.env.IDP_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.IDP_PORT ?? '0' },
    'shell-redirect-uri': {
      type: 'string',
      multiple: true,
      default: list(process.env.IDP_SHELL_REDIRECT_URIS),
    },
    'shell-origin': { type: 'string', multiple: true, default: list(process.env.IDP_SHELL_ORIGINS) },
    'access-token-ttl': { type: 'string', default: process.env.IDP_ACCESS_TOKEN_TTL_SECONDS ?? '3600' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a TCP port number (0 picks a free one), got "${values.port}"\n`);
  process.exit(2);
}

const accessTokenTtlSeconds = Number(values['access-token-ttl']);
if (
  !Number.isInteger(accessTokenTtlSeconds) ||
  accessTokenTtlSeconds < 60 ||
  accessTokenTtlSeconds > 86_400
) {
  process.stderr.write(
    `--access-token-ttl must be whole seconds from 60 to 86400, got "${values['access-token-ttl']}"\n`,
  );
  process.exit(2);
}

const idp = await startIdp({
  dataDir: resolve(values['data-dir']),
  host: values.host,
  port,
  shellRedirectUris: values['shell-redirect-uri'],
  shellOrigins: values['shell-origin'],
  accessTokenTtlSeconds,
});
process.stdout.write(`OPENKCM_READY ${JSON.stringify({ name: 'idp', url: idp.issuer })}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void idp.close().then(() => process.exit(0)));
}
