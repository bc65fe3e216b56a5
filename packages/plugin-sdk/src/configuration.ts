import { parse, SchemaValidationError, type Static, type TSchema } from '@openkcm/schema';
import { type PluginError, pluginErrors } from './errors.js';

/** Parses hand-written input strictly (a misspelt field too); a bad value becomes the given classified error. */
function parseStrictly<T extends TSchema>(
  schema: T,
  value: unknown,
  failure: (detail: string) => PluginError,
): Static<T> {
  try {
    return parse(schema, value ?? {}, { unknownFields: 'reject' });
  } catch (error) {
    if (error instanceof SchemaValidationError) throw failure(error.message);
    throw error;
  }
}

/** Parses a plugin's YAML configuration; a bad one becomes INVALID_CONFIGURATION naming each field. */
export function parseConfiguration<T extends TSchema>(schema: T, configuration: unknown): Static<T> {
  return parseStrictly(schema, configuration, pluginErrors.invalidConfiguration);
}

/** Parses an Account's provider settings (key access data); anything off becomes INVALID_KEY_ACCESS_DATA naming the field. */
export function parseAccessData<T extends TSchema>(schema: T, accessData: unknown): Static<T> {
  return parseStrictly(schema, accessData, pluginErrors.invalidKeyAccessData);
}
