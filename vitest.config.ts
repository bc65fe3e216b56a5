import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'packages/plugins/*/test/**/*.test.ts',
      'e2e/**/*.test.ts',
    ],
    // Generous, so a busy machine makes tests slower, never red; the waits inside tests are named
    // in packages/testkit/src/timeouts.ts.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: process.env.CI ? ['verbose'] : ['default'],
  },
});
