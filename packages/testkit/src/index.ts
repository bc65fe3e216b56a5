export {
  alertmanagerAvailable,
  type ListedAlert,
  type RunningAlertmanager,
  startAlertmanager,
} from './alertmanager.js';
export { type ApeiroKeystores, startApeiroKeystores } from './apeiro-keystores.js';
export { runQuickBenchmark } from './benchmark.js';
export { AWS_ACCOUNT, type AwsDoubles, type KmsAction, startAwsDoubles } from './doubles/aws.js';
export {
  type OpenBaoDouble,
  type PolicyRules,
  startOpenBaoDouble,
} from './doubles/openbao.js';
export { errorShapeProblems, hostileBody, hostileSegment } from './hostile-input.js';
export { idpToken } from './idp-token.js';
export { eventually, type Kubectl, type KubectlResult, kubectlAvailable, kubectlFor } from './kubectl.js';
export { freePort } from './ports.js';
export { postgresAvailable, postgresBinDir, type RunningPostgres, startPostgres } from './postgres.js';
export { seedKeychain } from './seed-keychain.js';
export { createAesKey, initialiseToken, SOFTHSM_LIBRARY, softHsmAvailable } from './softhsm.js';
export { tempDir } from './temp-dir.js';
export { startTestStack, type TestStack } from './test-stack.js';
export { TIMEOUTS } from './timeouts.js';
export { type Received, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';
export { GROUP, NS, type Resource, ready, threeWorkspaces, VERSION, Workspace } from './workspace.js';
