import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@openkcm/testkit';
import { describe, expect, it } from 'vitest';
import { LocalKeystore } from '../src/index.js';

describe('local keystore on disk', () => {
  it('keeps root keys only sealed, in files only the owner can read, and says it is not for production', async () => {
    const dir = await tempDir('openkcm-local-files-');
    const passphraseFile = join(dir.path, 'passphrase');
    await writeFile(passphraseFile, 'correct horse battery staple', { mode: 0o600 });
    const plugin = new LocalKeystore();
    await plugin.configure({ directory: join(dir.path, 'ks'), passphraseFile, initialKeys: ['root-a'] });
    const keyFile = join(dir.path, 'ks', 'keys', 'root-a.json');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, 'ks'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir.path, 'ks', 'keys'))).toEqual(['root-a.json']);
    const health = await plugin.health();
    expect(health.production).toBe(false);
    expect(health.message).toContain('not for production');
    expect(plugin.name).toContain('development-only');
    await expect(plugin.configure({ directory: join(dir.path, 'ks') })).rejects.toThrow(/passphraseFile/);
    await dir.remove();
  });
});
