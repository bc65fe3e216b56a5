import { join } from 'node:path';
import { certificateIssuerContract } from '@openkcm/plugin-sdk/testing';
import { tempDir } from '@openkcm/testkit';
import { LocalCaCertificateIssuer } from '../src/index.js';

certificateIssuerContract('the local CA certificate issuer', async () => {
  const dir = await tempDir('openkcm-ca-');
  const plugin = new LocalCaCertificateIssuer();
  await plugin.configure({ directory: join(dir.path, 'ca') });
  return { plugin, cleanup: () => dir.remove() };
});
