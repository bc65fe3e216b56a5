import {
  healthNow,
  type KeyChainEvent,
  type NotificationService,
  type PluginHealth,
  parseConfiguration,
} from '@openkcm/plugin-sdk';
import { Type } from '@openkcm/schema';

export const LogNotificationConfiguration = Type.Object({
  /** How many recent events to keep for the API's event view. */
  keep: Type.Integer({ minimum: 0, maximum: 10_000, default: 200 }),
});

/** The embedded default for alerts: events as structured log lines (production uses Alertmanager). */
export class LogNotification implements NotificationService {
  readonly type = 'NotificationService' as const;
  private keep = 200;
  private readonly events: KeyChainEvent[] = [];

  constructor(
    readonly name = 'notification-log',
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  async configure(configuration: unknown): Promise<void> {
    this.keep = parseConfiguration(LogNotificationConfiguration, configuration).keep;
  }

  async notify(event: KeyChainEvent): Promise<void> {
    const level = event.severity === 'critical' ? 'error' : event.severity === 'warning' ? 'warn' : 'info';
    this.write(`${JSON.stringify({ time: event.occurredAt, level, msg: 'key chain event', event })}\n`);
    this.events.push(event);
    if (this.events.length > this.keep) this.events.splice(0, this.events.length - this.keep);
  }

  recent(): KeyChainEvent[] {
    return [...this.events];
  }

  async health(): Promise<PluginHealth> {
    return healthNow('healthy', 'events go to the log (configure Alertmanager for production)', true);
  }
}
