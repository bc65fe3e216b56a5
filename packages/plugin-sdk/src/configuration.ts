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

/** Parses an Account's provider settings (key access data); anything off becomes INVALID_KEY_ACCESS_DATA naming the field. */
export function parseAccessData<T extends TSchema>(schema: T, accessData: unknown): Static<T> {
  try {
    return parse(schema, accessData ?? {}, { unknownFields: 'reject' });
  } catch (error) {
    if (error instanceof SchemaValidationError) throw pluginErrors.invalidKeyAccessData(error.message);
    throw error;
  }
}
