import { parse, SchemaValidationError } from '@openkcm/schema';
import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import type { Principal } from './principal.js';
import { AccessTokenClaims } from './token-claims.js';
import { grantsFromRealmRoles, SYSTEM_ROLE } from './workspace-roles.js';

export interface TokenVerifierOptions {
  /** The OIDC issuer URL exactly as it appears in `iss`. */
  issuer: string;
  /** The audience this API accepts (the product's resource, `openkcm`). */
  audience: string;
  /** Where the signing keys are; found through the issuer's discovery document when absent. */
  jwksUrl?: string;
  /** Tolerated clock difference. */
  clockToleranceSeconds?: number;
}

export type TokenProblem =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'bad-signature'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'unverifiable';

/** Why a bearer token was refused; `message` says what to do and never contains the token. */
export class TokenRejectedError extends Error {
  constructor(
    readonly problem: TokenProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TokenRejectedError';
  }
}

export interface TokenVerifier {
  verify(token: string | undefined): Promise<Principal>;
}

const PROBLEM_MESSAGES: Record<TokenProblem, string> = {
  missing: 'No bearer token was sent. Log in again, or send an Authorization: Bearer <token> header.',
  malformed: 'The bearer token is not a well-formed JWT. Send the access token from the identity provider.',
  expired: 'The bearer token has expired. Log in again or fetch a fresh token.',
  'bad-signature':
    'The bearer token signature does not verify against the issuer keys. Use a token issued by the configured identity provider.',
  'wrong-issuer':
    'The bearer token was issued by a different identity provider than the one this API trusts.',
  'wrong-audience': 'The bearer token was not issued for this API (wrong audience).',
  unverifiable:
    'The bearer token could not be verified: the identity provider keys are unreachable. Try again shortly.',
};

export function tokenRejected(problem: TokenProblem, detail?: string): TokenRejectedError {
  return new TokenRejectedError(
    problem,
    detail ? `${PROBLEM_MESSAGES[problem]} (${detail})` : PROBLEM_MESSAGES[problem],
  );
}

export function principalFromClaims(claims: AccessTokenClaims): Principal {
  const roles = claims.realm_access?.roles ?? [];
  const system = roles.includes(SYSTEM_ROLE);
  return {
    kind: system ? 'service' : 'user',
    username: claims.preferred_username ?? claims.sub,
    subject: claims.sub,
    system,
    grants: grantsFromRealmRoles(roles),
    audiences: [...new Set([...[claims.aud ?? []].flat(), ...(claims.azp ? [claims.azp] : [])])],
  };
}

function classify(error: unknown): TokenRejectedError {
  if (error instanceof TokenRejectedError) return error;
  if (error instanceof SchemaValidationError) return tokenRejected('malformed', error.message);
  if (error instanceof joseErrors.JWTExpired) return tokenRejected('expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return tokenRejected('wrong-issuer');
    if (error.claim === 'aud') return tokenRejected('wrong-audience');
    return tokenRejected('malformed', `claim ${error.claim} is invalid`);
  }
  if (
    error instanceof joseErrors.JWSSignatureVerificationFailed ||
    error instanceof joseErrors.JWKSNoMatchingKey
  ) {
    return tokenRejected('bad-signature');
  }
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid)
    return tokenRejected('malformed');
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return tokenRejected('bad-signature', 'algorithm not allowed');
  }
  return tokenRejected('unverifiable');
}

async function discoverJwksUrl(issuer: string): Promise<URL> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const document: unknown = await response.json();
  const jwksUri =
    typeof document === 'object' && document !== null ? Reflect.get(document, 'jwks_uri') : undefined;
  if (typeof jwksUri !== 'string') throw new Error('discovery document has no jwks_uri');
  return new URL(jwksUri);
}

/** Resolves the key set lazily so an API can start before its identity provider; a failed discovery is retried. */
function lazyRemoteKeys(options: TokenVerifierOptions): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  return async (header, token) => {
    keys ??= (
      options.jwksUrl ? Promise.resolve(new URL(options.jwksUrl)) : discoverJwksUrl(options.issuer)
    ).then((url) => createRemoteJWKSet(url));
    try {
      return await (await keys)(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JOSEError)) keys = undefined;
      throw error;
    }
  };
}

export function createTokenVerifier(options: TokenVerifierOptions, keys?: JWTVerifyGetKey): TokenVerifier {
  const jwks = keys ?? lazyRemoteKeys(options);
  return {
    async verify(token) {
      if (!token) throw tokenRejected('missing');
      try {
        const { payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ['RS256', 'ES256', 'PS256'],
          clockTolerance: options.clockToleranceSeconds ?? 30,
          requiredClaims: ['exp', 'sub'],
        });
        return principalFromClaims(parse(AccessTokenClaims, payload));
      } catch (error) {
        throw classify(error);
      }
    },
  };
}

/** Reads the token from an `Authorization: Bearer ...` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
