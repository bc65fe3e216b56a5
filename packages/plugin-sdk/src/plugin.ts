export type PluginType =
  | 'KeystoreProvider'
  | 'IdentityManagementService'
  | 'CertificateIssuerService'
  | 'SystemInformationService'
  | 'NotificationService';

export interface PluginHealth {
  status: 'healthy' | 'degraded' | 'unhealthy';
  message: string;
  /** False for development plugins (the local keystore); shown as a warning everywhere. */
  production: boolean;
  checkedAt: string;
}

/** What every plugin is: a named implementation of one type, configured from YAML, with a health check. */
export interface Plugin {
  readonly name: string;
  readonly type: PluginType;
  /** Validates and applies the plugin's YAML configuration; throws INVALID_CONFIGURATION naming the field. */
  configure(configuration: unknown): Promise<void>;
  health(): Promise<PluginHealth>;
  close?(): Promise<void>;
}

export function healthNow(
  status: PluginHealth['status'],
  message: string,
  production: boolean,
): PluginHealth {
  return { status, message, production, checkedAt: new Date().toISOString() };
}
