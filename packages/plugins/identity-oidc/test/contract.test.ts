import { startIdp } from '@openkcm/idp';
import { identityContract } from '@openkcm/plugin-sdk/testing';
import { tempDir } from '@openkcm/testkit';
import { generateKeyPair, SignJWT } from 'jose';
import { OidcIdentity } from '../src/index.js';

identityContract('the OIDC identity plugin', async () => {
  const dir = await tempDir('openkcm-identity-');
  const idp = await startIdp({ dataDir: dir.path, log: () => {} });
  const plugin = new OidcIdentity();
  await plugin.configure({ issuer: idp.issuer, audience: 'openkcm' });
  const { readClientSecret } = await import('@openkcm/idp');
  return {
    plugin,
    expectedUsername: 'service-account-openkcm-cmk',
    async validToken() {
      const secret = await readClientSecret(dir.path, 'openkcm-cmk');
      const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
        token_endpoint: string;
      };
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Basic ${Buffer.from(`openkcm-cmk:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      return ((await response.json()) as { access_token: string }).access_token;
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
