import { createFederatedConfig, sharedSingletons } from '../../webpack.config.js';

/**
 * The dev shell: a Module Federation host like the Platform Mesh Console. It knows no remote at
 * build time; it registers openkcm-resource-mfe from the URL in /config.json when the page runs.
 */
export default (_env: unknown, argv: { mode?: 'development' | 'production' }) =>
  createFederatedConfig({
    appDir: import.meta.dirname,
    name: 'openkcm_dev_shell',
    mode: argv.mode ?? 'production',
    entries: { main: './src/index.ts', silent: './src/silent-renew.ts' },
    pages: {
      'index.html': { entry: 'main', title: 'Platform Mesh (dev shell)' },
      'silent-renew.html': { entry: 'silent', title: 'Renewing your session' },
    },
    shared: sharedSingletons(),
    publicPath: '/',
  });
