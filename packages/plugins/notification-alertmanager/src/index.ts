import { readFile } from 'node:fs/promises';
import { requestJson } from '@openkcm/pki';
import {
  healthNow,
  type KeyChainEvent,
  type NotificationService,
  type PluginHealth,
  parseConfiguration,
  pluginErrors,
} from '@openkcm/plugin-sdk';
import { type Static, Type } from '@openkcm/schema';

export const AlertmanagerConfiguration = Type.Object({
  /** Alertmanager's base URL (the v2 API is under /api/v2). */
  url: Type.String({ pattern: '^https?://[^\\s/?#]+(:[0-9]+)?(/[^\\s?#]*)?$' }),
  /**
   * How often firing alerts are sent again. Alertmanager resolves an alert by itself when its
   * endsAt passes, so each sending holds it for four intervals, as Prometheus does.
   */
  resendIntervalSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
  timeoutSeconds: Type.Integer({ minimum: 1, maximum: 120, default: 10 }),
  auth: Type.Optional(
    Type.Union([
      Type.Object({ bearerTokenFile: Type.String({ minLength: 1 }) }),
      Type.Object({
        basic: Type.Object({
          username: Type.String({ minLength: 1 }),
          passwordFile: Type.String({ minLength: 1 }),
        }),
      }),
    ]),
  ),
  tls: Type.Optional(
    Type.Object({
      caFile: Type.Optional(Type.String({ minLength: 1 })),
      serverName: Type.Optional(Type.String({ minLength: 1 })),
    }),
  ),
});
export type AlertmanagerConfiguration = Static<typeof AlertmanagerConfiguration>;

/** One alert as Alertmanager's v2 API takes it (postableAlert). */
interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

interface Active {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
}

/** Label values Alertmanager accepts and routes on; the subject's kind decides its label's name. */
function labelsOf(event: KeyChainEvent): Record<string, string> {
  const labels: Record<string, string> = {
    alertname: event.type,
    severity: event.severity,
    service: 'openkcm-cmk',
  };
  if (event.tenant !== '*') labels.workspace = event.tenant;
  for (const [name, value] of Object.entries(event.labels ?? {})) if (value) labels[name] = value;
  return labels;
}

function identity(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * FR-5.1: conditions that last go to Prometheus Alertmanager — fired once they start, sent again on
 * every interval while they last (Alertmanager forgets an alert whose endsAt passes), and sent with
 * endsAt = now when they clear, so the alert resolves. One-off events are the log's business.
 */
export class AlertmanagerNotification implements NotificationService {
  readonly type = 'NotificationService' as const;
  private configuration: AlertmanagerConfiguration | undefined;
  private ca: string | undefined;
  private readonly active = new Map<string, Active>();
  /** Resolutions Alertmanager has not taken yet: sent again with the next round. */
  private readonly resolving = new Map<string, PostableAlert>();
  private timer: NodeJS.Timeout | undefined;
  private lastFailure: string | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(readonly name = 'notification-alertmanager') {}

  async configure(configuration: unknown): Promise<void> {
    this.configuration = parseConfiguration(AlertmanagerConfiguration, configuration);
    const caFile = this.configuration.tls?.caFile;
    if (caFile)
      this.ca = await readFile(caFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw pluginErrors.invalidConfiguration(
          `tls.caFile: cannot read ${caFile}: ${error.code ?? 'error'}`,
        );
      });
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.send(), this.configuration.resendIntervalSeconds * 1000);
    this.timer.unref();
  }

  async notify(event: KeyChainEvent): Promise<void> {
    if (!event.status) return;
    const labels = labelsOf(event);
    const key = identity(labels);
    if (event.status === 'firing') {
      const annotations = {
        summary: event.summary,
        ...(event.action ? { description: event.action } : {}),
        ...(event.subject ? { subject: `${event.subject.kind}/${event.subject.name}` } : {}),
      };
      const known = this.active.get(key);
      this.active.set(key, { labels, annotations, startsAt: known?.startsAt ?? event.occurredAt });
      this.resolving.delete(key);
      if (!known) await this.send();
      return;
    }
    const firing = this.active.get(key);
    if (!firing) return;
    this.active.delete(key);
    this.resolving.set(key, {
      labels,
      annotations: { ...firing.annotations, summary: event.summary },
      startsAt: firing.startsAt,
      endsAt: event.occurredAt,
    });
    await this.send();
  }

  /** Every firing alert and every resolution not yet taken, in one request; rounds never overlap. */
  private send(): Promise<void> {
    this.sending = this.sending.then(() => this.post());
    return this.sending;
  }

  private async post(): Promise<void> {
    const configuration = this.configuration;
    if (!configuration) return;
    const holdUntil = new Date(Date.now() + 4 * configuration.resendIntervalSeconds * 1000).toISOString();
    const resolved = [...this.resolving.entries()];
    const alerts: PostableAlert[] = [
      ...[...this.active.values()].map((alert) => ({ ...alert, endsAt: holdUntil })),
      ...resolved.map(([, alert]) => alert),
    ];
    if (alerts.length === 0) return;
    try {
      const response = await requestJson(`${configuration.url.replace(/\/$/, '')}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(await this.authorization(configuration)) },
        body: JSON.stringify(alerts),
        ...(this.ca ? { ca: this.ca } : {}),
        ...(configuration.tls?.serverName ? { servername: configuration.tls.serverName } : {}),
        timeoutMs: configuration.timeoutSeconds * 1000,
      });
      if (response.status !== 200) {
        const reason = typeof response.body === 'string' ? response.body.slice(0, 200) : '';
        this.lastFailure = `Alertmanager answered ${response.status} ${reason}`.trim();
        return;
      }
      for (const [key, alert] of resolved) if (this.resolving.get(key) === alert) this.resolving.delete(key);
      this.lastFailure = undefined;
    } catch (error) {
      this.lastFailure = `Alertmanager at ${configuration.url} is unreachable: ${(error as Error).message}`;
    }
  }

  private async authorization(configuration: AlertmanagerConfiguration): Promise<Record<string, string>> {
    const auth = configuration.auth;
    if (!auth) return {};
    // Read at every round: a mounted Secret that is renewed takes effect without a restart.
    if ('bearerTokenFile' in auth)
      return { Authorization: `Bearer ${(await readFile(auth.bearerTokenFile, 'utf8')).trim()}` };
    const password = (await readFile(auth.basic.passwordFile, 'utf8')).trim();
    return { Authorization: `Basic ${Buffer.from(`${auth.basic.username}:${password}`).toString('base64')}` };
  }

  async health(): Promise<PluginHealth> {
    if (!this.configuration) return healthNow('unhealthy', 'not configured', true);
    return this.lastFailure
      ? healthNow(
          'degraded',
          `${this.lastFailure}; alerts are sent again every ${this.configuration.resendIntervalSeconds} s`,
          true,
        )
      : healthNow('healthy', `alerts go to ${this.configuration.url}`, true);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sending;
  }
}
