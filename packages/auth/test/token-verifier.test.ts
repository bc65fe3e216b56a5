import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, TokenRejectedError } from '../src/index.js';

const ISSUER = 'https://idp.example/realms/platform-mesh';
let trusted: CryptoKey;
let untrusted: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  trusted = pair.privateKey as CryptoKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  untrusted = (await generateKeyPair('RS256')).privateKey as CryptoKey;
});

function sign(
  claims: Record<string, unknown>,
  options: { key?: CryptoKey; expiresIn?: string | number } = {},
) {
  return new SignJWT({
    preferred_username: 'alice',
    realm_access: { roles: ['openkcm:admin:root:orgs:acme'] },
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(String(claims.iss ?? ISSUER))
    .setAudience(Array.isArray(claims.aud) ? claims.aud.map(String) : String(claims.aud ?? 'openkcm'))
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(options.key ?? trusted);
}

const verifier = () =>
  createTokenVerifier(
    { issuer: ISSUER, audience: 'openkcm', clockToleranceSeconds: 0 },
    createLocalJWKSet({ keys: [publicJwk] }),
  );

async function problemOf(token: string | undefined) {
  try {
    await verifier().verify(token);
  } catch (error) {
    if (error instanceof TokenRejectedError) return { problem: error.problem, message: error.message };
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('token verification', () => {
  it('turns a valid token into a principal with workspace grants', async () => {
    expect(await verifier().verify(await sign({}))).toEqual({
      kind: 'user',
      username: 'alice',
      subject: 'user-1',
      system: false,
      grants: [{ workspace: 'root:orgs:acme', role: 'Admin' }],
      audiences: ['openkcm'],
    });
  });

  it("keeps the token's audiences and the client it was issued to, for tenants that accept only some", async () => {
    const principal = await verifier().verify(
      await sign({ aud: ['openkcm', 'acme-console'], azp: 'acme-shell' }),
    );
    expect(principal.audiences).toEqual(['openkcm', 'acme-console', 'acme-shell']);
  });

  type MakeToken = () => Promise<string | undefined>;
  it.each<[string, MakeToken]>([
    ['missing', async () => undefined],
    ['malformed', async () => 'not.a.jwt'],
    ['expired', async () => sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ['bad-signature', async () => sign({}, { key: untrusted })],
    ['wrong-issuer', async () => sign({ iss: 'https://evil.example/realms/x' })],
    ['wrong-audience', async () => sign({ aud: 'someone-else' })],
  ])(
    'refuses a %s token with a message that says what to do and never echoes the token',
    async (problem, make) => {
      const token = await make();
      const rejected = await problemOf(token);
      expect(rejected.problem).toBe(problem);
      expect(rejected.message.length).toBeGreaterThan(20);
      if (token) expect(rejected.message).not.toContain(token);
    },
  );
});
