export type { Principal } from './principal.js';
export { AccessTokenClaims } from './token-claims.js';
export {
  bearerToken,
  createTokenVerifier,
  principalFromClaims,
  type TokenProblem,
  TokenRejectedError,
  type TokenVerifier,
  type TokenVerifierOptions,
  tokenRejected,
} from './token-verifier.js';
export {
  grantsFromRealmRoles,
  isSameOrDescendant,
  isWorkspacePath,
  realmRoleFor,
  roleInWorkspace,
  SYSTEM_ROLE,
  type WorkspaceGrant,
  type WorkspaceRole,
} from './workspace-roles.js';
