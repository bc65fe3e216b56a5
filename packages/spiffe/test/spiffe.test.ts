import fc from 'fast-check';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createJwtSvidVerifier,
  InvalidSpiffeIdError,
  jwtSvidKeys,
  parseSpiffeId,
  parseWorkloadPattern,
  SvidRejectedError,
  workloadAllowed,
} from '../src/index.js';

describe('SPIFFE IDs', () => {
  it('accepts what the specification allows and splits it', () => {
    expect(parseSpiffeId('spiffe://openkcm.local/ns/default/sa/orders')).toEqual({
      trustDomain: 'openkcm.local',
      segments: ['ns', 'default', 'sa', 'orders'],
      text: 'spiffe://openkcm.local/ns/default/sa/orders',
    });
    expect(parseSpiffeId('spiffe://td').segments).toEqual([]);
    expect(parseSpiffeId('spiffe://my_td-1.example/A.b-c_D').segments).toEqual(['A.b-c_D']);
  });

  it.each([
    ['http://openkcm.local/x', 'spiffe://'],
    ['SPIFFE://openkcm.local/x', 'spiffe://'],
    ['spiffe:///x', 'trust domain is missing'],
    ['spiffe://Openkcm.local/x', 'lowercase'],
    ['spiffe://openkcm.local:8443/x', 'lowercase'],
    ['spiffe://user@openkcm.local/x', 'lowercase'],
    ['spiffe://openkcm.local/', 'empty segment'],
    ['spiffe://openkcm.local/a//b', 'empty segment'],
    ['spiffe://openkcm.local/a/../b', '".."'],
    ['spiffe://openkcm.local/a/./b', '"."'],
    ['spiffe://openkcm.local/a%20b', 'may hold only'],
    ['spiffe://openkcm.local/a?b=c', 'may hold only'],
    ['spiffe://openkcm.local/a#b', 'may hold only'],
    [`spiffe://${'a'.repeat(256)}/x`, 'longer than 255'],
    [`spiffe://td/${'a'.repeat(2100)}`, 'longer than 2048'],
  ])('refuses %s', (text, why) => {
    expect(() => parseSpiffeId(text)).toThrow(InvalidSpiffeIdError);
    expect(() => parseSpiffeId(text)).toThrow(why);
  });

  it('parses every well-formed ID back to its parts and refuses anything else with its own error', () => {
    const segment = fc
      .stringMatching(/^[a-zA-Z0-9._-]{1,12}$/)
      .filter((text) => text !== '.' && text !== '..');
    const domain = fc.stringMatching(/^[a-z0-9._-]{1,20}$/);
    fc.assert(
      fc.property(domain, fc.array(segment, { maxLength: 6 }), (trustDomain, segments) => {
        const text = `spiffe://${trustDomain}${segments.map((part) => `/${part}`).join('')}`;
        expect(parseSpiffeId(text)).toEqual({ trustDomain, segments, text });
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseSpiffeId(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidSpiffeIdError);
        }
      }),
    );
  });
});

describe('allowed-workload patterns', () => {
  const patterns = [
    'spiffe://openkcm.local/ns/default/sa/orders',
    'spiffe://openkcm.local/ns/batch/sa/*',
    'spiffe://openkcm.local/ns/payments/**',
  ].map(parseWorkloadPattern);

  it.each([
    ['spiffe://openkcm.local/ns/default/sa/orders', true],
    ['spiffe://openkcm.local/ns/default/sa/billing', false],
    ['spiffe://openkcm.local/ns/batch/sa/nightly', true],
    ['spiffe://openkcm.local/ns/batch/sa/nightly/extra', false],
    ['spiffe://openkcm.local/ns/payments/sa/api', true],
    ['spiffe://openkcm.local/ns/payments', false],
    ['spiffe://other.domain/ns/default/sa/orders', false],
    ['spiffe://openkcm.local/ns/default/sa/orders/', false],
    ['not a spiffe id', false],
  ])('%s allowed: %s', (id, allowed) => {
    expect(workloadAllowed(patterns, id)).toBe(allowed);
  });

  it('refuses wildcards that are not whole segments, and "**" before the end', () => {
    for (const text of [
      'spiffe://openkcm.local/ns/def*',
      'spiffe://openkcm.local/**/sa/x',
      'spiffe://*/ns/a',
    ])
      expect(() => parseWorkloadPattern(text), text).toThrow(InvalidSpiffeIdError);
  });
});

describe('JWT-SVID verification', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'jwt-svid', alg: 'ES256' };
  const verify = createJwtSvidVerifier({
    trustDomain: 'openkcm.local',
    audience: 'edge-acme',
    // An X.509 authority in the same bundle never verifies a JWT.
    keys: jwtSvidKeys({ keys: [jwk, { ...jwk, kid: 'x509', use: 'x509-svid' }] }),
  });
  const token = (claims: Record<string, unknown>, options: { exp?: string | number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(privateKey);
  const orders = 'spiffe://openkcm.local/ns/default/sa/orders';

  it('returns the workload of a valid token', async () => {
    expect((await verify(await token({ sub: orders, aud: ['edge-acme'] }))).text).toBe(orders);
  });

  it.each<[string, () => Promise<string | undefined>, string]>([
    ['no token', async () => undefined, 'required'],
    [
      'an expired token',
      () => token({ sub: orders, aud: 'edge-acme' }, { exp: Math.floor(Date.now() / 1000) - 120 }),
      'expired',
    ],
    ['another audience', () => token({ sub: orders, aud: 'edge-globex' }), 'audience'],
    [
      'another trust domain',
      () => token({ sub: 'spiffe://evil.example/ns/x', aud: 'edge-acme' }),
      'trust domain',
    ],
    ['a sub that is no SPIFFE ID', () => token({ sub: 'orders', aud: 'edge-acme' }), 'not a SPIFFE ID'],
    [
      'an HMAC token',
      () =>
        new SignJWT({ sub: orders, aud: 'edge-acme' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('x'.repeat(32))),
      'algorithm',
    ],
    [
      'an unsigned token',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: orders, aud: 'edge-acme', exp: 9e9 })).toString('base64url')}.`,
      'not',
    ],
    [
      "a token naming the bundle's X.509 authority key",
      () =>
        new SignJWT({ sub: orders, aud: 'edge-acme' })
          .setProtectedHeader({ alg: 'ES256', kid: 'x509' })
          .setExpirationTime('5m')
          .sign(privateKey),
      'not signed by a key of the trust domain',
    ],
    [
      'a token signed by a stranger',
      async () =>
        new SignJWT({ sub: orders, aud: 'edge-acme' })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setExpirationTime('5m')
          .sign((await generateKeyPair('ES256')).privateKey),
      'not signed by a key of the trust domain',
    ],
  ])('refuses %s with a clear reason', async (_what, make, why) => {
    const rejected = verify(await make());
    await expect(rejected).rejects.toBeInstanceOf(SvidRejectedError);
    await expect(verify(await make())).rejects.toThrow(why);
  });
});
