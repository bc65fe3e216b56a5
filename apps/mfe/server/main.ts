import { parseArgs } from 'node:util';
import { serveStaticSite, urlOf } from '@openkcm/web-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.MFE_PORT ?? '0' },
    bff: { type: 'string', default: process.env.BFF_URL },
  },
});
if (!values.bff) {
  process.stderr.write(
    'openkcm-resource-mfe needs --bff (or BFF_URL): the Luigi page tells the app where the BFF is\n',
  );
  process.exit(2);
}
const bff = values.bff;
const server = await serveStaticSite(
  {
    root: new URL('../dist', import.meta.url).pathname,
    documents: { '/config.json': () => ({ bffUrl: bff }) },
    htmlHeaders: {
      'Content-Security-Policy': `default-src 'self'; connect-src 'self' ${bff}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'self'`,
    },
  },
  Number(values.port),
);
process.stdout.write(`OPENKCM_READY ${JSON.stringify({ name: 'mfe', url: urlOf(server) })}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
