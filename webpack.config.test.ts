import { describe, expect, it } from 'vitest';
import webpack from 'webpack';
import { createFederatedConfig } from './webpack.config.js';

describe('shared webpack base', () => {
  it('produces a configuration webpack accepts for a remote and for a host', () => {
    const remote = createFederatedConfig({
      appDir: 'apps/mfe',
      name: 'openkcm_resource_mfe',
      mode: 'production',
      exposes: { './KeyChain': './src/KeyChain.tsx' },
    });
    const host = createFederatedConfig({
      appDir: 'apps/shell',
      name: 'shell',
      mode: 'development',
      remotes: { openkcm_resource_mfe: 'openkcm_resource_mfe@http://127.0.0.1:1/remoteEntry.js' },
    });
    expect(() => webpack.validate([remote, host])).not.toThrow();
    expect(remote.output?.uniqueName).toBe('openkcm_resource_mfe');
  });
});
