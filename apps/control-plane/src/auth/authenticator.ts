import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bearerToken, type Principal, TokenRejectedError, type TokenVerifier } from '@openkcm/auth';
import { statusErrors } from '../http/status-error.js';

export interface ServiceAccountToken {
  /** `system:serviceaccount:<namespace>:<name>`, as Kubernetes names service accounts. */
  username: string;
  token: Buffer;
}

/**
 * Loads the token of each product service account from its file, creating a random one (0600)
 * on first start, like a static token file of the Kubernetes API server.
 */
export async function loadServiceAccountTokens(
  accounts: Array<{ name: string; file: string }>,
): Promise<ServiceAccountToken[]> {
  const tokens: ServiceAccountToken[] = [];
  for (const account of accounts) {
    let token: string;
    try {
      token = (await readFile(account.file, 'utf8')).trim();
      if (token.length < 32)
        throw new Error(`${account.file} holds no usable token; delete it to have a new one generated`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      token = randomBytes(32).toString('base64url');
      await mkdir(dirname(account.file), { recursive: true, mode: 0o700 });
      await writeFile(account.file, `${token}\n`, { mode: 0o600, flag: 'wx' }).catch(
        async (writeError: NodeJS.ErrnoException) => {
          if (writeError.code !== 'EEXIST') throw writeError;
          token = (await readFile(account.file, 'utf8')).trim();
        },
      );
    }
    tokens.push({
      username: `system:serviceaccount:openkcm-system:${account.name}`,
      token: Buffer.from(token),
    });
  }
  return tokens;
}

export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
}

export function createAuthenticator(
  verifier: TokenVerifier | undefined,
  serviceAccounts: ServiceAccountToken[],
): Authenticator {
  return {
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (!token)
        throw statusErrors.unauthorized(
          'Unauthorized: send a bearer token (Authorization: Bearer <token>); for the demo users run `npm run --silent dev-token -- alice`',
        );
      const presented = Buffer.from(token);
      for (const account of serviceAccounts) {
        if (account.token.length === presented.length && timingSafeEqual(account.token, presented)) {
          return {
            kind: 'service',
            username: account.username,
            subject: account.username,
            system: true,
            grants: [],
          };
        }
      }
      if (!verifier)
        throw statusErrors.unauthorized(
          'Unauthorized: no identity provider is configured and the token is not a service-account token',
        );
      try {
        return await verifier.verify(token);
      } catch (error) {
        if (error instanceof TokenRejectedError) {
          if (error.problem === 'unverifiable') throw statusErrors.unavailable(error.message);
          throw statusErrors.unauthorized(`Unauthorized: ${error.message}`);
        }
        throw error;
      }
    },
  };
}
