import { isPlainObject, type JsonSchema, type ValidationCause } from './json-schema.js';

export interface ValidateOptions {
  /** Fill absent properties from `default` (Kubernetes defaulting). */
  applyDefaults?: boolean;
  /** What happens to properties the schema does not declare. */
  unknownFields?: 'prune' | 'reject' | 'keep';
}

export interface ValidationResult {
  /** A defaulted and pruned copy of the input; the input itself is never changed. */
  value: unknown;
  causes: ValidationCause[];
  /** Paths of the undeclared fields that were pruned or rejected. */
  unknownFields: string[];
}

interface Walk {
  applyDefaults: boolean;
  unknownFields: 'prune' | 'reject' | 'keep';
  causes: ValidationCause[];
  unknown: string[];
}

const TYPE_NAMES = {
  object: 'object',
  array: 'array',
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
};

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(typeName(value));
}

function label(path: string): string {
  return path === '' ? '<root>' : path;
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function formatProblem(format: string, value: string): boolean {
  switch (format) {
    case 'date-time':
      return !DATE_TIME.test(value) || Number.isNaN(Date.parse(value));
    case 'byte':
      return value.length % 4 !== 0 || !BASE64.test(value);
    case 'uri':
      return !URL.canParse(value);
    default:
      return false;
  }
}

function matchesType(schema: JsonSchema, value: unknown): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === schema.type;
  }
}

function check(schema: JsonSchema, value: unknown, path: string, walk: Walk): unknown {
  const push = (reason: ValidationCause['reason'], message: string, field = path) =>
    walk.causes.push({ reason, field: label(field), message });

  if (value === null && schema.nullable) return null;
  if (value === null && schema.type !== undefined) {
    push(
      'FieldValueTypeInvalid',
      `Invalid value: "null": ${label(path)} in body must be of type ${schema.type}: "null"`,
    );
    return value;
  }
  if (!matchesType(schema, value)) {
    const expected = schema['x-kubernetes-int-or-string']
      ? 'integer or string'
      : TYPE_NAMES[schema.type ?? 'object'];
    push(
      'FieldValueTypeInvalid',
      `Invalid value: ${JSON.stringify(typeName(value))}: ${label(path)} in body must be of type ${expected}: ${shown(value)}`,
    );
    return value;
  }

  let result = value;
  const constrainsObject =
    schema.type === 'object' ||
    schema.properties !== undefined ||
    schema.required !== undefined ||
    schema.additionalProperties !== undefined ||
    schema.minProperties !== undefined ||
    schema.maxProperties !== undefined;
  if (isPlainObject(value) && constrainsObject) {
    result = checkObject(schema, value, path, walk);
  } else if (Array.isArray(value) && schema.type === 'array') {
    result = checkArray(schema, value, path, walk);
  }

  const allowed = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (allowed && !allowed.some((candidate) => JSON.stringify(candidate) === JSON.stringify(value))) {
    push(
      'FieldValueNotSupported',
      `Unsupported value: ${shown(value)}: supported values: ${allowed.map((item) => JSON.stringify(item)).join(', ')}`,
    );
  }
  if (typeof value === 'string') checkString(schema, value, path, push);
  if (typeof value === 'number') checkNumber(schema, value, path, push);
  checkJunctors(schema, result, path, walk);
  return result;
}

// TextEncoder rather than Buffer: the same validator runs in the browser (the console's forms).
const utf8 = new TextEncoder();

function checkString(
  schema: JsonSchema,
  value: string,
  path: string,
  push: (reason: ValidationCause['reason'], message: string) => void,
): void {
  const length = [...value].length;
  if (schema.maxLength !== undefined && utf8.encode(value).length > schema.maxLength) {
    push('FieldValueTooLong', `Too long: may not be more than ${schema.maxLength} bytes`);
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    push(
      'FieldValueInvalid',
      `Invalid value: ${shown(value)}: ${label(path)} in body should be at least ${schema.minLength} chars long`,
    );
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
    push(
      'FieldValueInvalid',
      `Invalid value: ${shown(value)}: ${label(path)} in body should match '${schema.pattern}'`,
    );
  }
  if (schema.format !== undefined && formatProblem(schema.format, value)) {
    push(
      'FieldValueTypeInvalid',
      `Invalid value: ${shown(value)}: ${label(path)} in body must be of type ${schema.format}: ${shown(value)}`,
    );
  }
}

function checkNumber(
  schema: JsonSchema,
  value: number,
  path: string,
  push: (reason: ValidationCause['reason'], message: string) => void,
): void {
  const lowest = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : schema.minimum;
  const lowExclusive = typeof schema.exclusiveMinimum === 'number' || schema.exclusiveMinimum === true;
  if (lowest !== undefined && (lowExclusive ? value <= lowest : value < lowest)) {
    push(
      'FieldValueInvalid',
      `Invalid value: ${value}: ${label(path)} in body should be greater than ${lowExclusive ? '' : 'or equal to '}${lowest}`,
    );
  }
  const highest = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : schema.maximum;
  const highExclusive = typeof schema.exclusiveMaximum === 'number' || schema.exclusiveMaximum === true;
  if (highest !== undefined && (highExclusive ? value >= highest : value > highest)) {
    push(
      'FieldValueInvalid',
      `Invalid value: ${value}: ${label(path)} in body should be less than ${highExclusive ? '' : 'or equal to '}${highest}`,
    );
  }
}

function checkObject(
  schema: JsonSchema,
  value: Record<string, unknown>,
  path: string,
  walk: Walk,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const properties = schema.properties ?? {};
  for (const [key, propertySchema] of Object.entries(properties)) {
    let item = value[key];
    if (
      (item === undefined || (item === null && !propertySchema.nullable)) &&
      walk.applyDefaults &&
      propertySchema.default !== undefined
    ) {
      item = structuredClone(propertySchema.default);
    }
    if (item === undefined || (item === null && !propertySchema.nullable && walk.applyDefaults)) continue;
    result[key] = check(propertySchema, item, child(path, key), walk);
  }
  const additional = schema.additionalProperties;
  const keepsUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || additional === true;
  for (const [key, item] of Object.entries(value)) {
    if (key in properties) continue;
    if (isPlainObject(additional)) {
      result[key] = check(additional, item, `${label(path)}[${key}]`, walk);
    } else if (keepsUnknown || walk.unknownFields === 'keep') {
      result[key] = item;
    } else {
      const field = child(path, key);
      walk.unknown.push(field);
      if (walk.unknownFields === 'reject') {
        walk.causes.push({ reason: 'FieldValueUnknown', field, message: `unknown field "${field}"` });
      }
    }
  }
  for (const key of schema.required ?? []) {
    if (result[key] === undefined)
      walk.causes.push({ reason: 'FieldValueRequired', field: child(path, key), message: 'Required value' });
  }
  const count = Object.keys(result).length;
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    walk.causes.push({
      reason: 'FieldValueTooMany',
      field: label(path),
      message: `Too many: ${count}: must have at most ${schema.maxProperties} items`,
    });
  }
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    walk.causes.push({
      reason: 'FieldValueInvalid',
      field: label(path),
      message: `Invalid value: ${count}: ${label(path)} in body should have at least ${schema.minProperties} properties`,
    });
  }
  return result;
}

function checkArray(schema: JsonSchema, value: unknown[], path: string, walk: Walk): unknown[] {
  const result = schema.items
    ? value.map((item, index) => check(schema.items as JsonSchema, item, `${label(path)}[${index}]`, walk))
    : [...value];
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    walk.causes.push({
      reason: 'FieldValueTooMany',
      field: label(path),
      message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
    });
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    walk.causes.push({
      reason: 'FieldValueInvalid',
      field: label(path),
      message: `Invalid value: ${value.length}: ${label(path)} in body should have at least ${schema.minItems} items`,
    });
  }
  const listType = schema['x-kubernetes-list-type'];
  const keyOf =
    listType === 'set' || schema.uniqueItems
      ? (item: unknown) => JSON.stringify(item)
      : listType === 'map'
        ? (item: unknown) =>
            JSON.stringify(
              (schema['x-kubernetes-list-map-keys'] ?? []).map((key) =>
                isPlainObject(item) ? item[key] : undefined,
              ),
            )
        : undefined;
  if (keyOf) {
    const seen = new Set<string>();
    result.forEach((item, index) => {
      const key = keyOf(item);
      if (seen.has(key)) {
        const shownKey =
          listType === 'map' && isPlainObject(item)
            ? JSON.stringify(
                Object.fromEntries(
                  (schema['x-kubernetes-list-map-keys'] ?? []).map((name) => [name, item[name]]),
                ),
              )
            : shown(item);
        walk.causes.push({
          reason: 'FieldValueDuplicate',
          field: `${label(path)}[${index}]`,
          message: `Duplicate value: ${shownKey}`,
        });
      }
      seen.add(key);
    });
  }
  return result;
}

/** Value validations only: a branch never defaults, prunes or rejects fields. */
function branchCauses(schema: JsonSchema, value: unknown, path: string): ValidationCause[] {
  const walk: Walk = { applyDefaults: false, unknownFields: 'keep', causes: [], unknown: [] };
  check(schema, value, path, walk);
  return walk.causes;
}

/** A branch pinned to one value of a discriminator, e.g. `providerType: {enum: [AWS]}`. */
function discriminatorMatches(branch: JsonSchema, value: unknown): boolean {
  if (!isPlainObject(value) || !branch.properties) return false;
  const pinned = Object.entries(branch.properties).filter(([, property]) => property.enum?.length === 1);
  return (
    pinned.length > 0 &&
    pinned.every(([key, property]) => JSON.stringify(value[key]) === JSON.stringify(property.enum?.[0]))
  );
}

function checkJunctors(schema: JsonSchema, value: unknown, path: string, walk: Walk): void {
  for (const branch of schema.allOf ?? []) walk.causes.push(...branchCauses(branch, value, path));
  for (const [keyword, branches] of [
    ['anyOf', schema.anyOf],
    ['oneOf', schema.oneOf],
  ] as const) {
    if (!branches) continue;
    const results = branches.map((branch) => branchCauses(branch, value, path));
    const passing = results.filter((causes) => causes.length === 0).length;
    if (keyword === 'oneOf' && passing > 1) {
      walk.causes.push({
        reason: 'FieldValueInvalid',
        field: label(path),
        message: `Invalid value: ${shown(value)}: ${label(path)} in body must validate one and only one schema (oneOf). Found ${passing} valid alternatives`,
      });
    }
    if (passing > 0) continue;
    const chosen = branches.findIndex((branch) => discriminatorMatches(branch, value));
    if (chosen >= 0) walk.causes.push(...(results[chosen] ?? []));
    else {
      const rule =
        keyword === 'oneOf'
          ? 'must validate one and only one schema (oneOf)'
          : 'must validate at least one schema (anyOf)';
      walk.causes.push({
        reason: 'FieldValueInvalid',
        field: label(path),
        message: `Invalid value: ${shown(value)}: ${label(path)} in body ${rule}`,
      });
    }
  }
  if (schema.not && branchCauses(schema.not, value, path).length === 0) {
    walk.causes.push({
      reason: 'FieldValueInvalid',
      field: label(path),
      message: `Invalid value: ${shown(value)}: ${label(path)} in body must not validate the schema (not)`,
    });
  }
}

/** Validates, defaults and prunes `value` against a structural schema, as the Kubernetes API server does. */
export function validate(
  schema: JsonSchema,
  value: unknown,
  options: ValidateOptions = {},
): ValidationResult {
  const walk: Walk = {
    applyDefaults: options.applyDefaults ?? true,
    unknownFields: options.unknownFields ?? 'prune',
    causes: [],
    unknown: [],
  };
  const result = check(schema, value, '', walk);
  return { value: result, causes: walk.causes, unknownFields: walk.unknown };
}
