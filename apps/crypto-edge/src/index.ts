export type { CredentialStore, EdgeCredentials } from './cmk-link.js';
export { directoryStore, kubernetesStore } from './credentials.js';
export { type EdgeOptions, type RunningEdge, startEdge } from './edge.js';
export { KMS_PROTO, kmsKeyId, loadKmsService } from './kms-v2.js';
