export { type RunningProcess, startProcess } from './child-process.js';
export {
  CMK_SERVICE_ACCOUNT,
  CONTROLLER_SERVICE_ACCOUNT,
  DEMO_CONTEXTS,
  SEED_WORKSPACES,
} from './demo-users.js';
export { type Endpoints, readEndpoints, writeEndpoints } from './endpoints.js';
export { buildKubeconfig } from './kubeconfig.js';
export {
  accountInfo,
  PLATFORM_OIDC_CLIENTS,
  PLATFORM_REGIONS,
  seedAccountWorkspace,
  seedPlatform,
} from './platform.js';
export { applyCrds, controlPlaneClient, seedProvider, seedWorkspaces } from './seed.js';
export {
  REPO_ROOT,
  type RunningPlatform,
  type RunningStack,
  type StackOptions,
  startPlatform,
  startStack,
} from './stack.js';
