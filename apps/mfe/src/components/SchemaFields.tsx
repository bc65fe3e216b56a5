import type { JsonSchema } from '@openkcm/schema';
import { Label, Option, Select, Text } from '@openkcm/ui-kit';
import { TextField } from './TextField.js';

export type FieldValues = Record<string, unknown>;

const GROUP = {
  border: '1px solid var(--sapGroup_TitleBorderColor)',
  borderRadius: '0.5rem',
  padding: '0.5rem 0.75rem',
  display: 'flex',
  flexDirection: 'column',
  gap: '0.5rem',
} as const;
const FIELD = { display: 'flex', flexDirection: 'column', gap: '0.25rem' } as const;
const HINT = { fontSize: 'var(--sapFontSmallSize)', color: 'var(--sapContent_LabelColor)' } as const;

export const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
const titleOf = (schema: JsonSchema, name: string) =>
  typeof schema.title === 'string' ? schema.title : name;

const isObject = (value: unknown): value is FieldValues =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A new form's values: each required enum on its first choice, with the block its union needs. */
export function initialValues(schema: JsonSchema): FieldValues {
  const values: FieldValues = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (!schema.required?.includes(name)) continue;
    if (property.enum?.[0] !== undefined) values[name] = String(property.enum[0]);
    else if (property.type === 'object') values[name] = initialValues(property);
  }
  const method = values.method;
  if (typeof method === 'string') {
    const block = schema.properties?.[lowerFirst(method)];
    if (block) values[lowerFirst(method)] = initialValues(block);
  }
  return values;
}

/** Without empty groups: what the user filled in, ready to send. */
export function compactValues(values: FieldValues): FieldValues {
  const result: FieldValues = {};
  for (const [name, value] of Object.entries(values)) {
    const kept = isObject(value) ? compactValues(value) : value;
    if (!(isObject(kept) && Object.keys(kept).length === 0)) result[name] = kept;
  }
  return result;
}

/** The value at a field path, to tell typed fields from untouched ones. */
export function valueAt(values: FieldValues, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((current, part) => (isObject(current) ? current[part] : undefined), values);
}

/**
 * A form for one object of the API's own schema (an Account's provider settings): a text field per
 * string or integer, a select per enum, a group per nested object. An object with a `method` enum
 * is a discriminated union: only the block named after the chosen method is shown and kept.
 */
export function SchemaFields({
  schema,
  value,
  onChange,
  problems,
  idPrefix,
  path = '',
}: {
  schema: JsonSchema;
  value: FieldValues;
  onChange: (value: FieldValues) => void;
  /** Problems to show, by field path (`auth.appRole.roleIDSecretRef.name`). */
  problems: Record<string, string>;
  idPrefix: string;
  path?: string;
}) {
  const properties = Object.entries(schema.properties ?? {});
  const methods = (schema.properties?.method?.enum ?? []).map(String);
  const chosen = lowerFirst(String(value.method ?? ''));
  return (
    <>
      {properties.map(([name, property]) => {
        const fieldPath = path ? `${path}.${name}` : name;
        const id = `${idPrefix}-${fieldPath.replaceAll('.', '-')}`;
        const required = schema.required?.includes(name) ?? false;
        if (property.type === 'object') {
          if (methods.map(lowerFirst).includes(name) && name !== chosen) return null;
          return (
            <fieldset key={name} style={GROUP} aria-label={titleOf(property, name)}>
              <legend>{titleOf(property, name)}</legend>
              <SchemaFields
                schema={property}
                value={(value[name] ?? {}) as FieldValues}
                onChange={(next) => onChange({ ...value, [name]: next })}
                problems={problems}
                idPrefix={idPrefix}
                path={fieldPath}
              />
            </fieldset>
          );
        }
        if (property.enum) {
          const options = property.enum.map(String);
          return (
            <div key={name} style={FIELD}>
              <Label for={id} required={required} showColon>
                {titleOf(property, name)}
              </Label>
              <Select
                id={id}
                accessibleName={titleOf(property, name)}
                onChange={(event) => {
                  const selected = String(
                    (event.detail.selectedOption as HTMLElement & { value?: string }).value,
                  );
                  const next: FieldValues = { ...value, [name]: selected };
                  // Switching the method of a union keeps only the chosen block.
                  if (name === 'method')
                    for (const method of options.map(lowerFirst))
                      if (method === lowerFirst(selected)) next[method] = value[method] ?? {};
                      else delete next[method];
                  onChange(next);
                }}
              >
                {!required && <Option value="">—</Option>}
                {options.map((option) => (
                  <Option key={option} value={option} selected={value[name] === option}>
                    {option}
                  </Option>
                ))}
              </Select>
              {property.description && <Text style={HINT}>{property.description}</Text>}
            </div>
          );
        }
        const current = value[name];
        return (
          <div key={name} style={FIELD}>
            <TextField
              id={id}
              label={titleOf(property, name)}
              required={required}
              value={current === undefined ? '' : String(current)}
              placeholder={typeof property.default === 'string' ? property.default : undefined}
              onChange={(text) => {
                const next: FieldValues = { ...value };
                if (text === '') delete next[name];
                else next[name] = property.type === 'integer' && /^\d+$/.test(text) ? Number(text) : text;
                onChange(next);
              }}
              problem={problems[fieldPath]}
            />
            {property.description && <Text style={HINT}>{property.description}</Text>}
          </div>
        );
      })}
    </>
  );
}
