export type { Static, TSchema } from '@sinclair/typebox';
export { Type } from '@sinclair/typebox';
export { type CauseReason, isPlainObject, type JsonSchema, type ValidationCause } from './json-schema.js';
export { formatCauses, parse, SchemaValidationError } from './parse.js';
export { structuralProblems } from './structural.js';
export {
  assertSafeJson,
  MAX_JSON_DEPTH,
  parseUntrustedJson,
  UntrustedJsonError,
} from './untrusted-json.js';
export { type ValidateOptions, type ValidationResult, validate } from './validate.js';
