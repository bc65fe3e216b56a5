import { parse, SchemaValidationError, type Static, type TSchema } from '@openkcm/schema';
import { pluginErrors } from './errors.js';

/** Parses a plugin's YAML configuration; a bad one (a misspelt field too) becomes INVALID_CONFIGURATION naming each field. */
export function parseConfiguration<T extends TSchema>(schema: T, configuration: unknown): Static<T> {
  try {
    return parse(schema, configuration ?? {}, { unknownFields: 'reject' });
  } catch (error) {
    if (error instanceof SchemaValidationError) throw pluginErrors.invalidConfiguration(error.message);
    throw error;
  }
}
