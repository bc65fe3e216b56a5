import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalCertificateAuthority } from '@openkcm/pki';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { parseSpiffeId } from './spiffe-id.js';

const ALGORITHM = 'ES256';

/**
 * The development stand-in for SPIRE: one trust domain whose JWT-SVIDs are signed with a key kept
 * in `dir` (0600) and whose X.509-SVIDs come from a local CA, both published in `bundle.json` in
 * the SPIFFE bundle format (a JWKS: `use: jwt-svid` keys, `use: x509-svid` authorities with x5c).
 */
export class LocalSpiffeIssuer {
  private constructor(
    readonly trustDomain: string,
    readonly bundleFile: string,
    private readonly signingKey: CryptoKey,
    private readonly kid: string,
    private readonly authority: LocalCertificateAuthority,
  ) {}

  static async open(dir: string, trustDomain = 'openkcm.local'): Promise<LocalSpiffeIssuer> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const keyFile = join(dir, 'jwt-signing-key.json');
    let privateJwk: JWK;
    try {
      privateJwk = JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
      privateJwk = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: ALGORITHM };
      await writeFile(keyFile, JSON.stringify(privateJwk), { mode: 0o600, flag: 'wx' }).catch(
        (writeError: NodeJS.ErrnoException) => {
          if (writeError.code !== 'EEXIST') throw writeError;
        },
      );
      privateJwk = JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
    }
    const authority = await LocalCertificateAuthority.open(join(dir, 'x509-ca'), `SPIFFE ${trustDomain}`);
    const issuer = new LocalSpiffeIssuer(
      trustDomain,
      join(dir, 'bundle.json'),
      (await importJWK(privateJwk, ALGORITHM)) as CryptoKey,
      privateJwk.kid ?? '',
      authority,
    );
    const { d: _private, ...publicJwk } = privateJwk;
    const caDer = authority.caPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const bundle = {
      keys: [
        { ...publicJwk, use: 'jwt-svid' },
        { kty: 'EC', use: 'x509-svid', x5c: [caDer], ...authorityKey(authority.caPem) },
      ],
      spiffe_refresh_hint: 300,
    };
    const text = `${JSON.stringify(bundle, null, 2)}\n`;
    if ((await readFile(issuer.bundleFile, 'utf8').catch(() => '')) === text) return issuer;
    // Written whole under a name of its own, then renamed: a reader never sees half a file, and
    // several openers at once do not trip over each other.
    const temporary = `${issuer.bundleFile}.${process.pid}.${crypto.randomUUID()}.tmp`;
    await writeFile(temporary, text, { mode: 0o644 });
    await rename(temporary, issuer.bundleFile);
    return issuer;
  }

  /** A JWT-SVID for `spiffeId`, for `audience`, valid for `ttlSeconds` (5 minutes by default, as SPIRE's default). */
  async jwtSvid(spiffeId: string, audience: string, ttlSeconds = 300): Promise<string> {
    const id = parseSpiffeId(spiffeId);
    if (id.trustDomain !== this.trustDomain)
      throw new Error(`${spiffeId} is not in trust domain ${this.trustDomain}`);
    return new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(id.text)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.signingKey);
  }

  /** An X.509-SVID: a client certificate whose only URI SAN is the SPIFFE ID. */
  async x509Svid(spiffeId: string, validityHours = 1) {
    const id = parseSpiffeId(spiffeId);
    if (id.trustDomain !== this.trustDomain)
      throw new Error(`${spiffeId} is not in trust domain ${this.trustDomain}`);
    const issued = await this.authority.issueClient({
      commonName: 'workload',
      uris: [id.text],
      validityHours,
    });
    return { certPem: issued.certPem, keyPem: issued.keyPem, bundlePem: this.authority.caPem };
  }
}

/** The public key coordinates of the CA, so the x509-svid entry is a well-formed JWK. */
function authorityKey(caPem: string): { crv: string; x: string; y: string } {
  const jwk = new X509Certificate(caPem).publicKey.export({ format: 'jwk' });
  return { crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y) };
}
