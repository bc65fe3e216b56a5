import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTokenVerifier } from '@openkcm/auth';
import { REPO_ROOT } from '@openkcm/local-stack';
import { tempDir } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdp, startIdp } from '../src/index.js';

const SCRIPT = join(REPO_ROOT, 'scripts/dev-token.mjs');

async function devToken(dataDir: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, ...args], {
      env: { ...process.env, OPENKCM_DATA_DIR: dataDir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run dev-token', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let idp: RunningIdp;

  beforeAll(async () => {
    dir = await tempDir('openkcm-devtoken-');
    idp = await startIdp({ dataDir: dir.path, log: () => {} });
    await writeFile(join(dir.path, 'endpoints.json'), JSON.stringify({ idp: idp.issuer }));
  });
  afterAll(async () => {
    await idp.close();
    await dir.remove();
  });

  it('prints only a valid access token for a demo user', async () => {
    const result = await devToken(dir.path, 'mallory');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const principal = await createTokenVerifier({ issuer: idp.issuer, audience: 'openkcm' }).verify(
      result.stdout.trim(),
    );
    expect(principal).toMatchObject({
      username: 'mallory',
      grants: [{ workspace: 'root:orgs:globex', role: 'Admin' }],
    });
  });

  it('speaks the kubectl exec credential protocol', async () => {
    const result = await devToken(dir.path, '--exec-credential', 'alice');
    const credential = JSON.parse(result.stdout);
    expect(credential).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
    });
    expect(Date.parse(credential.status.expirationTimestamp)).toBeGreaterThan(Date.now());
    expect(credential.status.token.split('.')).toHaveLength(3);
  });

  it('explains an unknown user and a stack that is not running', async () => {
    const unknown = await devToken(dir.path, 'eve');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('alice, victor, mallory');
    const empty = await tempDir('openkcm-devtoken-empty-');
    const notRunning = await devToken(empty.path, 'alice');
    await empty.remove();
    expect(notRunning.code).toBe(1);
    expect(notRunning.stderr).toContain('npm start');
  });
});
