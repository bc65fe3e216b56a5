import { createLocalJWKSet, errors, type JWK, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { parseSpiffeId, type SpiffeId } from './spiffe-id.js';

/** The algorithms the JWT-SVID specification allows; `none` and HMAC never verify. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

/**
 * The JWT signing keys of a SPIFFE trust bundle (its JWKS, where they are marked
 * `use: "jwt-svid"`; X.509 authorities are `x509-svid` and never verify a JWT). jose accepts only
 * `use: "sig"`, so the SPIFFE marking is checked here and dropped.
 */
export function jwtSvidKeys(bundle: { keys: JWK[] }): JWTVerifyGetKey {
  const keys = bundle.keys
    .filter((key) => key.use === undefined || key.use === 'jwt-svid')
    .map(({ use: _use, ...key }) => key);
  return createLocalJWKSet({ keys });
}

/** Why a workload's token was refused: always a 401 at the edge, with this message. */
export class SvidRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SvidRejectedError';
  }
}

export interface JwtSvidVerifierOptions {
  /** The trust domain whose workloads are accepted, e.g. openkcm.local. */
  trustDomain: string;
  /** The audience a token must name: the edge that verifies it. */
  audience: string;
  /** The trust domain's JWT signing keys (its bundle's JWKS), as jose's key lookup. */
  keys: JWTVerifyGetKey;
  /** Clock skew tolerated on exp/nbf, in seconds (default 30). */
  clockToleranceSeconds?: number;
}

/**
 * Verifies a JWT-SVID as the SPIFFE JWT-SVID specification asks: an allowed asymmetric
 * algorithm, a signature by a key of the trust bundle, `exp` present and not passed, our audience
 * in `aud`, and `sub` a SPIFFE ID of the expected trust domain. Returns the workload's ID.
 */
export function createJwtSvidVerifier(
  options: JwtSvidVerifierOptions,
): (token: string | undefined) => Promise<SpiffeId> {
  return async (token) => {
    if (!token) throw new SvidRejectedError('a workload token (JWT-SVID) is required as a bearer token');
    let payload: { sub?: unknown; exp?: unknown };
    try {
      ({ payload } = await jwtVerify(token, options.keys, {
        algorithms: ALGORITHMS,
        audience: options.audience,
        requiredClaims: ['sub', 'exp', 'aud'],
        clockTolerance: options.clockToleranceSeconds ?? 30,
      }));
    } catch (error) {
      throw new SvidRejectedError(reason(error, options.audience));
    }
    if (typeof payload.sub !== 'string') throw new SvidRejectedError('the token has no SPIFFE ID in sub');
    let id: SpiffeId;
    try {
      id = parseSpiffeId(payload.sub);
    } catch (error) {
      throw new SvidRejectedError(`the token's sub is not a SPIFFE ID: ${(error as Error).message}`);
    }
    if (id.trustDomain !== options.trustDomain)
      throw new SvidRejectedError(
        `the workload ${id.text} belongs to trust domain ${id.trustDomain}, not ${options.trustDomain}`,
      );
    return id;
  };
}

function reason(error: unknown, audience: string): string {
  if (error instanceof errors.JWTExpired) return 'the workload token has expired; fetch a new JWT-SVID';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return `the workload token is not meant for this edge (audience must include ${audience})`;
    return `the workload token's ${error.claim} claim is not acceptable: ${error.reason}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the workload token is signed with an algorithm JWT-SVIDs do not allow';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return 'the workload token is not signed by a key of the trust domain';
  return 'the workload token is not a valid JWT-SVID';
}
