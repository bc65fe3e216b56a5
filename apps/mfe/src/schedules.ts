import { ROTATION_SCHEDULE_PATTERN } from '@openkcm/api';

/** FR-301's named schedules; any value matching the CRD's pattern may be typed as "Custom". */
export const SCHEDULES = [
  { value: '1h', label: 'Hourly' },
  { value: '24h', label: 'Daily' },
  { value: '7d', label: 'Weekly' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
] as const;

const PATTERN = new RegExp(ROTATION_SCHEDULE_PATTERN);

export function scheduleProblem(value: string): string | undefined {
  return PATTERN.test(value) ? undefined : 'Enter hours or days, e.g. 12h or 14d (1 to 9999)';
}

export function scheduleLabel(value: string | undefined): string {
  return SCHEDULES.find((schedule) => schedule.value === value)?.label ?? value ?? '—';
}
