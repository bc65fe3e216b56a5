import {
  type CertificateIssuerService,
  type IdentityManagementService,
  isPluginError,
  type KeystoreProvider,
  type NotificationService,
  type Plugin,
  type PluginHealth,
  type SystemInformationService,
} from '@openkcm/plugin-sdk';
import { PLUGIN_CATALOG } from './catalog.js';
import { ConfigurationError, type PluginChoice, readProfile } from './profile.js';

export interface PluginStatus {
  name: string;
  plugin: string;
  type: string;
  /** For keystores: the Account providerType they serve, so a console can offer only those. */
  providerType?: string;
  health: PluginHealth;
}

/** The plugins of one profile, configured, with their health watched. */
export class PluginHost {
  readonly keystores = new Map<string, KeystoreProvider>();
  identity: IdentityManagementService | undefined;
  certificateIssuer: CertificateIssuerService | undefined;
  systemInformation: SystemInformationService | undefined;
  notification: NotificationService | undefined;
  private readonly loaded: Array<{ choice: PluginChoice; plugin: Plugin }> = [];
  private statuses: PluginStatus[] = [];
  private timer: NodeJS.Timeout | undefined;

  static async load(
    file: string,
    profile: string,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<PluginHost> {
    const host = new PluginHost();
    for (const choice of await readProfile(file, profile, env)) {
      const plugin = PLUGIN_CATALOG[choice.plugin]?.create();
      if (!plugin) throw new ConfigurationError(file, `${choice.field}.plugin`, 'unknown plugin');
      try {
        await plugin.configure(choice.configuration);
      } catch (error) {
        if (isPluginError(error, 'INVALID_CONFIGURATION'))
          throw new ConfigurationError(file, `${choice.field}.configuration`, error.message);
        throw error;
      }
      host.attach(choice, plugin);
    }
    await host.refreshHealth();
    return host;
  }

  private attach(choice: PluginChoice, plugin: Plugin): void {
    this.loaded.push({ choice, plugin });
    switch (plugin.type) {
      case 'KeystoreProvider': {
        const keystore = plugin as KeystoreProvider;
        this.keystores.set(keystore.providerType, keystore);
        break;
      }
      case 'IdentityManagementService':
        this.identity = plugin as IdentityManagementService;
        break;
      case 'CertificateIssuerService':
        this.certificateIssuer = plugin as CertificateIssuerService;
        break;
      case 'SystemInformationService':
        this.systemInformation = plugin as SystemInformationService;
        break;
      case 'NotificationService':
        this.notification = plugin as NotificationService;
        break;
    }
  }

  async refreshHealth(): Promise<PluginStatus[]> {
    this.statuses = await Promise.all(
      this.loaded.map(async ({ choice, plugin }) => ({
        name: plugin.name,
        plugin: choice.plugin,
        type: plugin.type,
        ...(plugin.type === 'KeystoreProvider'
          ? { providerType: (plugin as KeystoreProvider).providerType }
          : {}),
        health: await plugin.health().catch((error: unknown) => ({
          status: 'unhealthy' as const,
          message: (error as Error).message,
          production: true,
          checkedAt: new Date().toISOString(),
        })),
      })),
    );
    return this.statuses;
  }

  get status(): PluginStatus[] {
    return this.statuses;
  }

  get ready(): boolean {
    return this.statuses.length > 0 && this.statuses.every((status) => status.health.status !== 'unhealthy');
  }

  watch(intervalMs: number): void {
    this.timer = setInterval(() => void this.refreshHealth(), intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const { plugin } of this.loaded) await plugin.close?.();
  }
}
