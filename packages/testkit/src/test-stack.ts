import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, type RunningStack, startStack } from '@openkcm/local-stack';
import { tempDir } from './temp-dir.js';

const run = promisify(execFile);

export interface TestStack extends RunningStack {
  /** An access token for a demo user, from the running dev IdP (the same path `npm run dev-token` takes). */
  tokenFor(user: string): Promise<string>;
  /** Stops every process and removes the data folder. */
  dispose(): Promise<void>;
}

/** The real product processes on random loopback ports, in a fresh data folder. */
export async function startTestStack(): Promise<TestStack> {
  const dir = await tempDir();
  const stack = await startStack({
    dataDir: dir.path,
    ports: { idp: 0, controlPlane: 0, cmk: 0, controller: 0, edge: 0, bff: 0 },
  });
  return {
    ...stack,
    async tokenFor(user) {
      const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'scripts/dev-token.mjs'), user], {
        env: { ...process.env, OPENKCM_DATA_DIR: dir.path },
      });
      return stdout.trim();
    },
    async dispose() {
      await stack.stop();
      await dir.remove();
    },
  };
}
