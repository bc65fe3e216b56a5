import { ROTATION_SCHEDULE_HELP, rotationScheduleSeconds } from '@openkcm/api';
import { CmkError } from './errors.js';

/** A rotation schedule in seconds (the one reading of @openkcm/api), or INVALID_ARGUMENT saying what is understood. */
export function scheduleSeconds(schedule: string): number {
  const seconds = rotationScheduleSeconds(schedule);
  if (seconds === undefined)
    throw new CmkError(
      'INVALID_ARGUMENT',
      `rotationSchedule "${schedule}" is not understood: use ${ROTATION_SCHEDULE_HELP}`,
      { field: 'rotationSchedule' },
    );
  return seconds;
}
