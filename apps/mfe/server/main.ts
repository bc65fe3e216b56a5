import { parseArgs } from 'node:util';
import { serveStaticSite, urlOf } from '@openkcm/web-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.MFE_PORT ?? '0' },
    bff: { type: 'string', default: process.env.BFF_URL },
    // The Console pages allowed to frame luigi.html; any other site is refused by the browser.
    'console-origin': { type: 'string', multiple: true, default: [] },
  },
});
const consoleOrigins = [
  ...(values['console-origin'] ?? []),
  ...(process.env.MFE_CONSOLE_ORIGINS ?? '').split(',').map((origin) => origin.trim()),
].filter((origin) => origin.length > 0);
for (const origin of consoleOrigins) {
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
    process.stderr.write(`--console-origin ${origin} is not an origin such as https://console.example.com\n`);
    process.exit(2);
  }
}
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
      'Content-Security-Policy':
        `default-src 'self'; connect-src 'self' ${bff}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'self'; frame-ancestors 'self' ${consoleOrigins.join(' ')}`.trim(),
    },
  },
  Number(values.port),
);
process.stdout.write(`OPENKCM_READY ${JSON.stringify({ name: 'mfe', url: urlOf(server) })}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
