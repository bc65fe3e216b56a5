import type { Static, TSchema } from '@sinclair/typebox';
import type { JsonSchema, ValidationCause } from './json-schema.js';
import { validate } from './validate.js';

export function formatCauses(causes: readonly ValidationCause[]): string {
  return causes.map((cause) => `${cause.field}: ${cause.message}`).join('; ');
}

/** Input that does not fit its schema; `causes` name each field and what is wrong with it. */
export class SchemaValidationError extends Error {
  constructor(readonly causes: ValidationCause[]) {
    super(formatCauses(causes));
    this.name = 'SchemaValidationError';
  }
}

/**
 * Parses unknown input into the schema's type: defaults applied, undeclared fields dropped (or,
 * for files people write by hand, refused), or a SchemaValidationError.
 */
export function parse<T extends TSchema>(
  schema: T,
  value: unknown,
  options: { unknownFields?: 'prune' | 'reject' } = {},
): Static<T> {
  const result = validate(schema as unknown as JsonSchema, value, {
    applyDefaults: true,
    unknownFields: options.unknownFields ?? 'prune',
  });
  if (result.causes.length > 0) throw new SchemaValidationError(result.causes);
  return result.value as Static<T>;
}
