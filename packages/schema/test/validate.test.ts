import { describe, expect, it } from 'vitest';
import {
  type JsonSchema,
  parse,
  SchemaValidationError,
  structuralProblems,
  Type,
  validate,
} from '../src/index.js';

const schema: JsonSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 8, pattern: '^[a-z]+$' },
    size: { type: 'integer', minimum: 1, default: 3 },
    port: { 'x-kubernetes-int-or-string': true },
    note: { type: 'string', nullable: true },
    labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 3 } },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    conditions: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: {
        type: 'object',
        properties: { type: { type: 'string' }, status: { type: 'string', enum: ['True', 'False'] } },
      },
    },
  },
};

describe('validate', () => {
  it('defaults absent fields and prunes undeclared ones without touching the input', () => {
    const input = { name: 'abc', extra: 1, free: { anything: [1] } };
    const result = validate(schema, input);
    expect(result.causes).toEqual([]);
    expect(result.value).toEqual({ name: 'abc', size: 3, free: { anything: [1] } });
    expect(result.unknownFields).toEqual(['extra']);
    expect(input).toEqual({ name: 'abc', extra: 1, free: { anything: [1] } });
  });

  it('rejects undeclared fields when asked, as fieldValidation=Strict does', () => {
    const result = validate(schema, { name: 'abc', extra: 1 }, { unknownFields: 'reject' });
    expect(result.causes).toEqual([
      { reason: 'FieldValueUnknown', field: 'extra', message: 'unknown field "extra"' },
    ]);
  });

  it('reports each problem with its Kubernetes path and wording', () => {
    const result = validate(schema, {
      name: 'TooLongName',
      size: 0,
      port: true,
      note: null,
      labels: { app: 'long' },
      conditions: [
        { type: 'Ready', status: 'Maybe' },
        { type: 'Ready', status: 'True' },
      ],
    });
    expect(result.causes).toEqual([
      { reason: 'FieldValueTooLong', field: 'name', message: 'Too long: may not be more than 8 bytes' },
      {
        reason: 'FieldValueInvalid',
        field: 'name',
        message: `Invalid value: "TooLongName": name in body should match '^[a-z]+$'`,
      },
      {
        reason: 'FieldValueInvalid',
        field: 'size',
        message: 'Invalid value: 0: size in body should be greater than or equal to 1',
      },
      {
        reason: 'FieldValueTypeInvalid',
        field: 'port',
        message: 'Invalid value: "boolean": port in body must be of type integer or string: true',
      },
      {
        reason: 'FieldValueTooLong',
        field: 'labels[app]',
        message: 'Too long: may not be more than 3 bytes',
      },
      {
        reason: 'FieldValueNotSupported',
        field: 'conditions[0].status',
        message: 'Unsupported value: "Maybe": supported values: "True", "False"',
      },
      { reason: 'FieldValueDuplicate', field: 'conditions[1]', message: 'Duplicate value: {"type":"Ready"}' },
    ]);
  });

  it('reports a missing required field', () => {
    expect(validate(schema, {}).causes).toEqual([
      { reason: 'FieldValueRequired', field: 'name', message: 'Required value' },
    ]);
  });

  it('reports the causes of the oneOf branch whose discriminator matches', () => {
    const union: JsonSchema = {
      type: 'object',
      properties: { kind: { type: 'string' }, ref: { type: 'string' } },
      oneOf: [
        { properties: { kind: { enum: ['A'] }, ref: { pattern: '^a-' } } },
        { properties: { kind: { enum: ['B'] }, ref: { pattern: '^b-' } } },
      ],
    };
    expect(validate(union, { kind: 'B', ref: 'b-1' }).causes).toEqual([]);
    expect(validate(union, { kind: 'B', ref: 'a-1' }).causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'ref',
        message: `Invalid value: "a-1": ref in body should match '^b-'`,
      },
    ]);
  });
});

describe('parse', () => {
  it('returns the typed value or throws with every cause', () => {
    const Claims = Type.Object({
      sub: Type.String({ minLength: 1 }),
      roles: Type.Array(Type.String(), { default: [] }),
    });
    expect(parse(Claims, { sub: 'x', ignored: true })).toEqual({ sub: 'x', roles: [] });
    expect(() => parse(Claims, { sub: '' })).toThrow(SchemaValidationError);
    expect(() => parse(Claims, { sub: '' })).toThrow(
      'sub: Invalid value: "": sub in body should be at least 1 chars long',
    );
  });
});

describe('structuralProblems', () => {
  it('accepts a structural schema and names what makes one non-structural', () => {
    expect(structuralProblems(schema)).toEqual([]);
    const problems = structuralProblems({
      type: 'object',
      properties: {
        a: { description: 'no type' },
        b: { type: 'array', uniqueItems: true, items: { type: 'string' } },
        c: { type: 'string', anyOf: [{ type: 'string' }] },
        d: {
          type: 'object',
          properties: { x: { type: 'string' } },
          additionalProperties: { type: 'string' },
        },
        e: { $ref: '#/definitions/x' },
      },
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/properties\[a\]\.type: Required value/);
    expect(problems.join('\n')).toMatch(/uniqueItems/);
    expect(problems.join('\n')).toMatch(/anyOf\[0\]: type must not be set/);
    expect(problems.join('\n')).toMatch(/mutually exclusive/);
    expect(problems.join('\n')).toMatch(/\$ref is not allowed/);
  });
});
