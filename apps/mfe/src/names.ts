import { ObjectName } from '@openkcm/bff-api';
import { validate } from '@openkcm/schema';

/** What is wrong with a name for a new object, said as the fix; `example` shows a good one. */
export function nameProblem(name: string, example: string): string | undefined {
  if (!name) return `Enter a name, e.g. ${example}`;
  return validate(ObjectName, name, { applyDefaults: false }).causes.length > 0
    ? 'Use lower-case letters, digits and "-", starting and ending with a letter or digit (at most 63)'
    : undefined;
}
