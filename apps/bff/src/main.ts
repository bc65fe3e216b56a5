import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTokenVerifier } from '@openkcm/auth';
import { pino } from 'pino';
import { createApp } from './app.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env.OPENKCM_DATA_DIR ?? '.openkcm' },
    'control-plane': { type: 'string', default: process.env.CONTROL_PLANE_URL },
    'oidc-issuer': { type: 'string', default: process.env.OIDC_ISSUER },
    cmk: { type: 'string', default: process.env.CMK_URL },
    audience: { type: 'string', default: process.env.OIDC_AUDIENCE ?? 'openkcm' },
    'allowed-origin': {
      type: 'string',
      multiple: true,
      default: (process.env.BFF_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
    },
    port: { type: 'string', default: process.env.BFF_PORT ?? '0' },
  },
});

const logger = pino(
  { redact: ['req.headers.authorization', 'token'], base: { service: 'bff' } },
  pino.destination(2),
);
if (!values['control-plane'] || !values['oidc-issuer'] || !values.cmk) {
  logger.error('the BFF needs --control-plane, --cmk and --oidc-issuer');
  process.exit(2);
}
const dataDir = resolve(values['data-dir']);
const app = createApp({
  controlPlaneUrl: values['control-plane'],
  cmkUrl: values.cmk,
  controlPlaneCa: await readFile(
    process.env.CONTROL_PLANE_CA_FILE ?? join(dataDir, 'control-plane', 'tls', 'ca.crt'),
    'utf8',
  ),
  verifier: createTokenVerifier({ issuer: values['oidc-issuer'], audience: values.audience }),
  allowedOrigins: values['allowed-origin'],
  ...(process.env.BFF_RATE_LIMIT_PER_MINUTE
    ? { rateLimitPerMinute: Number(process.env.BFF_RATE_LIMIT_PER_MINUTE) }
    : {}),
  ...(process.env.BFF_TRUST_PROXY ? { trustProxy: process.env.BFF_TRUST_PROXY } : {}),
  ...(process.env.BFF_MAX_STREAMS_PER_USER
    ? { maxStreamsPerUser: Number(process.env.BFF_MAX_STREAMS_PER_USER) }
    : {}),
  logger,
});
const server = app.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(
    `OPENKCM_READY ${JSON.stringify({ name: 'bff', url: `http://127.0.0.1:${address.port}` })}\n`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
