import { parseArgs } from 'node:util';
import { serveStaticSite, urlOf } from '@openkcm/web-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SHELL_PORT ?? '0' },
    'oidc-issuer': { type: 'string', default: process.env.OIDC_ISSUER },
    'client-id': { type: 'string', default: process.env.SHELL_CLIENT_ID ?? 'openkcm-shell' },
    bff: { type: 'string', default: process.env.BFF_URL },
    mfe: { type: 'string', default: process.env.MFE_URL },
  },
});
const { 'oidc-issuer': issuer, bff, mfe } = values;
if (!issuer || !bff || !mfe) {
  process.stderr.write(
    'the dev shell needs --oidc-issuer, --bff and --mfe (or OIDC_ISSUER, BFF_URL, MFE_URL)\n',
  );
  process.exit(2);
}
const config = { issuer, clientId: values['client-id'], bffUrl: bff, mfeUrl: mfe };
const origin = (url: string) => new URL(url).origin;
const server = await serveStaticSite(
  {
    root: new URL('../dist', import.meta.url).pathname,
    fallback: 'index.html',
    documents: { '/config.json': () => config },
    htmlHeaders: {
      'Content-Security-Policy': [
        "default-src 'self'",
        `script-src 'self' ${origin(mfe)}`,
        `connect-src 'self' ${origin(bff)} ${origin(issuer)} ${origin(mfe)}`,
        `font-src 'self' ${origin(mfe)}`,
        `img-src 'self' data: ${origin(mfe)}`,
        `style-src 'self' 'unsafe-inline' ${origin(mfe)}`,
        `frame-src 'self' ${origin(issuer)}`,
        "frame-ancestors 'self'",
        "base-uri 'self'",
      ].join('; '),
      'Referrer-Policy': 'no-referrer',
    },
  },
  Number(values.port),
);
process.stdout.write(`OPENKCM_READY ${JSON.stringify({ name: 'shell', url: urlOf(server) })}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
