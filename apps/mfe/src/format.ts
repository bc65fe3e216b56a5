import { describeRotationSchedule } from '@openkcm/api';
/** Dates as the host's locale writes them, with how far away they are. */
export function formatTime(value: string | undefined, locale: string, now = Date.now()): string {
  if (!value) return '—';
  const time = Date.parse(value);
  if (Number.isNaN(time)) return '—';
  const absolute = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(time);
  return `${absolute} (${relative(time - now, locale)})`;
}

function relative(deltaMs: number, locale: string): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const minutes = Math.round(deltaMs / 60_000);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}

/** `30d` or `Monthly` → "every 30 days". */
export function describeSchedule(schedule: string | undefined): string {
  return schedule ? describeRotationSchedule(schedule) : '—';
}

/** The Ready condition's reason and message, for rows that are not Ready. */
export function readyCondition(object: {
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}) {
  return object.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/** `L1KeyNotUsable` → "L1 key not usable", `PENDING_DELETION` → "pending deletion": states read as words. */
export function words(identifier: string): string {
  if (/^[A-Z0-9_]+$/.test(identifier)) return identifier.toLowerCase().replaceAll('_', ' ');
  const spaced = identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/\b([A-Z])([a-z]+)\b/g, (_, first: string, rest: string) => first.toLowerCase() + rest);
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
