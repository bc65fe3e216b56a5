export { parseAccessData, parseConfiguration } from './configuration.js';
export { isPluginError, PluginError, type PluginErrorCode, pluginErrors } from './errors.js';
export type {
  KeyHandle,
  KeyInfo,
  KeyState,
  KeystoreInstanceKeyOperation,
  KeystoreProvider,
  KeyValidation,
  KeyVersionInfo,
  WrappedKey,
} from './keystore.js';
export { healthNow, type Plugin, type PluginHealth, type PluginType } from './plugin.js';
export type {
  CertificateIssuerService,
  HierarchyDecision,
  IdentityManagementService,
  IssuedCertificate,
  KeyChainEvent,
  NotificationService,
  NotificationSeverity,
  SystemInformationService,
  TenantValidation,
} from './services.js';
export { validateByRoundTrip } from './validate-key.js';
