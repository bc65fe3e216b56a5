import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keystoreContract } from '@openkcm/plugin-sdk/testing';
import { tempDir } from '@openkcm/testkit';
import { LocalKeystore } from '../src/index.js';

async function keystore(directory: string, passphraseFile: string, initialKeys: string[] = []) {
  const plugin = new LocalKeystore();
  await plugin.configure({ directory, passphraseFile, initialKeys });
  return plugin;
}

keystoreContract('the local keystore', async () => {
  const dir = await tempDir('openkcm-local-keystore-');
  const passphrase = join(dir.path, 'passphrase');
  const wrongPassphrase = join(dir.path, 'wrong-passphrase');
  await writeFile(passphrase, 'correct horse battery staple', { mode: 0o600 });
  await writeFile(wrongPassphrase, 'incorrect donkey battery clip', { mode: 0o600 });
  const directory = join(dir.path, 'keystore');
  return {
    plugin: await keystore(directory, passphrase, ['acme-root']),
    existingKey: { keyReference: 'acme-root' },
    missingKey: { keyReference: 'no-such-key' },
    scratchKey: { keyReference: 'scratch' },
    invalidAccessData: { address: 'https://example.com' },
    withBadCredentials: () => keystore(directory, wrongPassphrase),
    // A folder below a regular file can never be reached.
    unreachable: () => keystore(join(passphrase, 'keystore'), passphrase),
    cleanup: () => dir.remove(),
  };
});
