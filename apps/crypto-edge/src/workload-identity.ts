import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { TLSSocket } from 'node:tls';
import { parseUntrustedJson } from '@openkcm/schema';
import {
  createJwtSvidVerifier,
  jwtSvidKeys,
  parseSpiffeId,
  type SpiffeId,
  SvidRejectedError,
} from '@openkcm/spiffe';
import { decodeJwt, type JWK, type JWTVerifyGetKey } from 'jose';
import { EdgeError } from './edge-error.js';

/** How often the bundle file is looked at again: SPIRE rotates its keys, and the file follows. */
const BUNDLE_RECHECK_MS = 5000;
/** Verified tokens remembered (by the whole token, until their expiry): a signature check per call would dominate the hot path. */
const VERIFIED_TOKENS_MAX = 10_000;

interface Bundle {
  jwtKeys: JWTVerifyGetKey;
  /** PEMs of the X.509 authorities (keys marked `x509-svid`, their x5c). */
  x509Authorities: string[];
}

function parseBundle(text: string, file: string): Bundle {
  const document = parseUntrustedJson(text) as { keys?: unknown };
  if (!document || !Array.isArray(document.keys))
    throw new Error(`${file} is not a SPIFFE trust bundle (a JWKS with "keys")`);
  const keys = document.keys as JWK[];
  const x509Authorities = keys
    .filter((key) => key.use === 'x509-svid' && Array.isArray(key.x5c) && key.x5c[0])
    .map((key) => new X509Certificate(Buffer.from(key.x5c?.[0] ?? '', 'base64')).toString());
  return { jwtKeys: jwtSvidKeys({ keys }), x509Authorities };
}

/** The trust domain's bundle (SPIFFE bundle format: a JWKS), re-read when the file changes. */
export class TrustBundle {
  private bundle: Bundle;
  private modified = 0;
  /** Bumped when the bundle changes, so what was verified against the old one is verified again. */
  generation = 0;
  private checkedAt = 0;

  private constructor(
    private readonly file: string,
    bundle: Bundle,
  ) {
    this.bundle = bundle;
  }

  static async load(file: string): Promise<TrustBundle> {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const bundle = new TrustBundle(file, parseBundle(text, file));
    bundle.modified = info.mtimeMs;
    bundle.checkedAt = Date.now();
    return bundle;
  }

  async refresh(): Promise<void> {
    if (Date.now() - this.checkedAt < BUNDLE_RECHECK_MS) return;
    this.checkedAt = Date.now();
    const info = await stat(this.file).catch(() => undefined);
    if (!info || info.mtimeMs === this.modified) return;
    try {
      this.bundle = parseBundle(await readFile(this.file, 'utf8'), this.file);
      this.modified = info.mtimeMs;
      this.generation += 1;
    } catch {
      // A half-written file: keep the bundle we have and look again next time.
    }
  }

  get x509Authorities(): string[] {
    return this.bundle.x509Authorities;
  }

  readonly jwtKeys: JWTVerifyGetKey = (header, token) => this.bundle.jwtKeys(header, token);
}

/**
 * Who is calling: the X.509-SVID of an mTLS connection (verified by TLS against the bundle's
 * X.509 authorities), else a JWT-SVID bearer token for this edge's audience.
 */
export function workloadAuthenticator(options: {
  bundle: TrustBundle;
  trustDomain: string;
  audience: string;
}) {
  const verifyJwt = createJwtSvidVerifier({
    trustDomain: options.trustDomain,
    audience: options.audience,
    keys: options.bundle.jwtKeys,
  });
  const verified = new Map<string, { id: SpiffeId; expiresAt: number; generation: number }>();
  const verifyCached = async (token: string | undefined): Promise<SpiffeId> => {
    const known = token === undefined ? undefined : verified.get(token);
    if (known && known.expiresAt > Date.now() && known.generation === options.bundle.generation)
      return known.id;
    const id = await verifyJwt(token);
    if (token) {
      if (verified.size >= VERIFIED_TOKENS_MAX) verified.clear();
      const expiresAt = Number(decodeJwt(token).exp) * 1000;
      verified.set(token, { id, expiresAt, generation: options.bundle.generation });
    }
    return id;
  };
  return async (socket: TLSSocket | undefined, authorization: string | undefined): Promise<SpiffeId> => {
    await options.bundle.refresh();
    if (socket?.authorized) {
      const certificate = socket.getPeerCertificate();
      const uris = (certificate.subjectaltname ?? '')
        .split(', ')
        .filter((entry) => entry.startsWith('URI:'))
        .map((entry) => entry.slice(4));
      // X.509-SVID: exactly one URI SAN, the SPIFFE ID.
      if (uris.length !== 1)
        throw new EdgeError(
          'UNAUTHENTICATED',
          'the client certificate is not an X.509-SVID (it must carry exactly one SPIFFE ID)',
        );
      let id: SpiffeId;
      try {
        id = parseSpiffeId(uris[0] ?? '');
      } catch (error) {
        throw new EdgeError(
          'UNAUTHENTICATED',
          `the client certificate's URI is not a SPIFFE ID: ${(error as Error).message}`,
        );
      }
      if (id.trustDomain !== options.trustDomain)
        throw new EdgeError(
          'UNAUTHENTICATED',
          `the workload ${id.text} belongs to trust domain ${id.trustDomain}, not ${options.trustDomain}`,
        );
      return id;
    }
    const match = /^Bearer ([A-Za-z0-9_.-]{1,8192})$/.exec(authorization ?? '');
    if (!match && authorization)
      throw new EdgeError('UNAUTHENTICATED', 'send the workload token as "Authorization: Bearer <JWT-SVID>"');
    try {
      return await verifyCached(match?.[1]);
    } catch (error) {
      if (error instanceof SvidRejectedError) throw new EdgeError('UNAUTHENTICATED', error.message);
      throw error;
    }
  };
}
