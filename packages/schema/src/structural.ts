import { isPlainObject, type JsonSchema } from './json-schema.js';

const NEVER = [
  '$ref',
  '$schema',
  '$id',
  'id',
  'definitions',
  '$defs',
  'dependencies',
  'patternProperties',
  'additionalItems',
  'if',
  'then',
  'else',
  'const',
];
const NOT_IN_JUNCTORS = ['type', 'default', 'nullable', 'additionalProperties', 'description'];
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;

function problemsAt(schema: JsonSchema, path: string, inJunctor: boolean, problems: string[]): void {
  for (const keyword of NEVER)
    if (keyword in schema) problems.push(`${path}: ${keyword} is not allowed in a structural schema`);
  if (schema.uniqueItems === true)
    problems.push(`${path}: uniqueItems cannot be true; use x-kubernetes-list-type: set`);
  if (inJunctor) {
    for (const keyword of NOT_IN_JUNCTORS) {
      if (keyword in schema)
        problems.push(`${path}: ${keyword} must not be set inside allOf, anyOf, oneOf or not`);
    }
    for (const keyword of Object.keys(schema)) {
      if (keyword.startsWith('x-kubernetes-'))
        problems.push(`${path}: ${keyword} must not be set inside allOf, anyOf, oneOf or not`);
    }
  } else if (
    schema.type === undefined &&
    !schema['x-kubernetes-int-or-string'] &&
    !schema['x-kubernetes-preserve-unknown-fields']
  ) {
    problems.push(`${path}.type: Required value: must not be empty for specified object fields`);
  }
  if (
    schema.properties &&
    schema.additionalProperties !== undefined &&
    schema.additionalProperties !== false
  ) {
    problems.push(`${path}: additionalProperties and properties are mutually exclusive`);
  }
  if (Array.isArray(schema.items)) problems.push(`${path}.items: must be a schema, not an array of schemas`);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    problemsAt(property, `${path}.properties[${name}]`, inJunctor, problems);
  }
  if (isPlainObject(schema.additionalProperties)) {
    problemsAt(
      schema.additionalProperties as JsonSchema,
      `${path}.additionalProperties`,
      inJunctor,
      problems,
    );
  }
  if (isPlainObject(schema.items))
    problemsAt(schema.items as JsonSchema, `${path}.items`, inJunctor, problems);
  for (const junctor of JUNCTORS) {
    for (const [index, branch] of (schema[junctor] ?? []).entries()) {
      problemsAt(branch, `${path}.${junctor}[${index}]`, true, problems);
    }
  }
  if (schema.not) problemsAt(schema.not, `${path}.not`, true, problems);
}

/** Why a schema is not a Kubernetes structural schema; empty when it is one. */
export function structuralProblems(schema: unknown): string[] {
  if (!isPlainObject(schema)) return ['openAPIV3Schema: must be an object'];
  // Serialising drops what TypeBox keeps under symbols, so this checks what a CRD would contain.
  const plain = JSON.parse(JSON.stringify(schema)) as JsonSchema;
  const problems: string[] = [];
  if (plain.type !== 'object')
    problems.push('openAPIV3Schema.type: Unsupported value: must be object at the root');
  problemsAt(plain, 'openAPIV3Schema', false, problems);
  const metadata = plain.properties?.metadata;
  if (metadata) {
    const allowed = new Set(['name', 'generateName']);
    for (const name of Object.keys(metadata.properties ?? {})) {
      if (!allowed.has(name))
        problems.push(
          `openAPIV3Schema.properties[metadata]: only name and generateName may be specified, not ${name}`,
        );
    }
  }
  return problems;
}
