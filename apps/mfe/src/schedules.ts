import { ROTATION_SCHEDULE_HELP, rotationScheduleSeconds } from '@openkcm/api';

/** FR-301's named schedules, in the seed's words (what the CRD stores); anything else valid is "Custom". */
export const SCHEDULES = [
  { value: 'Hourly', label: 'Hourly' },
  { value: 'Daily', label: 'Daily' },
  { value: 'Weekly', label: 'Weekly' },
  { value: 'Monthly', label: 'Monthly (30 days)' },
  { value: '90 Days', label: '90 days' },
] as const;

export function scheduleProblem(value: string): string | undefined {
  return rotationScheduleSeconds(value) === undefined ? `Enter ${ROTATION_SCHEDULE_HELP}` : undefined;
}

/** The named schedule with the same period (`30d` is Monthly), if there is one. */
export function namedSchedule(value: string): (typeof SCHEDULES)[number] | undefined {
  const seconds = rotationScheduleSeconds(value);
  return seconds === undefined
    ? undefined
    : SCHEDULES.find((schedule) => rotationScheduleSeconds(schedule.value) === seconds);
}
