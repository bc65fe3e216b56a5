export { type Condition, Conditions, type ObjectMeta } from './common.js';
export {
  apiExport,
  apiExportEndpointSlice,
  EXPORT_WORKSPACE,
  openKcmBinding,
  PERMISSION_CLAIMS,
  renderPlatformMeshFiles,
} from './crd/platform-mesh.js';
export { objectSchema, toCustomResourceDefinition } from './crd/to-crd.js';
export { renderCrdFiles } from './crd/yaml.js';
export {
  ACCOUNT_IN_USE_FINALIZER,
  API_VERSION,
  CMK_CLEANUP_FINALIZER,
  GROUP,
  ROTATE_NOW_ANNOTATION,
  ROTATE_NOW_REQUESTER_ANNOTATION,
  VERSION,
} from './group.js';
export {
  ACCOUNT_PHASES,
  AccountSpec,
  AccountStatus,
  AwsSettings,
  accountKind,
  accountRegionProblem,
  hasRegions,
  KEY_REFERENCE_FORMATS,
  OpenBaoSettings,
  PLANNED_PROVIDER_TYPES,
  type PlannedProviderType,
  PROVIDER_SETTINGS,
  PROVIDER_TYPES,
  type ProviderType,
  providerSettings,
  settingsSpec,
  ThalesSettings,
} from './kinds/account.js';
export {
  CryptoEdgeSpec,
  CryptoEdgeStatus,
  cryptoEdgeKind,
  EDGE_CREDENTIAL_KEYS,
  EDGE_PHASES,
  edgeCredentialsSecret,
} from './kinds/crypto-edge.js';
export { KINDS, type KindName } from './kinds/index.js';
export type { KindDefinition, PrinterColumn } from './kinds/kind-definition.js';
export {
  ALGORITHMS,
  KEY_PHASES,
  KEY_STATES,
  ServiceEncryptionKeySpec,
  ServiceEncryptionKeyStatus,
  serviceEncryptionKeyKind,
} from './kinds/service-encryption-key.js';
export { TENANT_PHASES, TenantSpec, TenantStatus, tenantKind, tenantName } from './kinds/tenant.js';
export {
  NOTIFICATION_EVENTS,
  type NotificationEvent,
  WebHookNotificationSpec,
  WebHookNotificationStatus,
  webHookNotificationKind,
} from './kinds/webhook-notification.js';
export {
  type Account,
  parseAccount,
  parseServiceEncryptionKey,
  parseTenant,
  parseWebHookNotification,
  type Resource,
  type ServiceEncryptionKey,
  type Tenant,
  type WebHookNotification,
} from './resources.js';
export {
  describeRotationSchedule,
  ROTATION_SCHEDULE_HELP,
  ROTATION_SCHEDULE_PATTERN,
  rotationPeriod,
  rotationScheduleSeconds,
} from './rotation-schedule.js';
