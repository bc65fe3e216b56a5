export {
  createJwtSvidVerifier,
  type JwtSvidVerifierOptions,
  jwtSvidKeys,
  SvidRejectedError,
} from './jwt-svid.js';
export { InvalidSpiffeIdError, parseSpiffeId, type SpiffeId } from './spiffe-id.js';
export { parseWorkloadPattern, type WorkloadPattern, workloadAllowed } from './workload-pattern.js';
