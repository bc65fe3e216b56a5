import { CmkError } from './errors.js';

const NAMED: Record<string, number> = {
  Hourly: 3600,
  Daily: 86_400,
  Weekly: 7 * 86_400,
  '30 Days': 30 * 86_400,
  '90 Days': 90 * 86_400,
};

/** `Hourly`, `Daily`, `Weekly`, `30 Days`, `90 Days`, or a custom `<n>h` / `<n>d` (the CRD's form), in seconds. */
export function scheduleSeconds(schedule: string): number {
  const named = NAMED[schedule];
  if (named !== undefined) return named;
  const match = /^([1-9][0-9]{0,3})(h|d)$/.exec(schedule);
  if (!match) {
    throw new CmkError(
      'INVALID_ARGUMENT',
      `rotationSchedule "${schedule}" is not understood: use Hourly, Daily, Weekly, 30 Days, 90 Days, or a duration such as 12h or 45d`,
      { field: 'rotationSchedule' },
    );
  }
  return Number(match[1]) * (match[2] === 'h' ? 3600 : 86_400);
}

/** The shortest form that gives the interval back: `30d`, `1h`. */
export function scheduleName(seconds: number): string {
  return seconds % 86_400 === 0 ? `${seconds / 86_400}d` : `${Math.round(seconds / 3600)}h`;
}
