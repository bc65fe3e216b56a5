export { type RunningProcess, startProcess } from './child-process.js';
export { CONTROLLER_SERVICE_ACCOUNT, DEMO_CONTEXTS, SEED_WORKSPACES } from './demo-users.js';
export { type Endpoints, readEndpoints, writeEndpoints } from './endpoints.js';
export { buildKubeconfig } from './kubeconfig.js';
export { applyCrds, controlPlaneClient, seedWorkspaces } from './seed.js';
export { REPO_ROOT, type RunningStack, type StackOptions, startStack } from './stack.js';
