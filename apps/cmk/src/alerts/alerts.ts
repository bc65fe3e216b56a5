import { tenantName } from '@openkcm/api';
import type { NotificationService } from '@openkcm/plugin-sdk';

/** A condition an operator must act on (FR-5.1), for as long as it lasts. */
export interface Alert {
  type: string;
  /** The tenant's workspace, or `*` for CMK itself. */
  workspace: string;
  severity: 'warning' | 'critical';
  summary: string;
  /** What to do about it, for the alert's description. */
  action: string;
  subject?: { kind: 'Account' | 'ServiceEncryptionKey' | 'CryptoEdge' | 'Plugin'; name: string };
}

const SUBJECT_LABEL = {
  Account: 'account',
  ServiceEncryptionKey: 'key',
  CryptoEdge: 'edge',
  Plugin: 'plugin',
};

function identity(alert: Pick<Alert, 'type' | 'workspace' | 'subject'>): string {
  return JSON.stringify([alert.type, alert.workspace, alert.subject?.kind, alert.subject?.name]);
}

/**
 * What CMK has told the notification plugin is firing. Callers say what holds now, as often as
 * they check; only changes reach the plugin (the plugin keeps firing alerts alive), so a check
 * every minute does not become an alert, or a log line, every minute.
 */
export class Alerts {
  private readonly active = new Map<string, Alert>();

  constructor(
    private readonly notifier: NotificationService | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async raise(alert: Alert): Promise<void> {
    const key = identity(alert);
    const known = this.active.has(key);
    this.active.set(key, alert);
    if (!known) await this.send(alert, 'firing');
  }

  async clear(alert: Pick<Alert, 'type' | 'workspace' | 'subject'>, summary: string): Promise<void> {
    const key = identity(alert);
    const firing = this.active.get(key);
    if (!firing) return;
    this.active.delete(key);
    await this.send({ ...firing, summary }, 'resolved');
  }

  /** Level-based: exactly `firing` of this type holds now; the others of the type resolve. */
  async reconcile(type: string, firing: Alert[], resolvedSummary: string): Promise<void> {
    const now = new Set(firing.map(identity));
    for (const alert of [...this.active.values()])
      if (alert.type === type && !now.has(identity(alert))) await this.clear(alert, resolvedSummary);
    for (const alert of firing) await this.raise(alert);
  }

  private async send(alert: Alert, status: 'firing' | 'resolved'): Promise<void> {
    await this.notifier
      ?.notify({
        type: alert.type,
        tenant: alert.workspace,
        severity: alert.severity,
        summary: alert.summary,
        action: alert.action,
        status,
        occurredAt: this.now().toISOString(),
        ...(alert.subject ? { subject: alert.subject } : {}),
        labels: {
          ...(alert.workspace === '*' ? {} : { tenant: tenantName(alert.workspace) }),
          ...(alert.subject ? { [SUBJECT_LABEL[alert.subject.kind]]: alert.subject.name } : {}),
        },
      })
      // A notification plugin that fails says so in its health; the condition itself is unchanged.
      .catch(() => undefined);
  }
}
