/** A SPIFFE ID, split as the SPIFFE ID specification defines it. */
export interface SpiffeId {
  trustDomain: string;
  /** Path segments, without the leading slash; empty for a trust domain's own ID. */
  segments: string[];
  /** The ID as text, exactly as it was given. */
  text: string;
}

export class InvalidSpiffeIdError extends Error {
  constructor(
    readonly id: string,
    reason: string,
  ) {
    super(`"${id.length > 80 ? `${id.slice(0, 80)}…` : id}" is not a SPIFFE ID: ${reason}`);
    this.name = 'InvalidSpiffeIdError';
  }
}

const SCHEME = 'spiffe://';
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const SEGMENT = /^[a-zA-Z0-9._-]+$/;
/** The specification's limits: 2048 bytes for the URI, 255 for the trust domain. */
const MAX_ID = 2048;
const MAX_TRUST_DOMAIN = 255;

/**
 * Parses a SPIFFE ID by the specification's rules: lowercase `spiffe` scheme, a trust domain of
 * lowercase letters, digits, `.`, `-` and `_` (no port, no user info), path segments of letters,
 * digits, `.`, `-` and `_` that are neither empty nor `.`/`..`, no trailing slash, no query,
 * fragment or percent-encoding.
 */
export function parseSpiffeId(text: string): SpiffeId {
  if (text.length > MAX_ID) throw new InvalidSpiffeIdError(text, `longer than ${MAX_ID} characters`);
  if (!text.startsWith(SCHEME)) throw new InvalidSpiffeIdError(text, 'it must start with spiffe://');
  const rest = text.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash < 0 ? rest : rest.slice(0, slash);
  if (trustDomain.length === 0) throw new InvalidSpiffeIdError(text, 'the trust domain is missing');
  if (trustDomain.length > MAX_TRUST_DOMAIN)
    throw new InvalidSpiffeIdError(text, `the trust domain is longer than ${MAX_TRUST_DOMAIN} characters`);
  if (!TRUST_DOMAIN.test(trustDomain))
    throw new InvalidSpiffeIdError(
      text,
      'the trust domain may hold only lowercase letters, digits, ".", "-" and "_"',
    );
  if (slash < 0) return { trustDomain, segments: [], text };
  const segments = rest.slice(slash + 1).split('/');
  for (const segment of segments) {
    if (segment === '')
      throw new InvalidSpiffeIdError(text, 'the path has an empty segment or a trailing slash');
    if (segment === '.' || segment === '..')
      throw new InvalidSpiffeIdError(text, 'the path may not hold "." or ".." segments');
    if (!SEGMENT.test(segment))
      throw new InvalidSpiffeIdError(
        text,
        `the path segment "${segment.slice(0, 40)}" may hold only letters, digits, ".", "-" and "_"`,
      );
  }
  return { trustDomain, segments, text };
}
