import { createFederatedConfig, sharedSingletons } from '../../webpack.config.js';

/** openkcm-resource-mfe: the remote the Console and the dev shell load, plus a page for Luigi frames. */
export default (_env: unknown, argv: { mode?: 'development' | 'production' }) =>
  createFederatedConfig({
    appDir: import.meta.dirname,
    name: 'openkcm_resource_mfe',
    mode: argv.mode ?? 'production',
    entries: { luigi: './src/luigi/index.ts' },
    pages: { 'luigi.html': { entry: 'luigi', title: 'Key Chain' } },
    exposes: { './KeyChain': './src/KeyChain.tsx', './mount': './src/mount.tsx' },
    shared: sharedSingletons(),
  });
