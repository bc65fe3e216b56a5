/**
 * Rotation schedules in the seed's words (Hourly, Daily, Weekly, Monthly, "30 Days", "12 Hours")
 * or the short form (12h, 30d): one reading for the CRD, CMK, the controller and the console.
 */
const COUNT = '[1-9][0-9]{0,3}';
const WORDS = '[Hh]ourly|[Dd]aily|[Ww]eekly|[Mm]onthly';
export const ROTATION_SCHEDULE_PATTERN = `^(${WORDS}|${COUNT} ([Hh]ours?|[Dd]ays?)|${COUNT}[hd])$`;

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Monthly is 30 days, as cloud KMSs count a rotation month. */
const NAMED: Record<string, number> = { hourly: HOUR, daily: DAY, weekly: 7 * DAY, monthly: 30 * DAY };
const PATTERN = new RegExp(ROTATION_SCHEDULE_PATTERN);

/** The period a schedule means, in seconds; undefined when it is not a schedule. */
export function rotationScheduleSeconds(schedule: string): number | undefined {
  if (!PATTERN.test(schedule)) return undefined;
  const named = NAMED[schedule.toLowerCase()];
  if (named !== undefined) return named;
  const [, count = '', unit = ''] = /^(\d+) ?([a-zA-Z]+)$/.exec(schedule) ?? [];
  return Number(count) * (unit.toLowerCase().startsWith('d') ? DAY : HOUR);
}

/** The shortest form of a period: `30d`, `36h`. */
export function rotationPeriod(seconds: number): string {
  return seconds % DAY === 0 ? `${seconds / DAY}d` : `${Math.round(seconds / HOUR)}h`;
}

/** "every 30 days", "every hour". */
export function describeRotationSchedule(schedule: string): string {
  const seconds = rotationScheduleSeconds(schedule);
  if (seconds === undefined) return schedule;
  const [count, unit] = seconds % DAY === 0 ? [seconds / DAY, 'day'] : [seconds / HOUR, 'hour'];
  return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
}

export const ROTATION_SCHEDULE_HELP =
  'Hourly, Daily, Weekly, Monthly (30 days), "N Days", "N Hours", or the short form such as 12h or 45d (N from 1 to 9999)';
