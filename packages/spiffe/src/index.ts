export {
  createJwtSvidVerifier,
  type JwtSvidVerifierOptions,
  jwtSvidKeys,
  SvidRejectedError,
} from './jwt-svid.js';
export { InvalidSpiffeIdError, parseSpiffeId, type SpiffeId } from './spiffe-id.js';
export { parseWorkloadPattern, type WorkloadPattern, workloadAllowed } from './workload-pattern.js';

/** What a workload puts in a JWT-SVID's `aud` for an OpenKCM Crypto Edge: its workspace and name, shared by its replicas. */
export function edgeAudience(workspace: string, edgeName: string): string {
  return `openkcm-edge:${workspace}:${edgeName}`;
}
