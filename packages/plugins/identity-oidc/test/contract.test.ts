import { readClientSecret, startIdp } from '@openkcm/idp';
import { identityContract } from '@openkcm/plugin-sdk/testing';
import { idpToken, tempDir } from '@openkcm/testkit';
import { generateKeyPair, SignJWT } from 'jose';
import { OidcIdentity } from '../src/index.js';

identityContract('the OIDC identity plugin', async () => {
  const dir = await tempDir('openkcm-identity-');
  const idp = await startIdp({ dataDir: dir.path, log: () => {} });
  const plugin = new OidcIdentity();
  await plugin.configure({ issuer: idp.issuer, audience: 'openkcm' });
  return {
    plugin,
    expectedUsername: 'service-account-openkcm-cmk',
    async validToken() {
      return (
        (
          await idpToken(idp.issuer, 'openkcm-cmk', await readClientSecret(dir.path, 'openkcm-cmk'), {
            grant_type: 'client_credentials',
          })
        ).body.access_token ?? ''
      );
    },
    async forgedToken() {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ preferred_username: 'alice' })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(idp.issuer)
        .setAudience('openkcm')
        .setSubject('x')
        .setExpirationTime('5m')
        .sign(privateKey);
    },
    async cleanup() {
      await idp.close();
      await dir.remove();
    },
  };
});
