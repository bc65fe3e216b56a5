export { eventually, type Kubectl, type KubectlResult, kubectlAvailable, kubectlFor } from './kubectl.js';
export { tempDir } from './temp-dir.js';
export { startTestStack, type TestStack } from './test-stack.js';
